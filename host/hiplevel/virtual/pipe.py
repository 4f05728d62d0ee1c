"""The pipe between the host and the virtual device process ("the air"), docs/virtual-device.md.

Each message is `kind u8 | len u16 (LE) | payload`. Device-to-host kinds have the high bit clear,
host-to-device kinds have it set. Encoder and decoder sit side by side; the advertising-data parser
reads the same AD structures a radio scanner would (Core Spec Supplement, part A).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any, Final

from hiplevel.errors import LinkError

HEADER_BYTES: Final[int] = 3
MAX_PAYLOAD_BYTES: Final[int] = 0xFFFF

# device -> host
SERVICES: Final[int] = 0x01
ADVERTISE: Final[int] = 0x02
NOTIFY: Final[int] = 0x03
READ_RESULT: Final[int] = 0x04
DISCONNECTED: Final[int] = 0x05
TIME: Final[int] = 0x06
END: Final[int] = 0x07
DIAG: Final[int] = 0x08
# host -> device
CONNECT: Final[int] = 0x81
DISCONNECT: Final[int] = 0x82
WRITE: Final[int] = 0x83
READ: Final[int] = 0x84
MTU: Final[int] = 0x85
QUIT: Final[int] = 0x86
PAIR: Final[int] = 0x87
GO: Final[int] = 0x88
FAULT: Final[int] = 0x89
TIME_ACK: Final[int] = 0x8A

KIND_NAMES: Final[dict[int, str]] = {
    SERVICES: "SERVICES", ADVERTISE: "ADVERTISE", NOTIFY: "NOTIFY", READ_RESULT: "READ_RESULT",
    DISCONNECTED: "DISCONNECTED", TIME: "TIME", END: "END", DIAG: "DIAG", CONNECT: "CONNECT",
    DISCONNECT: "DISCONNECT", WRITE: "WRITE", READ: "READ", MTU: "MTU", QUIT: "QUIT", PAIR: "PAIR", GO: "GO",
    FAULT: "FAULT", TIME_ACK: "TIME_ACK",
}


class PipeError(LinkError):
    """A malformed message on the virtual device's pipe (a bug in one of the two ends)."""


def encode(kind: int, payload: bytes = b"") -> bytes:
    """One pipe message: header + payload."""
    if kind not in KIND_NAMES:
        raise PipeError(f"unknown pipe message kind 0x{kind:02x}")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise PipeError(f"pipe payload of {len(payload)} bytes exceeds {MAX_PAYLOAD_BYTES}")
    return struct.pack("<BH", kind, len(payload)) + bytes(payload)


def decode_header(header: bytes) -> tuple[int, int]:
    """(kind, payload length) of a 3-byte header; unknown kinds are a PipeError."""
    if len(header) != HEADER_BYTES:
        raise PipeError(f"pipe header needs {HEADER_BYTES} bytes, got {len(header)}")
    kind, length = struct.unpack("<BH", header)
    if kind not in KIND_NAMES:
        raise PipeError(f"unknown pipe message kind 0x{kind:02x}")
    return kind, length


# --- host -> device payloads -----------------------------------------------------------------------
def address_bytes(address: str) -> bytes:
    """6 address bytes, most significant first, from "AA:BB:CC:DD:EE:FF"."""
    parts = address.split(":")
    if len(parts) != 6:
        raise ValueError(f"not a Bluetooth address: {address!r}")
    return bytes(int(p, 16) for p in parts)


def connect_msg(conn: int, central_address: str) -> bytes:
    return encode(CONNECT, struct.pack("<H", conn) + address_bytes(central_address))


def disconnect_msg(conn: int) -> bytes:
    return encode(DISCONNECT, struct.pack("<H", conn))


def write_msg(conn: int, value_handle: int, data: bytes) -> bytes:
    return encode(WRITE, struct.pack("<HH", conn, value_handle) + bytes(data))


def read_msg(value_handle: int) -> bytes:
    return encode(READ, struct.pack("<H", value_handle))


def mtu_msg(conn: int, mtu: int) -> bytes:
    return encode(MTU, struct.pack("<HH", conn, mtu))


def quit_msg() -> bytes:
    return encode(QUIT)


def pair_msg(conn: int) -> bytes:
    return encode(PAIR, struct.pack("<H", conn))


def go_msg() -> bytes:
    return encode(GO)


def time_ack_msg(virtual_ms: int) -> bytes:
    """The host has handled the device's TIME of `virtual_ms` (the device's lead limit counts from it)."""
    return encode(TIME_ACK, struct.pack("<I", virtual_ms & 0xFFFFFFFF))


def fault_msg(*, i2c_fail_s: float = 0.0, link_loss_s: float = 0.0) -> bytes:
    """A device-side fault starting at the device's current virtual time, lasting virtual s."""
    doc = {k: v for k, v in (("i2c_fail_s", i2c_fail_s), ("link_loss_s", link_loss_s)) if v > 0}
    return encode(FAULT, json.dumps(doc).encode("utf-8"))


# --- device -> host payloads -----------------------------------------------------------------------
def _need(payload: bytes, n: int, kind: int) -> None:
    if len(payload) < n:
        raise PipeError(f"{KIND_NAMES[kind]} payload needs {n} bytes, got {len(payload)}")


def parse_notify(payload: bytes) -> tuple[int, int, bytes]:
    """(conn, value_handle, data) of a NOTIFY payload."""
    _need(payload, 4, NOTIFY)
    conn, handle = struct.unpack_from("<HH", payload)
    return conn, handle, bytes(payload[4:])


def parse_read_result(payload: bytes) -> tuple[int, bytes]:
    """(value_handle, data) of a READ_RESULT payload."""
    _need(payload, 2, READ_RESULT)
    return struct.unpack_from("<H", payload)[0], bytes(payload[2:])


def parse_conn(payload: bytes) -> int:
    """conn of a DISCONNECTED payload."""
    _need(payload, 2, DISCONNECTED)
    return struct.unpack_from("<H", payload)[0]


def parse_time_s(payload: bytes) -> float:
    """Virtual time of a TIME payload, seconds."""
    _need(payload, 4, TIME)
    return struct.unpack_from("<I", payload)[0] / 1000.0


def parse_diag(payload: bytes) -> dict[str, Any]:
    """The JSON document of a DIAG payload (virtual time, the firmware's heap and counters)."""
    try:
        doc = json.loads(payload.decode("utf-8"))
    except ValueError as exc:
        raise PipeError(f"bad DIAG payload: {exc}") from exc
    if not isinstance(doc, dict):
        raise PipeError("DIAG payload is not a JSON object")
    return doc


@dataclass(frozen=True)
class GattChar:
    """One characteristic of the SERVICES message."""

    uuid: str
    handle: int
    props: tuple[str, ...]


@dataclass(frozen=True)
class GattService:
    """One service of the SERVICES message."""

    uuid: str
    chars: tuple[GattChar, ...]


def parse_services(payload: bytes) -> list[GattService]:
    """The device's GATT table from a SERVICES payload (UUIDs normalised to 128-bit lower case)."""
    try:
        doc = json.loads(payload.decode("utf-8"))
        return [
            GattService(
                uuid=normalize_uuid(s["service"]),
                chars=tuple(
                    GattChar(normalize_uuid(c["uuid"]), int(c["handle"]), tuple(c["props"]))
                    for c in s["chars"]
                ),
            )
            for s in doc
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise PipeError(f"bad SERVICES payload: {exc}") from exc


@dataclass(frozen=True)
class Advert:
    """An ADVERTISE message: raw advertising and scan-response data, or `None` when stopped."""

    adv: bytes | None
    resp: bytes | None
    interval_us: int


def parse_advertise(payload: bytes) -> Advert:
    """ADVERTISE payload; `{}` (advertising stopped) gives adv = resp = None."""
    try:
        doc = json.loads(payload.decode("utf-8"))
        if not doc:
            return Advert(None, None, 0)
        return Advert(
            bytes.fromhex(doc.get("adv") or ""),
            bytes.fromhex(doc.get("resp") or ""),
            int(doc.get("interval_us", 0)),
        )
    except (ValueError, AttributeError, TypeError) as exc:
        raise PipeError(f"bad ADVERTISE payload: {exc}") from exc


# --- advertising data (AD structures) --------------------------------------------------------------
_BASE_UUID_SUFFIX: Final[str] = "-0000-1000-8000-00805f9b34fb"
AD_FLAGS: Final[int] = 0x01
AD_UUID16_INCOMPLETE: Final[int] = 0x02
AD_UUID16_COMPLETE: Final[int] = 0x03
AD_UUID128_INCOMPLETE: Final[int] = 0x06
AD_UUID128_COMPLETE: Final[int] = 0x07
AD_NAME_SHORT: Final[int] = 0x08
AD_NAME_COMPLETE: Final[int] = 0x09
AD_TX_POWER: Final[int] = 0x0A
AD_SERVICE_DATA16: Final[int] = 0x16
AD_MANUFACTURER: Final[int] = 0xFF


def normalize_uuid(uuid: str) -> str:
    """128-bit lower-case UUID string from a 16-bit ("180f", "0x180F") or 128-bit one."""
    u = uuid.lower().removeprefix("0x")
    if len(u) == 4:
        return f"0000{u}{_BASE_UUID_SUFFIX}"
    return u


def _uuid128_from_le(raw: bytes) -> str:
    h = raw[::-1].hex()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


@dataclass
class AdFields:
    """Decoded advertising data (only the AD types a scanner reports)."""

    local_name: str | None = None
    service_uuids: list[str] = field(default_factory=list)
    service_data: dict[str, bytes] = field(default_factory=dict)
    manufacturer_data: dict[int, bytes] = field(default_factory=dict)
    tx_power: int | None = None
    flags: int | None = None


def parse_ad(data: bytes, into: AdFields | None = None) -> AdFields:
    """Decode `len | type | value` AD structures; a structure running past the end is ignored,
    as a radio scanner would."""
    out = into if into is not None else AdFields()
    i = 0
    while i < len(data):
        n = data[i]
        if n == 0 or i + 1 + n > len(data):
            break
        kind, value = data[i + 1], bytes(data[i + 2 : i + 1 + n])
        i += 1 + n
        if kind == AD_FLAGS and value:
            out.flags = value[0]
        elif kind in (AD_NAME_COMPLETE, AD_NAME_SHORT):
            out.local_name = value.decode("utf-8", errors="replace")
        elif kind in (AD_UUID16_COMPLETE, AD_UUID16_INCOMPLETE):
            for j in range(0, len(value) - 1, 2):
                out.service_uuids.append(normalize_uuid(f"{value[j + 1]:02x}{value[j]:02x}"))
        elif kind in (AD_UUID128_COMPLETE, AD_UUID128_INCOMPLETE):
            for j in range(0, len(value) - 15, 16):
                out.service_uuids.append(_uuid128_from_le(value[j : j + 16]))
        elif kind == AD_SERVICE_DATA16 and len(value) >= 2:
            out.service_data[normalize_uuid(f"{value[1]:02x}{value[0]:02x}")] = value[2:]
        elif kind == AD_MANUFACTURER and len(value) >= 2:
            out.manufacturer_data[value[0] | value[1] << 8] = value[2:]
        elif kind == AD_TX_POWER and value:
            out.tx_power = struct.unpack("<b", value[:1])[0]
    return out
