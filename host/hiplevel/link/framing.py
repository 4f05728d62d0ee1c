"""Serial framing of the USB fallback link (docs/protocol.md, "USB serial framing"):

    frame = COBS( channel u8 | packet bytes | crc16 u16 LE ) 0x00

CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, xorout 0) over `channel | packet`.
`FrameDecoder` takes arbitrary byte chunks, resyncs on 0x00 and drops (and counts) every frame that
fails COBS, is shorter than 4 bytes or fails its CRC; it never yields an unchecked packet.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from typing import Final

from hiplevel.errors import FramingError
from hiplevel.protocol import Channel

__all__ = [
    "Channel", "FrameDecoder", "FrameStats", "cobs_decode", "cobs_encode", "crc16_ccitt_false", "decode_frame",
    "encode_frame",
]

DELIMITER: Final[bytes] = b"\x00"
MAX_FRAME_BYTES: Final[int] = 512  # channel + packet + crc, before COBS
MIN_FRAME_BYTES: Final[int] = 4  # channel + at least one packet byte + crc
# Worst-case COBS overhead is one code byte per 254 data bytes plus the leading one.
MAX_ENCODED_FRAME_BYTES: Final[int] = MAX_FRAME_BYTES + MAX_FRAME_BYTES // 254 + 1
CRC_INIT: Final[int] = 0xFFFF


def crc16_ccitt_false(data: bytes, crc: int = CRC_INIT) -> int:
    """CRC-16/CCITT-FALSE of `data` (check value of b"123456789" is 0x29B1)."""
    # binascii.crc_hqx is exactly poly 0x1021, MSB first, no xorout: only the init differs.
    return binascii.crc_hqx(data, crc)


def cobs_encode(data: bytes) -> bytes:
    """COBS-encode `data` (the result holds no 0x00; the delimiter is not appended)."""
    out = bytearray()
    for part in bytes(data).split(b"\x00"):
        # A run of 254 non-zero bytes gets code 0xFF and no implied zero after it.
        while len(part) >= 254:
            out.append(0xFF)
            out += part[:254]
            part = part[254:]
        out.append(len(part) + 1)
        out += part
    return bytes(out)


def cobs_decode(data: bytes) -> bytes:
    """Decode one COBS block (without its delimiter); raise `FramingError` if it is not valid COBS."""
    out = bytearray()
    i, n = 0, len(data)
    if n == 0:
        raise FramingError("empty COBS block")
    while i < n:
        code = data[i]
        if code == 0:
            raise FramingError(f"0x00 inside a COBS block at offset {i}")
        end = i + code
        if end > n:
            raise FramingError(f"COBS code {code} at offset {i} runs past the block end ({n})")
        block = data[i + 1 : end]
        if 0 in block:
            raise FramingError("0x00 inside a COBS block")
        out += block
        i = end
        if code != 0xFF and i < n:
            out.append(0)
    return bytes(out)


def encode_frame(channel: int, packet: bytes) -> bytes:
    """A complete frame for `packet` on `channel`, including the trailing 0x00."""
    body = bytes((channel,)) + bytes(packet)
    if len(body) + 2 > MAX_FRAME_BYTES:
        raise FramingError(f"frame of {len(body) + 2} bytes exceeds {MAX_FRAME_BYTES}")
    crc = crc16_ccitt_false(body)
    return cobs_encode(body + bytes((crc & 0xFF, crc >> 8))) + DELIMITER


def decode_frame(block: bytes) -> tuple[int, bytes]:
    """(channel, packet) of one frame given without its delimiter; raises `FramingError`."""
    body = cobs_decode(block)
    if len(body) < MIN_FRAME_BYTES:
        raise FramingError(f"frame of {len(body)} bytes is shorter than {MIN_FRAME_BYTES}")
    if crc16_ccitt_false(body[:-2]) != body[-2] | (body[-1] << 8):
        raise FramingError("frame CRC mismatch")
    return body[0], body[1:-2]


@dataclass
class FrameStats:
    """Counters of a `FrameDecoder` (frames unless named bytes)."""

    frames_ok: int = 0
    dropped_cobs: int = 0
    dropped_short: int = 0
    dropped_crc: int = 0
    dropped_oversize: int = 0
    dropped_channel: int = 0
    bytes_skipped_sync: int = 0  # bytes discarded before the first delimiter

    @property
    def dropped(self) -> int:
        return self.dropped_cobs + self.dropped_short + self.dropped_crc + self.dropped_oversize + self.dropped_channel


class FrameDecoder:
    """Incremental frame decoder: `feed(chunk)` returns the (channel, packet) pairs completed by it.

    A decoder that joins mid-stream (`synced=False`, the default) discards bytes up to the first
    0x00, as the spec requires. A block growing past the largest legal frame is dropped and the
    decoder resyncs on the next 0x00, so memory stays bounded whatever arrives.
    """

    def __init__(self, synced: bool = False, channels: tuple[int, ...] = tuple(Channel)) -> None:
        self.stats = FrameStats()
        self._synced = synced
        self._channels = frozenset(channels)
        self._buf = bytearray()
        self._overflow = False

    def feed(self, chunk: bytes) -> list[tuple[int, bytes]]:
        out: list[tuple[int, bytes]] = []
        start = 0
        n = len(chunk)
        while start < n:
            stop = chunk.find(0, start)
            if stop < 0:
                self._accumulate(chunk[start:])
                break
            if not self._synced:
                self.stats.bytes_skipped_sync += len(self._buf) + stop - start
                self._buf.clear()
                self._synced = True
            elif self._overflow:
                self._overflow = False
                self._buf.clear()
            else:
                self._buf += chunk[start:stop]
                if len(self._buf) > MAX_ENCODED_FRAME_BYTES:
                    self.stats.dropped_oversize += 1
                elif self._buf:  # back-to-back delimiters are idle fill, not frames
                    self._finish(bytes(self._buf), out)
                self._buf.clear()
            start = stop + 1
        return out

    def _accumulate(self, part: bytes) -> None:
        if self._overflow:
            return
        self._buf += part
        if self._synced and len(self._buf) > MAX_ENCODED_FRAME_BYTES:
            self.stats.dropped_oversize += 1
            self._overflow = True
            self._buf.clear()
        elif not self._synced and len(self._buf) > MAX_ENCODED_FRAME_BYTES:
            # Still hunting for the first delimiter: keep only a count of what was skipped.
            self.stats.bytes_skipped_sync += len(self._buf)
            self._buf.clear()

    def _finish(self, block: bytes, out: list[tuple[int, bytes]]) -> None:
        try:
            body = cobs_decode(block)
        except FramingError:
            self.stats.dropped_cobs += 1
            return
        if len(body) < MIN_FRAME_BYTES:
            self.stats.dropped_short += 1
            return
        if crc16_ccitt_false(body[:-2]) != body[-2] | (body[-1] << 8):
            self.stats.dropped_crc += 1
            return
        if body[0] not in self._channels:
            self.stats.dropped_channel += 1
            return
        self.stats.frames_ok += 1
        out.append((body[0], body[1:-2]))
