"""A recording analysed as a stream: two passes over the file, never the whole of it in memory.

Pass 1 (`RecordingStream(path)`): the records are read piece by piece (`reader.scan_recording`) and
decoded as `decode_recording` does (assembler, clock fit, damage, events), keeping of the samples
only where they are: runs of consecutive slots (kind, first slot, device time, period, count), one
per stretch without a loss or a restart. That gives the session clock, the `session` (a
`DecodedSession` without series: summary, damage with the times of its gaps, events placed) and
how many samples lie between two times (the sets). Pass 2 (`blocks()`: the analysis' `SampleSource`)
reads and decodes the file again and hands on the samples, converted and on the session clock, with
their times repaired in windows (`signal.window_repair`): what `decode_recording` and `analyze`
would see, in bounded memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hiplevel.link.base import Received
from hiplevel.link.stream import RING_SLOTS, Gap, SampleBlock
from hiplevel.protocol import Channel, PacketType, acc_counts_to_g, cdeg_to_deg, gyro_counts_to_dps
from hiplevel.recording.decode import DecodedSession, StreamDecoder, _Timebase
from hiplevel.recording.format import RecordKind
from hiplevel.recording.reader import Record, RecordRun, scan_recording, take_event
from hiplevel.signal.long_trace import RawBlock
from hiplevel.signal.timeline import PERIOD_PROBE_SAMPLES, TimeFix, nominal_period_s
from hiplevel.signal.window_repair import EMIT_ROWS, WindowRepair, merged_fixes


@dataclass
class _Run:
    """`count` consecutive slots of one kind from `seq`, device times t_us + k * period_us."""

    kind: PacketType
    seq: int
    t_us: int
    period_us: int
    count: int


class RecordingStream:
    """A recording read in two passes (see the module docstring). After construction: `session`,
    `kind` ("imu" for the raw 6-axis stream when the recording has one, else "roll"), `samples`;
    after `blocks()` is exhausted: `time_fixes`."""

    units: dict | None = None

    def __init__(self, path: str | os.PathLike[str], max_hold_slots: int = RING_SLOTS, vectorized: bool = True) -> None:
        self.path, self.max_hold_slots, self.vectorized = Path(path), max_hold_slots, vectorized
        header, scan, records = scan_recording(self.path, runs=vectorized)
        metadata, events, event_damage = dict(header), [], []
        runs: list[_Run] = []
        first_host: list[float] = []
        last: dict[PacketType, _Run] = {}

        def released(item: SampleBlock | Gap) -> None:
            if not isinstance(item, SampleBlock) or not item.count:
                return
            r = last.get(item.kind)
            if (r is not None and r is runs[-1] and item.period_us == r.period_us and item.seq == r.seq + r.count
                    and item.t_us == r.t_us + r.count * r.period_us):
                r.count += item.count
                return
            last[item.kind] = _Run(item.kind, item.seq, item.t_us, item.period_us, item.count)
            runs.append(last[item.kind])

        dec = StreamDecoder(released, max_hold_slots)
        for rec in records:
            if isinstance(rec, RecordRun):  # DATA packets: numpy's, to the bit (`StreamDecoder.feed_run`)
                if not first_host:
                    first_host.append(float(rec.host_time_s[0]))
                dec.feed_run(rec)
                continue
            if not first_host:
                first_host.append(rec.host_time_s)
            take_event(rec, metadata, events, event_damage)
            rx = _received(rec)
            if rx is not None:
                dec.feed(rx)
        d = dec.finish()
        value = header.get("host_monotonic_origin_s")
        origin = float(value) if isinstance(value, (int, float)) else (first_host[0] if first_host else 0.0)
        self.kind = "imu" if any(r.kind == PacketType.DATA_RAW for r in runs) else "roll"
        want = PacketType.DATA_RAW if self.kind == "imu" else PacketType.DATA_ROLL
        self._runs = [r for r in runs if r.kind == want]
        self.samples = sum(r.count for r in self._runs)
        dev0 = min((float(r.t_us) for r in runs), default=None)
        self._timebase = _Timebase.at(dev0, d.clock, origin) if d.clock.ready and dev0 is not None else None
        tb = self._timebase
        placed = [(tb.event_s(t - origin, e) if tb else t - origin, e) for t, e in events]
        gaps = list(d.asm.stats.gaps)
        self.session = DecodedSession(
            None, None, gaps, d.asm.stats, dict(d.errors), d.status, placed, d.clock.report(), d.jitter.report(),
            metadata, tuple(scan.damage) + tuple(event_damage), scan.torn_tail, origin,
            gap_times=tuple(self._gap_span(f, n) for f, n in gaps) if tb and self.samples > 1 else None)
        self.time_fixes: tuple[TimeFix, ...] = ()

    # -- times of the kept samples, without holding them --------------------------------------

    def _t(self, r: _Run, k: int) -> float:
        """Session time of sample k of run r, s (as `decode`'s series has it)."""
        return float(self._timebase.series_s(np.array([r.t_us + k * r.period_us]))[0])

    @property
    def last_s(self) -> float | None:
        """Time of the last sample, s (None without samples)."""
        if not self.samples or self._timebase is None:
            return None
        r = self._runs[-1]
        return self._t(r, r.count - 1)

    def count_between(self, t0: float, t1: float) -> int:
        """Samples with t0 <= t < t1 (`np.searchsorted` on the series' times)."""
        return self._index_at(t1) - self._index_at(t0)

    def _index_at(self, x: float) -> int:
        n = 0
        for r in self._runs:
            if self._t(r, r.count - 1) < x:
                n += r.count
                continue
            tb = self._timebase
            k = int(np.ceil(((x - tb.t0_s) * 1e6 + tb.dev0_us - r.t_us) / r.period_us))  # then exact
            k = min(max(k, 0), r.count)
            while k > 0 and self._t(r, k - 1) >= x:
                k -= 1
            while k < r.count and self._t(r, k) < x:
                k += 1
            return n + k
        return n

    def sample_rate_hz(self) -> float:
        """The median sample rate of the kept samples, Hz, as `ImuSeries.sample_rate_hz` has it on
        the series decoded whole (1 / np.median of the times' differences, to the bit), from the runs:
        each run's times are computed again, one run at a time (exact median of chunks)."""
        from hiplevel.signal.exact_median import median_of_chunks

        def diffs() -> Iterator[np.ndarray]:
            prev = None
            for r in self._runs:
                for k0 in range(0, r.count, EMIT_ROWS):
                    k = np.arange(k0, min(k0 + EMIT_ROWS, r.count), dtype=np.int64)
                    t = self._timebase.series_s(r.t_us + k * r.period_us)
                    if prev is not None:
                        yield t[:1] - prev
                    yield np.diff(t)
                    prev = t[-1:]

        if self.samples < 2 or self._timebase is None:
            return float("nan")
        return float(1.0 / median_of_chunks(diffs))

    def time_of_seq(self, seq: float) -> float:
        """Session time of sample slot `seq` (a lost one interpolated between the kept samples around
        it, the first or last kept sample's time outside them): `np.interp(seq, series seq, t_s)`."""
        return self._time_of_seq(seq)

    def _gap_span(self, first: int, count: int) -> tuple[float, float]:
        """Session times at slots first - 1 and first + count, interpolated on the series' slots
        as `DecodedSession.damage_summary` does on a series in memory."""
        return self._time_of_seq(first - 1), self._time_of_seq(first + count)

    def _time_of_seq(self, seq: int) -> float:
        prev = None
        for r in self._runs:
            if seq < r.seq:
                if prev is None:
                    return self._t(r, 0)
                xp = [float(prev.seq + prev.count - 1), float(r.seq)]
                fp = [self._t(prev, prev.count - 1), self._t(r, 0)]
                return float(np.interp(float(seq), xp, fp))
            if seq < r.seq + r.count:
                return self._t(r, seq - r.seq)
            prev = r
        return self._t(prev, prev.count - 1)

    # -- pass 2 ---------------------------------------------------------------------------------

    def blocks(self) -> Iterator[RawBlock]:
        """The samples on the session clock (g and deg/s, or roll and pitch deg), repaired times."""
        want = PacketType.DATA_RAW if self.kind == "imu" else PacketType.DATA_ROLL
        pending: list[SampleBlock] = []
        size = [0]

        def released(item: SampleBlock | Gap) -> None:
            if isinstance(item, SampleBlock) and item.count and item.kind == want:
                pending.append(item)
                size[0] += item.count

        probe: list[tuple[np.ndarray, np.ndarray]] = []
        repair: WindowRepair | None = None
        rows = 0

        def convert() -> tuple[np.ndarray, np.ndarray]:
            t = self._timebase.series_s(np.concatenate([b.times_us() for b in pending]))
            s = np.concatenate([b.samples for b in pending])
            pending.clear()
            size[0] = 0
            if self.kind == "imu":
                return t, np.column_stack([acc_counts_to_g(s[:, :3]), gyro_counts_to_dps(s[:, 3:])])
            return t, np.column_stack([cdeg_to_deg(s[:, 0]), cdeg_to_deg(s[:, 1])])

        def push(t: np.ndarray, v: np.ndarray) -> Iterator[RawBlock]:
            nonlocal repair, rows, probe
            lines = np.arange(rows, rows + len(t))
            rows += len(t)
            if repair is None:
                probe.append((t, v, lines))
                if sum(len(p[0]) for p in probe) <= PERIOD_PROBE_SAMPLES:
                    return
                repair = WindowRepair(nominal_period_s(np.concatenate([p[0] for p in probe])))
                for p in probe:
                    repair.push(*p)
                probe = []
            else:
                repair.push(t, v, lines)
            while len(repair) >= EMIT_ROWS and (got := repair.take(False)) is not None:
                yield RawBlock(*got)

        _, _, records = scan_recording(self.path, runs=self.vectorized)
        dec = StreamDecoder(released, self.max_hold_slots)
        ready: list[RawBlock] = []

        def after() -> None:  # what the loop below does after each record, for those of a run
            if size[0] >= EMIT_ROWS:
                ready.extend(push(*convert()))

        def room() -> int:
            return EMIT_ROWS - size[0]

        for rec in records:
            if isinstance(rec, RecordRun):
                dec.feed_run(rec, after, room)
                yield from ready
                ready.clear()
                continue
            rx = _received(rec)
            if rx is not None:
                dec.feed(rx)
            if size[0] >= EMIT_ROWS:
                yield from push(*convert())
        dec.finish()
        if pending:
            yield from push(*convert())
        if repair is None:
            if not probe:
                return
            repair = WindowRepair(nominal_period_s(np.concatenate([p[0] for p in probe])))
            for p in probe:
                repair.push(*p)
        while (got := repair.take(True)) is not None:
            yield RawBlock(*got)
        self.time_fixes = tuple(f.fix for f in merged_fixes(repair.fixes, repair.row0))


def _received(rec: Record) -> Received | None:
    """The RX record as the link delivered it (as `Recording.received`), None for the others."""
    if rec.kind == RecordKind.RX and rec.channel in (Channel.DATA, Channel.REPLY):
        return Received(Channel(rec.channel), rec.data, rec.host_time_s)
    return None

