"""Command payloads, reply payload parsers, chunked-reply assembly and the scaling of wire integers
to physical units (docs/protocol.md)."""

from __future__ import annotations

import struct

import numpy as np

from hiplevel.errors import ChunkError, FieldError, LengthError
from hiplevel.protocol.wire import (
    ACC_COUNTS_PER_G,
    CDEG_PER_DEG,
    CHUNK_INDEX_MASK,
    GYRO_COUNTS_PER_DPS,
    SEQ_MODULUS,
    SET_RATE_CHOICES_HZ,
    Reply,
    StreamMode,
    _u8,
)


# --- command payloads and reply payloads ---------------------------------------------------------
def set_rate_payload(rate_hz: int) -> bytes:
    """SET_RATE payload; rate in Hz, one of 50, 100, 125, 200."""
    if rate_hz not in SET_RATE_CHOICES_HZ:
        raise FieldError(f"rate {rate_hz} Hz not one of {SET_RATE_CHOICES_HZ}")
    return bytes((rate_hz,))


def set_mode_payload(mode: StreamMode | int) -> bytes:
    """SET_MODE payload: 1 roll, 2 raw."""
    if mode not in (StreamMode.ROLL, StreamMode.RAW):
        raise FieldError(f"stream mode {mode} is not ROLL (1) or RAW (2)")
    return bytes((int(mode),))


def set_haptic_payload(enabled: bool, threshold_deg: float, debounce_ms: int) -> bytes:
    """SET_HAPTIC payload: threshold in degrees of roll from neutral, debounce in ms."""
    threshold_cdeg = round(threshold_deg * CDEG_PER_DEG)
    if not -32768 <= threshold_cdeg <= 32767 or not 0 <= debounce_ms <= 0xFFFF:
        raise FieldError(f"haptic threshold {threshold_deg} deg or debounce {debounce_ms} ms out of range")
    return struct.pack("<BhH", 1 if enabled else 0, threshold_cdeg, debounce_ms)


def identify_payload(seconds: int) -> bytes:
    """IDENTIFY payload: blink/pulse for `seconds` s (0..255)."""
    return bytes((_u8("identify seconds", seconds),))


def resend_payload(from_seq: int, count: int) -> bytes:
    """RESEND payload: first sequence number (mod 2^32) and number of slots (u16)."""
    if not 0 <= count <= 0xFFFF:
        raise FieldError(f"resend count {count} outside 0..65535")
    return struct.pack("<IH", from_seq % SEQ_MODULUS, count)


def parse_resend_reply(payload: bytes) -> tuple[int, int]:
    """RESEND reply payload -> (first_seq mod 2^32, count actually resent)."""
    if len(payload) != 6:
        raise LengthError(f"RESEND reply payload of {len(payload)} bytes (expected 6)")
    first, count = struct.unpack("<IH", payload)
    return first, count


def parse_tare_reply(payload: bytes) -> float:
    """TARE reply payload -> neutral roll, deg (positive = left side higher)."""
    if len(payload) != 2:
        raise LengthError(f"TARE reply payload of {len(payload)} bytes (expected 2)")
    return struct.unpack("<h", payload)[0] / CDEG_PER_DEG


def parse_haptic_reply(payload: bytes) -> tuple[bool, float, int]:
    """SET_HAPTIC reply payload -> (enabled, threshold deg, debounce ms)."""
    if len(payload) != 5:
        raise LengthError(f"SET_HAPTIC reply payload of {len(payload)} bytes (expected 5)")
    enabled, threshold_cdeg, debounce_ms = struct.unpack("<BhH", payload)
    return bool(enabled), threshold_cdeg / CDEG_PER_DEG, debounce_ms


# --- scaling ------------------------------------------------------------------------------------
def cdeg_to_deg(counts: np.ndarray) -> np.ndarray:
    """Centidegrees (wire) -> degrees, float64."""
    return np.asarray(counts, dtype=np.float64) / CDEG_PER_DEG


def acc_counts_to_g(counts: np.ndarray) -> np.ndarray:
    """Accelerometer counts (1/4096 g, wire) -> g, float64."""
    return np.asarray(counts, dtype=np.float64) / ACC_COUNTS_PER_G


def gyro_counts_to_dps(counts: np.ndarray) -> np.ndarray:
    """Gyroscope counts (1/32 deg/s, wire) -> deg/s, float64."""
    return np.asarray(counts, dtype=np.float64) / GYRO_COUNTS_PER_DPS


# --- chunked replies ----------------------------------------------------------------------------
# The largest reply a device sends is the calibration JSON (under 1 KiB); a hostile or broken
# device must not make the host hold more than MAX_PENDING_REPLIES * MAX_REPLY_BYTES.
MAX_REPLY_BYTES = 16 * 1024
MAX_PENDING_REPLIES = 16


class ReplyAssembler:
    """Joins the chunks of multi-chunk replies (same `cmd` and `token`) in chunk order.

    `feed` returns the complete reply (chunk 0, more False, payloads concatenated) once its last
    chunk arrives, else None. A chunk out of order, or a reply growing past `max_payload_bytes`,
    drops the partial reply and raises `ChunkError`. At most `max_pending` partial replies are
    kept: a new one beyond that drops the oldest (counted in `evicted`), so memory stays bounded
    whatever a device sends.
    """

    def __init__(self, max_payload_bytes: int = MAX_REPLY_BYTES, max_pending: int = MAX_PENDING_REPLIES) -> None:
        self.max_payload_bytes = max_payload_bytes
        self.max_pending = max_pending
        self.evicted = 0
        self._partial: dict[tuple[int, int], tuple[int, list[bytes], int]] = {}

    def feed(self, reply: Reply) -> Reply | None:
        key = (reply.cmd, reply.token)
        n_seen, parts, size = self._partial.pop(key, (0, [], 0))
        if reply.chunk != n_seen & CHUNK_INDEX_MASK:
            raise ChunkError(
                f"reply to cmd {reply.cmd:#x} token {reply.token}: chunk {reply.chunk}, expected {n_seen & CHUNK_INDEX_MASK}"
            )
        parts.append(reply.payload)
        size += len(reply.payload)
        if size > self.max_payload_bytes:
            raise ChunkError(f"reply to cmd {reply.cmd:#x} exceeds {self.max_payload_bytes} bytes")
        if reply.more:
            while len(self._partial) >= self.max_pending:
                del self._partial[next(iter(self._partial))]
                self.evicted += 1
            self._partial[key] = (n_seen + 1, parts, size)
            return None
        return Reply(reply.cmd, reply.token, reply.status, 0, False, b"".join(parts))

    def discard(self, cmd: int, token: int) -> None:
        """Forget a partial reply (its request was given up)."""
        self._partial.pop((cmd, token), None)

    def pending(self) -> list[tuple[int, int]]:
        """(cmd, token) of replies with chunks still to come."""
        return list(self._partial)

    def pending_bytes(self) -> int:
        """Payload bytes held in partial replies."""
        return sum(size for _, _, size in self._partial.values())
