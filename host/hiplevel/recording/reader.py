"""Reader of recordings (docs/recording.md): tolerant of a torn tail (a crash mid-write) and of damaged
records in the middle (skipped up to the next valid record), both reported, never guessed at."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hiplevel.errors import RecordingError
from hiplevel.link.base import Received
from hiplevel.protocol import Channel
import numpy as np

from hiplevel.recording.format import (MAX_HEADER_BYTES, MAX_PAYLOAD_BYTES, RECORD_HEAD, RECORD_OVERHEAD_BYTES,
                                       RECORD_SYNC, Record, RecordKind, decode_header, decode_record_at)

MAX_RECORD_BYTES = RECORD_OVERHEAD_BYTES + MAX_PAYLOAD_BYTES  # the most bytes one record can take


@dataclass(frozen=True)
class Damage:
    """Bytes that did not form valid records: file offset, length, and why the first one failed;
    after_host_s / before_host_s: host times of the valid records either side (None at the file's
    ends), so what the damage swallowed can be placed in time."""

    offset: int
    length: int
    reason: str
    after_host_s: float | None = None
    before_host_s: float | None = None


MIN_RUN_RECORDS = 8  # fewer records of one size in a row are handed on one by one
MAX_RUN_RECORDS = 4096  # records in one run at most (what is decoded from one is held until it is done)


def run_dtype(length: int) -> np.dtype:
    """One record of `length` payload bytes that carries a DATA packet, as numpy sees it: its host
    time, the packet's header fields (docs/protocol.md), its int16 sample words, the record's CRC."""
    names = ["kind", "channel", "length", "host_time_s", "ver_type", "flags", "count", "rate_hz", "seq", "t_us",
             "samples", "crc"]
    formats = ["u1", "u1", "<u2", "<f8", "u1", "u1", "u1", "u1", "<u4", "<u4", ("<i2", ((length - 12) // 2,)), "<u4"]
    offsets = [2, 3, 4, 6, 14, 15, 16, 17, 18, 22, 26, 14 + length]
    return np.dtype({"names": names, "formats": formats, "offsets": offsets,
                     "itemsize": RECORD_OVERHEAD_BYTES + length})


@dataclass(frozen=True)
class RecordRun:
    """Consecutive valid RX records on the data channel whose payloads (packets) all have `length`
    bytes, as a numpy structured array (`run_dtype`) over a copy of their bytes: what `RecordScan`
    hands on instead of one `Record` each when asked for runs (the same records, in order)."""

    length: int
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def host_time_s(self) -> np.ndarray:
        return self.rows["host_time_s"]

    def packet(self, i: int) -> bytes:
        """The packet bytes of record i."""
        start = 14
        return self.rows[i : i + 1].view(np.uint8)[start : start + self.length].tobytes()

    def records(self) -> Iterator[Record]:
        for i, t in enumerate(self.host_time_s.tolist()):
            yield Record(RecordKind.RX, int(Channel.DATA), t, self.packet(i))


@dataclass
class Recording:
    """A recording read into memory. `metadata` is the header with every `meta` event merged in
    (later values win); `torn_tail` is set when the file ends inside a record (a crash mid-write)."""

    path: Path | None
    header: dict[str, Any]
    records: list[Record]
    damage: list[Damage] = field(default_factory=list)
    torn_tail: Damage | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[float, dict[str, Any]]] = field(default_factory=list)

    @property
    def origin_s(self) -> float:
        """Host monotonic time (s) at which the recording started: t = 0 of decoded series."""
        value = self.header.get("host_monotonic_origin_s")
        if isinstance(value, (int, float)):
            return float(value)
        return self.records[0].host_time_s if self.records else 0.0

    def received(self) -> Iterator[Received]:
        """The RX records as the link delivered them (channel, exact bytes, host time)."""
        for rec in self.records:
            if rec.kind == RecordKind.RX and rec.channel in (Channel.DATA, Channel.REPLY):
                yield Received(Channel(rec.channel), rec.data, rec.host_time_s)

    @property
    def damaged_bytes(self) -> int:
        return sum(d.length for d in self.damage) + (self.torn_tail.length if self.torn_tail else 0)


def parse_recording(buf: bytes, name: str = "recording") -> Recording:
    """Parse the bytes of a recording; `RecordingError` when they are not one at all."""
    header, pos = decode_header(buf, name)
    scan = RecordScan()
    records = list(scan.records(iter((buf[pos:],)), pos))
    return _finish(name, header, records, scan.damage, scan.torn_tail)


class RecordScan:
    """Records from a recording's bytes after the header, given in pieces of any size, with the
    damage found on the way (`damage`, and `torn_tail` when the file ends inside a record): a
    damaged record is skipped up to the next sync bytes that start a valid record. Holds at most
    one record's worth of bytes beyond what it has handed out, so a file of any length can be read
    as it is scanned (`scan_recording`)."""

    def __init__(self) -> None:
        self.damage: list[Damage] = []
        self.torn_tail: Damage | None = None
        self.end_offset = 0

    def records(self, pieces: Iterator[bytes], offset: int, runs: bool = False) -> Iterator[Record | RecordRun]:
        """The valid records in file order; `offset`: file offset of the first piece's first byte.
        runs: consecutive RX records of the data channel with payloads of one length that carry
        DATA packets come as one `RecordRun` (at least `MIN_RUN_RECORDS` of them, checked together:
        sync, kind, channel, length, then each CRC), the others as before."""
        buf, base, eof = b"", offset, False
        view = memoryview(buf)
        last_host: float | None = None
        pieces = iter(pieces)

        def fill(keep: int) -> None:
            """Drop the bytes before index `keep`, append the next piece (or note the end)."""
            nonlocal buf, base, eof, view
            nxt = next(pieces, None)
            eof = nxt is None
            buf, base = buf[keep:] + (nxt or b""), base + keep
            view = memoryview(buf)

        pos = 0
        while True:
            while not eof and len(buf) - pos < MAX_RECORD_BYTES:
                fill(pos)
                pos = 0
            if pos >= len(buf):
                self.end_offset = base + len(buf)
                return
            if runs and (run := self._run_at(buf, view, pos)) is not None:
                if self.damage and self.damage[-1].offset + self.damage[-1].length == base + pos:
                    self.damage[-1] = replace(self.damage[-1], before_host_s=float(run.host_time_s[0]))
                last_host = float(run.host_time_s[-1])
                pos += len(run) * run.rows.dtype.itemsize
                yield run
                continue
            got = decode_record_at(view, pos)
            if not isinstance(got, str):
                rec, end = got
                if self.damage and self.damage[-1].offset + self.damage[-1].length == base + pos:
                    self.damage[-1] = replace(self.damage[-1], before_host_s=rec.host_time_s)  # the first after it
                last_host = rec.host_time_s
                pos = end
                yield rec
                continue
            # Resynchronise on the next sync bytes that start a valid record.
            bad_start, reason = base + pos, got
            probe = pos + 1
            while True:
                probe = buf.find(RECORD_SYNC, probe)
                if probe < 0 and not eof:
                    keep = max(len(buf) - 1, 0)  # sync bytes may straddle two pieces; the rest is damage
                    fill(keep)
                    probe = 0
                    continue
                if probe >= 0 and not eof and len(buf) - probe < MAX_RECORD_BYTES:
                    fill(probe)  # a candidate is judged on its whole record
                    probe = 0
                    continue
                if probe < 0 or not isinstance(decode_record_at(view, probe), str):
                    break
                probe += 1
            if probe < 0:
                self.torn_tail = Damage(bad_start, base + len(buf) - bad_start, reason, last_host)
                self.end_offset = base + len(buf)
                return
            self.damage.append(Damage(bad_start, base + probe - bad_start, reason, last_host))
            pos = probe


    @staticmethod
    def _run_at(buf: bytes, view: memoryview, pos: int) -> RecordRun | None:
        """The run of valid DATA-channel RX records of one payload length from `pos` (complete ones
        in `buf`), None when fewer than `MIN_RUN_RECORDS`: what `decode_record_at` would accept one
        by one, each record's CRC checked as it does."""
        if len(buf) - pos < RECORD_HEAD.size:
            return None
        sync, kind, channel, length, _ = RECORD_HEAD.unpack_from(buf, pos)
        if (sync != RECORD_SYNC or kind != RecordKind.RX or channel != Channel.DATA or length < 12
                or (length - 12) % 2):
            return None
        size = RECORD_OVERHEAD_BYTES + length
        n = min((len(buf) - pos) // size, MAX_RUN_RECORDS)
        if n < MIN_RUN_RECORDS:
            return None
        head = np.frombuffer(buf, dtype=np.uint8, count=n * size, offset=pos).reshape(n, size)[:, :6]
        same = ((head[:, 0] == RECORD_SYNC[0]) & (head[:, 1] == RECORD_SYNC[1]) & (head[:, 2] == kind)
                & (head[:, 3] == channel) & (head[:, 4] == length & 0xFF) & (head[:, 5] == length >> 8))
        n = n if same.all() else int(np.argmin(same))
        if n < MIN_RUN_RECORDS:
            return None
        rows = np.frombuffer(buf, dtype=run_dtype(length), count=n, offset=pos)
        crc32 = zlib.crc32
        crcs = rows["crc"].tolist()
        for i, start in enumerate(range(pos + 2, pos + 2 + n * size, size)):
            if crc32(view[start : start + RECORD_HEAD.size - 2 + length]) != crcs[i]:
                n = i
                break
        if n < MIN_RUN_RECORDS:
            return None
        return RecordRun(length, rows[:n].copy())


def _finish(name: str, header: dict[str, Any], records: list[Record], damage: list[Damage],
            torn: Damage | None) -> Recording:
    metadata = dict(header)
    events: list[tuple[float, dict[str, Any]]] = []
    for rec in records:
        take_event(rec, metadata, events, damage)
    path = Path(name) if name != "recording" else None
    return Recording(path, header, records, damage, torn, metadata, events)


def take_event(rec: Record, metadata: dict[str, Any], events: list[tuple[float, dict[str, Any]]],
               damage: list[Damage]) -> None:
    """An EVENT record into `events` (and a `meta` event's keys into `metadata`); one that is not
    a JSON object is noted as damage (offset -1). Other records: nothing."""
    if rec.kind != RecordKind.EVENT:
        return
    try:
        event = rec.event()
    except (UnicodeDecodeError, ValueError):
        damage.append(Damage(-1, len(rec.data), "event record is not JSON"))
        return
    if not isinstance(event, dict):
        damage.append(Damage(-1, len(rec.data), "event record is not a JSON object"))
        return
    events.append((rec.host_time_s, event))
    if event.get("type") == "meta":
        metadata.update({k: v for k, v in event.items() if k != "type"})


def read_recording(path: str | os.PathLike[str]) -> Recording:
    """Read a recording file; `RecordingError` naming the problem when it is not one."""
    p = Path(path)
    try:
        buf = p.read_bytes()
    except OSError as exc:
        raise RecordingError(f"cannot read recording {p}: {exc.strerror}") from None
    return parse_recording(buf, str(p))


READ_PIECE_BYTES = 4 * 2**20


def scan_recording(path: str | os.PathLike[str], piece: int = READ_PIECE_BYTES, runs: bool = False
                   ) -> tuple[dict[str, Any], RecordScan, Iterator[Record | RecordRun]]:
    """A recording read piece by piece (memory: one piece, whatever the file's length): its header,
    the scan (damage and torn tail known once the records are exhausted) and its records in file
    order (runs: DATA packets in `RecordRun`s, `RecordScan.records`). `RecordingError` when it is
    not a recording. Each call reads the file again."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(MAX_HEADER_BYTES + 1)
    except OSError as exc:
        raise RecordingError(f"cannot read recording {p}: {exc.strerror}") from None
    header, start = decode_header(head, str(p))

    def pieces() -> Iterator[bytes]:
        with p.open("rb") as fh:
            fh.seek(start)
            while chunk := fh.read(piece):
                yield chunk

    scan = RecordScan()
    return header, scan, scan.records(pieces(), start, runs)
