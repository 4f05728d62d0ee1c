"""The aligned pelvis trace of a recording of any length, built in passes over bounded pieces.

    source = series_source(series)                  # or a file read block by block (imu_csv, ...)
    with build_long_trace(source) as trace:         # a LongTrace: per-sample arrays in a TraceStore
        piece = trace.piece(a, b)                   # samples [a, b) as a PelvisTrace

Passes (docs/analysis.md, "Long recordings"):
1. grid: the repaired samples are split at gaps and resampled block by block (`grid.GridBuilder`);
   the rest and quiet masks, the accelerometer fractions (for the overlap bound) and the rest and
   quiet runs are found on the way; the grid goes to the store. Period, rate and units are
   judged on the first `PROBE_SAMPLES` samples.
2. bias: each rest run is fitted (`rest_bias.run_bias`, in pieces when long) and the runs the
   gyro bias is interpolated between are chosen per segment, as on the whole segment: when no
   still run qualifies, the quiet runs found in pass 1, else the movement's windows
   (`motion_bias.motion_bias_in_pieces`, read back in the batches the whole-array fit uses).
3. fusion: each segment is fused chunk by chunk with the overlap `chunk_plan` derives, and the
   turns of all chunks are fitted together; when they show sensor errors, fused again corrected.
4. alignment: the first quiet standing and the mount's forward axis (`alignment`, exact medians
   in passes) over the whole trace, as before.
A recording whose segments are each at most `ChunkSettings.fusion_max_samples` long is fused
whole: the same arithmetic as analysing it in one piece.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from hiplevel.signal.chunk_plan import ChunkPlan, ChunkSettings
from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.fusion import FusionSettings
from hiplevel.signal.grid import GridSegment
from hiplevel.signal.memory import release_free_memory, reuse_freed_memory
from hiplevel.signal.rest_bias import RestRunBias
from hiplevel.signal.sensor_correction import corrected_sensor
from hiplevel.signal.timeline import PERIOD_PROBE_SAMPLES, Segmentation, TimeFix, TimelineSettings, nominal_period_s
from hiplevel.signal.trace_store import TraceStore
from hiplevel.signal.turns import NO_ERRORS, TurnErrors
from hiplevel.signal.units import check_imu_units

MIN_RATE_HZ, MAX_RATE_HZ = 40.0, 250.0
PROBE_SAMPLES = PERIOD_PROBE_SAMPLES  # the sample period, rate and units are judged on the first samples
ROLL_SMOOTH_HZ = 15.0  # the device roll stream: only its 0.01 deg wire steps are smoothed
ROLL_OVERLAP_S = 2.0  # the 15 Hz low-pass forgets its start within 0.1 s


@dataclass(frozen=True)
class RawBlock:
    """Consecutive samples of a source, times repaired (strictly increasing, also across blocks):
    t_s (n,) s; values (n, 6) acc g + gyro deg/s, or (n, 2) roll + pitch deg; breaks: indices
    into this block that start a new piece (after a clock jump)."""

    t_s: np.ndarray
    values: np.ndarray
    breaks: tuple[int, ...] = ()


class SampleSource(Protocol):
    """Samples read block by block. kind: "imu" (values acc + gyro) or "roll"; units: what the
    source declared ({"acc", "gyro", "columns"}, for the units check's message); time_fixes: the
    repairs of its times, complete once `blocks()` is exhausted."""

    kind: str
    units: dict | None
    time_fixes: tuple[TimeFix, ...]

    def blocks(self) -> Iterator[RawBlock]: ...


@dataclass
class TraceSegment:
    """One segment of a LongTrace: its grid, trace index of its first sample, the rest runs its
    gyro bias comes from, the turn errors found in it and its fusion chunks."""

    grid: GridSegment
    offset: int
    runs: list[RestRunBias] = field(default_factory=list)
    errors: TurnErrors = NO_ERRORS
    plan: ChunkPlan | None = None

    @property
    def n(self) -> int:
        return self.grid.n


class LongTrace:
    """A fused, aligned trace whose per-sample arrays live in a `TraceStore` (see `piece`).

    Trace index i runs over the kept samples of all segments in order. rate_hz; source ("imu" or
    "roll"); standing: [start, end) of the first quiet standing (standing_found: False when there is
    none and it is the first second); standing_roll_deg; mount_yaw_deg;
    rotation (3x3, sensor to pelvis); timeline (`Segmentation`); time_fixes; unconverged: fusion
    overlaps cut at `chunk_plan.OVERLAP_MAX_S` (0 when every chunk converged); chunking: the
    sizes it was built with (the detectors cut long sets with them too)."""

    def __init__(self, store: TraceStore, source: str, rate_hz: float, segments: list[TraceSegment],
                 timeline: Segmentation, time_fixes: tuple[TimeFix, ...], chunking: ChunkSettings | None = None) -> None:
        self.store, self.source, self.rate_hz = store, source, rate_hz
        self.chunking = chunking or ChunkSettings()
        self.segments, self.timeline, self.time_fixes = segments, timeline, time_fixes
        self.n = sum(s.n for s in segments)
        self.standing: tuple[int, int] = (0, 0)
        self.standing_found = False  # a still run gave `standing` (else the first second)
        self.standing_roll_deg = 0.0
        self.mount_yaw_deg = 0.0
        self.rotation = np.eye(3)
        self.unconverged = sum(s.plan.unconverged for s in segments if s.plan is not None)

    def __enter__(self) -> LongTrace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Remove the store's temporary files."""
        self.store.close()

    @property
    def bounds(self) -> tuple[tuple[int, int], ...]:
        """[start, stop) trace indices of each segment."""
        return tuple((s.offset, s.offset + s.n) for s in self.segments)

    def segment_at(self, i: int) -> TraceSegment:
        """The segment holding trace index i."""
        offs = [s.offset for s in self.segments]
        return self.segments[int(np.searchsorted(offs, i, side="right")) - 1]

    def times(self, a: int, b: int) -> np.ndarray:
        """Times of trace samples [a, b) (any segments), s."""
        parts = [s.grid.times(max(a, s.offset) - s.offset, min(b, s.offset + s.n) - s.offset)
                 for s in self.segments if min(b, s.offset + s.n) > max(a, s.offset)]
        return _joined(parts, np.zeros(0))

    def time_at(self, i: int) -> float:
        s = self.segment_at(i)
        return float(s.grid.times(i - s.offset, i - s.offset + 1)[0])

    def index_at(self, t_s: float) -> int:
        """The first trace index whose time is >= t_s (`np.searchsorted` on the trace times)."""
        for s in self.segments:
            k = int(np.ceil((t_s - s.grid.t0_s) * s.grid.rate_hz - 1e-9))
            if k < s.n:
                k = max(k, 0)
                while k > 0 and s.grid.times(k - 1, k)[0] >= t_s:
                    k -= 1
                while k < s.n and s.grid.times(k, k + 1)[0] < t_s:
                    k += 1
                if k < s.n:
                    return s.offset + k
        return self.n

    def still(self, a: int, b: int) -> np.ndarray:
        """The still mask of trace samples [a, b) (never true at the first sample of a segment
        after the first: a still run does not span a gap)."""
        parts = []
        for s in self.segments:
            lo, hi = max(a, s.offset) - s.offset, min(b, s.offset + s.n) - s.offset
            if hi <= lo:
                continue
            m = self.store.read((s.grid.index, "still"), lo, hi).astype(bool)
            if lo == 0 and s.offset > 0:
                m[0] = False
            parts.append(m)
        return _joined(parts, np.zeros(0, bool))

    def up(self, a: int, b: int) -> np.ndarray:
        """Fused up-vectors (sensor frame) of trace samples [a, b)."""
        parts = [self.store.read((s.grid.index, "up"), max(a, s.offset) - s.offset, min(b, s.offset + s.n) - s.offset)
                 for s in self.segments if min(b, s.offset + s.n) > max(a, s.offset)]
        return _joined(parts, np.zeros((0, 3)))

    def sensor(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """(acc g, gyro deg/s) of trace samples [a, b) in one segment, sensor frame, corrected
        as the fusion used them (accelerometer bias, gyro bias and cross-axis leak removed)."""
        s = self.segment_at(a)
        lo, hi = a - s.offset, b - s.offset
        return corrected_sensor(self.store.read((s.grid.index, "acc"), lo, hi),
                                self.store.read((s.grid.index, "gyro"), lo, hi), lo, s.runs, s.errors)


def _joined(parts: list[np.ndarray], empty: np.ndarray) -> np.ndarray:
    """The segments' parts of a trace read as one array: a lone part as it is (each is a new
    array already: a store read or computed times), several concatenated, none `empty`."""
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else empty


def series_source(series, timeline: TimelineSettings | None = None, block: int = 65_536) -> SampleSource:
    """A SampleSource over an ImuSeries or RollSeries in memory: its times repaired at once
    (`repair_times`; a reader usually did already: then nothing changes), lost roll samples (NaN)
    left out."""
    from hiplevel.signal.raw_series import SeriesSource

    return SeriesSource(series, timeline, block)


def build_long_trace(source: SampleSource, settings: FusionSettings | None = None,
                     timeline: TimelineSettings | None = None, chunking: ChunkSettings | None = None) -> LongTrace:
    """Read `source` once and build its LongTrace (see the module docstring; sizes from
    `chunking`). AnalysisError when the samples cannot be analysed (too few, a rate out of range,
    no stretch without a gap, units that do not fit); `units.UnitsError` names the likely unit."""
    from hiplevel.signal.trace_passes import align, fuse_segments, grid_pass

    settings = settings or FusionSettings()
    timeline = timeline or TimelineSettings()
    chunking = chunking or ChunkSettings()
    reuse_freed_memory()  # a pass's large arrays from freed memory, not fresh pages (`signal.memory`)
    store = TraceStore(chunking.ram_budget_bytes, chunking.store_block_samples)
    try:
        rate, segments, segmentation = grid_pass(source, settings, timeline, store, chunking.grid_block_samples)
        release_free_memory()
        trace = LongTrace(store, source.kind, rate, segments, segmentation, tuple(source.time_fixes), chunking)
        fuse_segments(trace, settings)
        trace.unconverged = sum(s.plan.unconverged for s in trace.segments if s.plan is not None)
        align(trace)
        release_free_memory()
    except BaseException:
        store.close()
        raise
    return trace


def probe_rate(t_s: np.ndarray) -> float:
    """The nominal rate from the first samples' times, Hz; AnalysisError outside the range."""
    period = nominal_period_s(np.asarray(t_s[: PROBE_SAMPLES + 1], float))
    rate = 1.0 / period if period > 0 else float("nan")
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise AnalysisError(f"sample rate {rate:.1f} Hz is outside {MIN_RATE_HZ:.0f}-{MAX_RATE_HZ:.0f} Hz")
    return rate


def check_probe_units(values: np.ndarray, rate_hz: float, units: dict | None) -> None:
    """`check_imu_units` on the first PROBE_SAMPLES samples (acc + gyro columns)."""
    v = values[:PROBE_SAMPLES]
    check_imu_units(v[:, :3], v[:, 3:6], rate_hz, units)
