"""On-disk layout of a hiplevel recording, version 1 (docs/recording.md is the specification).

    file    = header_line record*
    header  = one UTF-8 JSON object, no newline inside, then b"\\n"
    record  = sync b"\\xa5\\x5a" | kind u8 | channel u8 | length u16 | host_time_s f64 | payload | crc32 u32

Little-endian. `crc32` (zlib) covers kind..payload. Kinds: 1 RX (bytes received on `channel`), 2 TX
(bytes sent, channel 3), 3 EVENT (UTF-8 JSON object, channel 0).
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from hiplevel.errors import RecordingError

FORMAT_NAME: Final[str] = "hiplevel-recording"
FORMAT_VERSION: Final[int] = 1
FILE_SUFFIX: Final[str] = ".hlrec"
MAX_HEADER_BYTES: Final[int] = 1 << 20
RECORD_SYNC: Final[bytes] = b"\xa5\x5a"
RECORD_HEAD = struct.Struct("<2sBBHd")  # sync, kind, channel, length, host_time_s
RECORD_CRC = struct.Struct("<I")
RECORD_OVERHEAD_BYTES: Final[int] = RECORD_HEAD.size + RECORD_CRC.size
MAX_PAYLOAD_BYTES: Final[int] = 0xFFFF


class RecordKind(IntEnum):
    RX = 1  # bytes as received, host receive time
    TX = 2  # bytes the host sent (commands), host send time
    EVENT = 3  # JSON event (metadata, exercise labels, set boundaries, link state)


@dataclass(frozen=True, slots=True)
class Record:
    """One record: what, on which channel, when (host monotonic s), and the exact bytes."""

    kind: RecordKind
    channel: int
    host_time_s: float
    data: bytes

    def event(self) -> dict[str, Any]:
        """The JSON object of an EVENT record."""
        return json.loads(self.data.decode("utf-8"))


def encode_record(kind: int, channel: int, host_time_s: float, data: bytes) -> bytes:
    """Bytes of one record."""
    if len(data) > MAX_PAYLOAD_BYTES:
        raise RecordingError(f"record payload of {len(data)} bytes exceeds {MAX_PAYLOAD_BYTES}")
    head = RECORD_HEAD.pack(RECORD_SYNC, kind, channel, len(data), host_time_s)
    crc = zlib.crc32(data, zlib.crc32(head[2:]))
    return head + data + RECORD_CRC.pack(crc)


def decode_record_at(buf: bytes | memoryview, pos: int) -> tuple[Record, int] | str:
    """The record starting at `pos` and the offset after it, or the reason it is not valid there."""
    end_head = pos + RECORD_HEAD.size
    if end_head > len(buf):
        return "incomplete record header"
    sync, kind, channel, length, host_time_s = RECORD_HEAD.unpack_from(buf, pos)
    if sync != RECORD_SYNC:
        return "bad record sync bytes"
    end = end_head + length + RECORD_CRC.size
    if end > len(buf):
        return "incomplete record"
    data = bytes(buf[end_head : end_head + length])
    (crc,) = RECORD_CRC.unpack_from(buf, end_head + length)
    if zlib.crc32(data, zlib.crc32(buf[pos + 2 : end_head])) != crc:
        return "record CRC mismatch"
    if kind not in RecordKind._value2member_map_:
        return f"unknown record kind {kind}"
    return Record(RecordKind(kind), channel, host_time_s, data), end


def encode_header(header: dict[str, Any]) -> bytes:
    """The header line of a recording (`format` and `version` are set here)."""
    full = {"format": FORMAT_NAME, "version": FORMAT_VERSION, **header}
    full["format"], full["version"] = FORMAT_NAME, FORMAT_VERSION
    line = json.dumps(full, separators=(", ", ": "), sort_keys=False, allow_nan=False).encode("utf-8")
    if len(line) >= MAX_HEADER_BYTES:
        raise RecordingError(f"recording header of {len(line)} bytes exceeds {MAX_HEADER_BYTES}")
    return line + b"\n"


def decode_header(buf: bytes, name: str = "file") -> tuple[dict[str, Any], int]:
    """(header, offset of the first record); `RecordingError` naming the problem otherwise."""
    newline = buf.find(b"\n", 0, MAX_HEADER_BYTES)
    if not buf.startswith(b"{") or newline < 0:
        raise RecordingError(f"{name} is not a hiplevel recording: no JSON header line")
    try:
        header = json.loads(buf[:newline].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordingError(f"{name} is not a hiplevel recording: header is not JSON ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise RecordingError(f"{name} is not a hiplevel recording: header format is not {FORMAT_NAME!r}")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise RecordingError(f"{name}: recording header has no integer version")
    if version > FORMAT_VERSION:
        raise RecordingError(f"{name}: recording format version {version} is newer than this reader ({FORMAT_VERSION})")
    if version < 1:
        raise RecordingError(f"{name}: recording format version {version} is not valid")
    return header, newline + 1
