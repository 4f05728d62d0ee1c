"""Wire protocol version 1 (docs/protocol.md): constants, packet types, and the decoder of DATA/STATUS
packets and replies and encoder of host-to-device commands.

Every decoder either returns a fully validated value or raises a `ProtocolError` subclass; it never
guesses at unknown versions or types and never returns samples from a packet whose length disagrees
with its header. Samples stay int16 counts (body frame: x forward, y left, z up) until a caller
scales them with `cdeg_to_deg`, `acc_counts_to_g` and `gyro_counts_to_dps`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import Final

import numpy as np

from hiplevel.errors import (
    FieldError,
    LengthError,
    UnknownTypeError,
    UnknownVersionError,
)

PROTOCOL_VERSION: Final[int] = 1
HEADER_SIZE_BYTES: Final[int] = 12
STATUS_BODY_SIZE_BYTES: Final[int] = 14
REPLY_HEADER_SIZE_BYTES: Final[int] = 5
COMMAND_HEADER_SIZE_BYTES: Final[int] = 3
MIN_RATE_HZ: Final[int] = 50
MAX_RATE_HZ: Final[int] = 200
SET_RATE_CHOICES_HZ: Final[tuple[int, ...]] = (50, 100, 125, 200)
CDEG_PER_DEG: Final[float] = 100.0
ACC_COUNTS_PER_G: Final[float] = 4096.0
GYRO_COUNTS_PER_DPS: Final[float] = 32.0
BATTERY_PCT_UNKNOWN: Final[int] = 255
CHUNK_MORE_BIT: Final[int] = 0x80
CHUNK_INDEX_MASK: Final[int] = 0x7F
SEQ_MODULUS: Final[int] = 1 << 32
T_US_MODULUS: Final[int] = 1 << 32

ROLL_FIELDS: Final[tuple[str, ...]] = ("roll_cdeg", "pitch_cdeg")
RAW_FIELDS: Final[tuple[str, ...]] = ("ax", "ay", "az", "gx", "gy", "gz")

_HEADER = struct.Struct("<BBBBII")
_STATUS_BODY = struct.Struct("<BBHhhHHH")
_REPLY_HEADER = struct.Struct("<BBBBB")
_SAMPLE_DTYPE = np.dtype("<i2")


class Channel(IntEnum):
    """Logical channels: serial channel numbers; on BLE, the characteristic a packet used."""

    DATA = 1  # DATA and STATUS packets, device to host (data characteristic)
    REPLY = 2  # replies, device to host (reply characteristic)
    COMMAND = 3  # commands, host to device (command characteristic)


class PacketType(IntEnum):  # Low nibble of `ver_type`.
    DATA_ROLL = 0x1
    DATA_RAW = 0x2
    STATUS = 0x3
    REPLY = 0x4


class Flags(IntFlag):  # Status flags carried by every DATA and STATUS packet.
    RESENT = 1 << 0
    STILL = 1 << 1
    IMU_FAULT = 1 << 2
    CALIBRATED = 1 << 3
    HAPTIC = 1 << 4
    LOW_BATTERY = 1 << 5
    SATURATED = 1 << 6
    FUSION_INIT = 1 << 7


class Cmd(IntEnum):  # Command codes (host to device).
    START = 0x01
    STOP = 0x02
    SET_RATE = 0x03
    SET_MODE = 0x04
    TARE = 0x05
    SET_HAPTIC = 0x06
    IDENTIFY = 0x07
    RESEND = 0x08
    GET_INFO = 0x09
    GET_CALIB = 0x0A
    SET_CALIB = 0x0B
    GET_STATUS = 0x0C
    AUTH_BEGIN = 0x0D
    AUTH_PROVE = 0x0E
    SET_KEY = 0x0F


# Bit 7 of a command's `cmd`: its payload starts with counter and tag (protocol.auth).
CMD_SIGNED_BIT: Final[int] = 0x80
# The commands that change the device: over BLE each must be signed (docs/protocol.md).
SIGNED_COMMANDS: Final[frozenset[int]] = frozenset({
    Cmd.START, Cmd.STOP, Cmd.SET_RATE, Cmd.SET_MODE, Cmd.TARE, Cmd.SET_HAPTIC, Cmd.IDENTIFY, Cmd.SET_CALIB,
})


class ReplyStatus(IntEnum):  # Status byte of a reply.
    OK = 0
    UNKNOWN_CMD = 1
    BAD_ARG = 2
    BAD_LENGTH = 3
    BUSY = 4
    MTU_TOO_SMALL = 5
    IMU_FAULT = 6
    STORAGE_ERROR = 7
    NOT_AVAILABLE = 8
    BAD_VERSION = 9
    AUTH_REQUIRED = 10
    AUTH_FAILED = 11
    USB_ONLY = 12


class StreamMode(IntEnum):  # Stream mode (STATUS body, SET_MODE payload).
    STOPPED = 0
    ROLL = 1
    RAW = 2


SAMPLE_FIELDS: Final[dict[PacketType, tuple[str, ...]]] = {PacketType.DATA_ROLL: ROLL_FIELDS, PacketType.DATA_RAW: RAW_FIELDS}
SAMPLE_SIZE_BYTES: Final[dict[PacketType, int]] = {t: 2 * len(f) for t, f in SAMPLE_FIELDS.items()}


def period_us(rate_hz: int) -> int:
    """Nominal sample period, microseconds, as the firmware spaces samples: round(1e6 / rate_hz)."""
    known = _PERIODS_US.get(rate_hz)
    return round(1_000_000 / rate_hz) if known is None else known


_PERIODS_US: Final[dict[int, int]] = {r: round(1_000_000 / r) for r in range(1, 256)}  # every u8 rate but 0
# Every u8 flags value and the data kinds, made once: an enum call per packet costs as much as its decoding.
_FLAGS: Final[tuple[Flags, ...]] = tuple(Flags(i) for i in range(256))
_DATA_KINDS: Final[dict[int, PacketType]] = {int(t): t for t in (PacketType.DATA_ROLL, PacketType.DATA_RAW)}


@dataclass(frozen=True, eq=False)
class DataPacket:
    """A DATA_ROLL or DATA_RAW packet. `samples` is a read-only (count, n_fields) int16 array of
    wire counts, columns in `fields` order; sample i has sequence `seq + i` (mod 2^32) and device
    time `t_us + i * period_us` (mod 2^32)."""

    type: PacketType
    flags: Flags
    rate_hz: int
    seq: int
    t_us: int
    samples: np.ndarray

    @property
    def count(self) -> int:
        return int(self.samples.shape[0])

    @property
    def fields(self) -> tuple[str, ...]:
        return SAMPLE_FIELDS[self.type]

    @property
    def period_us(self) -> int:
        return period_us(self.rate_hz)

    @property
    def resent(self) -> bool:
        return bool(self.flags & Flags.RESENT)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DataPacket):
            return NotImplemented
        return (
            (self.type, self.flags, self.rate_hz, self.seq, self.t_us)
            == (other.type, other.flags, other.rate_hz, other.seq, other.t_us)
            and np.array_equal(self.samples, other.samples)
        )

    __hash__ = None  # type: ignore[assignment]  # holds an array


@dataclass(frozen=True)
class StatusPacket:
    """A STATUS packet: `seq`/`t_us` are those of the next sample slot."""

    flags: Flags
    rate_hz: int
    seq: int
    t_us: int
    battery_pct: int
    mode: StreamMode
    battery_mv: int
    temp_cdegc: int
    neutral_roll_cdeg: int
    imu_errors: int
    ring_overwritten: int
    payload_max: int

    @property
    def battery_known(self) -> bool:
        return self.battery_pct != BATTERY_PCT_UNKNOWN

    @property
    def temp_c(self) -> float:
        """IMU temperature, deg C."""
        return self.temp_cdegc / 100.0

    @property
    def neutral_roll_deg(self) -> float:
        """Tare neutral roll, deg (positive = left side higher)."""
        return self.neutral_roll_cdeg / CDEG_PER_DEG


@dataclass(frozen=True)
class Reply:
    """A reply (or one chunk of it); `cmd` is an int because UNKNOWN_CMD echoes codes not in `Cmd`."""

    cmd: int
    token: int
    status: ReplyStatus
    chunk: int
    more: bool
    payload: bytes

    @property
    def ok(self) -> bool:
        return self.status == ReplyStatus.OK


@dataclass(frozen=True)
class Command:
    """A host-to-device command (or one chunk of it)."""

    cmd: int
    token: int
    chunk: int
    more: bool
    payload: bytes

    def encode(self) -> bytes:
        return encode_command(self.cmd, self.token, self.payload, self.chunk, self.more)


# --- decoding -----------------------------------------------------------------------------------
def _check_version(ver_type: int) -> int:
    version = ver_type >> 4
    if version != PROTOCOL_VERSION:
        raise UnknownVersionError(f"protocol version {version} (this host speaks {PROTOCOL_VERSION})")
    return ver_type & 0x0F


def decode_packet(data: bytes) -> DataPacket | StatusPacket:
    """Decode one packet of the data characteristic / serial channel 1 (DATA or STATUS)."""
    if len(data) < HEADER_SIZE_BYTES:
        raise LengthError(f"packet of {len(data)} bytes is shorter than the {HEADER_SIZE_BYTES}-byte header")
    ver_type, flags, count, rate_hz, seq, t_us = _HEADER.unpack_from(data, 0)
    ptype = _check_version(ver_type)
    if ptype == PacketType.STATUS:
        expected = HEADER_SIZE_BYTES + STATUS_BODY_SIZE_BYTES
        if count != 0 or len(data) != expected:
            raise LengthError(f"STATUS packet: count {count}, {len(data)} bytes (expected 0 and {expected})")
        battery_pct, mode, mv, temp, neutral, imu_err, overwritten, payload_max = _STATUS_BODY.unpack_from(
            data, HEADER_SIZE_BYTES
        )
        if mode not in StreamMode._value2member_map_:
            raise FieldError(f"STATUS stream mode {mode} unknown")
        return StatusPacket(
            Flags(flags), rate_hz, seq, t_us, battery_pct, StreamMode(mode), mv, temp, neutral, imu_err,
            overwritten, payload_max,
        )
    if ptype not in SAMPLE_FIELDS:
        raise UnknownTypeError(f"packet type {ptype:#x} is not a data-channel packet")
    kind = _DATA_KINDS[ptype]
    expected = HEADER_SIZE_BYTES + count * SAMPLE_SIZE_BYTES[kind]
    if len(data) != expected:
        raise LengthError(f"{kind.name} packet of {len(data)} bytes, header says {count} samples ({expected} bytes)")
    if not MIN_RATE_HZ <= rate_hz <= MAX_RATE_HZ:
        raise FieldError(f"{kind.name} rate {rate_hz} Hz outside {MIN_RATE_HZ}..{MAX_RATE_HZ}")
    n_fields = len(SAMPLE_FIELDS[kind])
    samples = np.frombuffer(data, dtype=_SAMPLE_DTYPE, count=count * n_fields, offset=HEADER_SIZE_BYTES)
    samples = samples.astype(np.int16).reshape(count, n_fields)
    samples.setflags(write=False)
    return DataPacket(kind, _FLAGS[flags], rate_hz, seq, t_us, samples)


def decode_reply(data: bytes) -> Reply:
    """Decode one packet of the reply characteristic / serial channel 2."""
    if len(data) < REPLY_HEADER_SIZE_BYTES:
        raise LengthError(f"reply of {len(data)} bytes is shorter than its {REPLY_HEADER_SIZE_BYTES}-byte header")
    ver_type, cmd, token, status, chunk = _REPLY_HEADER.unpack_from(data, 0)
    if _check_version(ver_type) != PacketType.REPLY:
        raise UnknownTypeError(f"packet type {ver_type & 0x0F:#x} on the reply channel")
    if status not in ReplyStatus._value2member_map_:
        raise UnknownTypeError(f"reply status {status} unknown")
    return Reply(cmd, token, ReplyStatus(status), chunk & CHUNK_INDEX_MASK, bool(chunk & CHUNK_MORE_BIT),
                 bytes(data[REPLY_HEADER_SIZE_BYTES:]))


def decode_command(data: bytes) -> Command:
    """Decode a command (what a device, or a test acting as one, receives)."""
    if len(data) < COMMAND_HEADER_SIZE_BYTES:
        raise LengthError(f"command of {len(data)} bytes is shorter than its 3-byte header")
    cmd, token, chunk = data[0], data[1], data[2]
    return Command(cmd, token, chunk & CHUNK_INDEX_MASK, bool(chunk & CHUNK_MORE_BIT), bytes(data[3:]))


# --- encoding (host to device; tests also use encode_reply/encode_packet to act as the device) ---
def _u8(name: str, value: int) -> int:
    if not 0 <= value <= 0xFF:
        raise FieldError(f"{name} {value} does not fit in a u8")
    return value


def encode_command(cmd: int, token: int, payload: bytes = b"", chunk: int = 0, more: bool = False) -> bytes:
    """Encode `cmd u8 | token u8 | chunk u8 | payload` (chunk 0..127, `more` sets bit 7)."""
    if not 0 <= chunk <= CHUNK_INDEX_MASK:
        raise FieldError(f"chunk index {chunk} outside 0..127")
    head = bytes((_u8("cmd", int(cmd)), _u8("token", token), chunk | (CHUNK_MORE_BIT if more else 0)))
    return head + bytes(payload)


def split_command(cmd: int, token: int, payload: bytes, max_packet_bytes: int) -> list[bytes]:
    """Encode a command as as many chunks as needed for packets of at most `max_packet_bytes`
    (ATT_MTU - 3 on BLE); chunk indices wrap modulo 128."""
    room = max_packet_bytes - COMMAND_HEADER_SIZE_BYTES
    if room < 1:
        raise FieldError(f"packets of {max_packet_bytes} bytes cannot carry a command payload")
    parts = [payload[i : i + room] for i in range(0, len(payload), room)] or [b""]
    return [
        encode_command(cmd, token, part, i & CHUNK_INDEX_MASK, more=i < len(parts) - 1)
        for i, part in enumerate(parts)
    ]


def encode_reply(cmd: int, token: int, status: int, payload: bytes = b"", chunk: int = 0, more: bool = False) -> bytes:
    """Encode a reply packet (device side; used by tests acting as the device)."""
    flag = CHUNK_MORE_BIT if more else 0
    return bytes((0x10 * PROTOCOL_VERSION | PacketType.REPLY, cmd, token, status, (chunk & CHUNK_INDEX_MASK) | flag)) + payload


def encode_data_packet(kind: PacketType, flags: int, rate_hz: int, seq: int, t_us: int, samples: np.ndarray) -> bytes:
    """Encode a DATA packet (device side; used by tests, the bench and fake devices)."""
    arr = np.asarray(samples, dtype=_SAMPLE_DTYPE).reshape(-1, len(SAMPLE_FIELDS[PacketType(kind)]))
    head = _HEADER.pack(0x10 * PROTOCOL_VERSION | kind, flags, arr.shape[0], rate_hz, seq % SEQ_MODULUS, t_us % T_US_MODULUS)
    return head + arr.tobytes()


def encode_status_packet(status: StatusPacket) -> bytes:
    """Encode a STATUS packet (device side; used by tests acting as the device)."""
    head = _HEADER.pack(0x10 * PROTOCOL_VERSION | PacketType.STATUS, status.flags, 0, status.rate_hz, status.seq, status.t_us)
    body = _STATUS_BODY.pack(status.battery_pct, status.mode, status.battery_mv, status.temp_cdegc,
                             status.neutral_roll_cdeg, status.imu_errors, status.ring_overwritten, status.payload_max)
    return head + body
