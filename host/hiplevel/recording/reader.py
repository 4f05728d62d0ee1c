"""Reader of recordings (docs/recording.md): tolerant of a torn tail (a crash mid-write) and of damaged
records in the middle (skipped up to the next valid record), both reported, never guessed at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hiplevel.errors import RecordingError
from hiplevel.link.base import Received
from hiplevel.protocol import Channel
from hiplevel.recording.format import RECORD_SYNC, Record, RecordKind, decode_header, decode_record_at


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
    records: list[Record] = []
    damage: list[Damage] = []
    view = memoryview(buf)
    n = len(buf)
    while pos < n:
        got = decode_record_at(view, pos)
        if not isinstance(got, str):
            records.append(got[0])
            if damage and damage[-1].offset + damage[-1].length == pos:  # the first record after damage
                damage[-1] = replace(damage[-1], before_host_s=got[0].host_time_s)
            pos = got[1]
            continue
        # Resynchronise on the next sync bytes that start a valid record.
        bad_start, reason = pos, got
        probe = pos + 1
        while True:
            probe = buf.find(RECORD_SYNC, probe)
            if probe < 0 or not isinstance(decode_record_at(view, probe), str):
                break
            probe += 1
        after = records[-1].host_time_s if records else None
        if probe < 0:
            tail = Damage(bad_start, n - bad_start, reason, after)
            return _finish(name, header, records, damage, tail)
        damage.append(Damage(bad_start, probe - bad_start, reason, after))
        pos = probe
    return _finish(name, header, records, damage, None)


def _finish(name: str, header: dict[str, Any], records: list[Record], damage: list[Damage],
            torn: Damage | None) -> Recording:
    metadata = dict(header)
    events: list[tuple[float, dict[str, Any]]] = []
    for rec in records:
        if rec.kind != RecordKind.EVENT:
            continue
        try:
            event = rec.event()
        except (UnicodeDecodeError, ValueError):
            damage.append(Damage(-1, len(rec.data), "event record is not JSON"))
            continue
        if not isinstance(event, dict):
            damage.append(Damage(-1, len(rec.data), "event record is not a JSON object"))
            continue
        events.append((rec.host_time_s, event))
        if event.get("type") == "meta":
            metadata.update({k: v for k, v in event.items() if k != "type"})
    path = Path(name) if name != "recording" else None
    return Recording(path, header, records, damage, torn, metadata, events)


def read_recording(path: str | os.PathLike[str]) -> Recording:
    """Read a recording file; `RecordingError` naming the problem when it is not one."""
    p = Path(path)
    try:
        buf = p.read_bytes()
    except OSError as exc:
        raise RecordingError(f"cannot read recording {p}: {exc.strerror}") from None
    return parse_recording(buf, str(p))
