"""The passes of `long_trace.build_long_trace`: grid (+ rest mask and rest runs), fusion chunk by
chunk (+ the turn errors over all chunks), alignment over the whole trace."""

from __future__ import annotations

from itertools import chain

import numpy as np

from hiplevel.signal.alignment import level_rotation, mount_yaw_from_chunks, yaw_rotation
from hiplevel.signal.angle_units import radians
from hiplevel.signal.chunk_plan import Chunk, ChunkSettings, fixed_chunks, plan_chunks
from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.exact_median import median_of_chunks
from hiplevel.signal.filters import run_edges, running_sums, zero_phase_lowpass
from hiplevel.signal.fusion import (FusionSettings, accel_fraction, fuse_passes, roll_pitch_to_up,
                                    sample_rate_hz, up_to_roll_pitch_deg)
from hiplevel.signal.grid import GRID_BLOCK, GridBlock, GridBuilder, GridSegment
from hiplevel.signal.memory import release_free_memory
from hiplevel.signal.rest_masks import rest_and_quiet_masks
from hiplevel.signal.motion_bias import motion_bias_in_pieces, offline_fit
from hiplevel.signal.long_trace import (PROBE_SAMPLES, ROLL_OVERLAP_S, ROLL_SMOOTH_HZ, LongTrace, SampleSource,
                                        TraceSegment, check_probe_units, probe_rate)
from hiplevel.signal.neutral import STANDING_MIN_S, STANDING_SEARCH_S, still_from_angles
from hiplevel.signal.rest_bias import RestRunBias, run_bias_in_pieces, select_bias_runs
from hiplevel.signal.timeline import Segmentation, TimelineSettings
from hiplevel.signal.trace_store import TraceStore
from hiplevel.signal.sensor_correction import fusion_inputs
from hiplevel.signal.turns import NO_ERRORS, TurnErrors, solve_turn_errors, turn_observations

READ_PIECE = 65_536  # rows read at a time when a pass walks through a stored array


class RunTracker:
    """The True runs of a boolean array seen piece by piece: `feed(mask, start)` returns the runs
    (start, stop) that ended, `end(n)` the last one if it was still open."""

    def __init__(self) -> None:
        self.open_start: int | None = None

    def feed(self, mask: np.ndarray, start: int) -> list[tuple[int, int]]:
        out = []
        if self.open_start is not None and (not len(mask) or not mask[0]):
            out.append((self.open_start, start))
            self.open_start = None
        edges = run_edges(mask)
        for a, b in zip(edges[::2].tolist(), edges[1::2].tolist()):
            a, b = a + start, b + start
            if a == start and self.open_start is not None:
                a, self.open_start = self.open_start, None
            if b == start + len(mask):
                self.open_start = a
            else:
                out.append((a, b))
        return out

    def end(self, n: int) -> list[tuple[int, int]]:
        a, self.open_start = self.open_start, None
        return [] if a is None else [(a, n)]


class _ImuGrid:
    """Pass 1 for raw IMU samples: store the grid, its rest mask ("still"), the running sum of the
    accelerometer fractions ("ksum", for the overlap bound) and find the rest runs and the quiet
    runs (`rest_masks.quiet_mask`, for the gyro bias when no rest run qualifies)."""

    def __init__(self, store: TraceStore, settings: FusionSettings, rate_hz: float) -> None:
        self.store, self.settings, self.rate = store, settings, rate_hz
        self.win = max(3, int(round(settings.rest_window_s * rate_hz)))
        self.pending: GridBlock | None = None
        self.pending_cols: tuple[np.ndarray, np.ndarray] | None = None  # its (acc, gyro), each C-contiguous
        self.pending_bufs: tuple[np.ndarray, np.ndarray] = ()  # the buffers they lie in (`_with_margins`)
        self.tail: tuple[np.ndarray, np.ndarray] | None = None  # the samples (acc, gyro) before it
        self.tracker, self.quiet_tracker = RunTracker(), RunTracker()
        self.spans: dict[int, list[tuple[int, int]]] = {}
        self.quiet_spans: dict[int, list[tuple[int, int]]] = {}
        self.ksum = 0.0

    def take(self, ev: GridBlock | GridSegment) -> None:
        if isinstance(ev, GridBlock):
            # acc and gyro apart, each C-contiguous, once: the store's blocks and the rest pass read
            # them so (on column slices of the (N,6) grid numpy's arithmetic runs a three-value inner
            # loop per row, and accel_fraction and the spreads copied them again).
            # Each copied into the middle of a buffer with room for the rest pass' moving window on
            # either side (`_rest` fills it in: no concatenation of the block with its neighbours).
            m = self.win + 1
            bufs = _with_margins(ev.values[:, :3], m), _with_margins(ev.values[:, 3:6], m)
            cols = tuple(b[m: m + len(ev.values)] for b in bufs)
            self.store.append((ev.segment, "acc"), cols[0])
            self.store.append((ev.segment, "gyro"), cols[1])
            if self.pending_cols is not None:
                self._rest(tuple(c[:m] for c in cols))
                self.tail = tuple(c[-m:] for c in self.pending_cols)
            else:
                self.store.append((ev.segment, "ksum"), np.zeros(1))
                self.ksum, self.tail = 0.0, None
            self.pending, self.pending_cols, self.pending_bufs = ev, cols, bufs
            return
        if self.pending is not None:
            self._rest(None)
        self.pending = self.pending_cols = self.tail = None
        self.spans.setdefault(ev.index, []).extend(self.tracker.end(ev.n))
        self.quiet_spans.setdefault(ev.index, []).extend(self.quiet_tracker.end(ev.n))
        for f in ("acc", "gyro", "still", "ksum"):
            self.store.flush((ev.index, f))

    def _rest(self, head: tuple[np.ndarray, np.ndarray] | None) -> None:
        """Rest mask and accelerometer fractions of the pending block, with the samples (acc, gyro)
        around it for the moving window (at a segment's edges the window stays inside, as on the
        whole segment)."""
        blk, (acc, gyro) = self.pending, self.pending_cols
        assert blk is not None
        # The block with the samples before (tail) and after it (head) end to end, in its buffer.
        m, n = self.win + 1, len(acc)
        lo, hi = (0 if x is None else len(x[0]) for x in (self.tail, head))
        ext = []
        for c, buf in enumerate(self.pending_bufs):
            if lo:
                buf[m - lo: m] = self.tail[c]
            if hi:
                buf[m + n: m + n + hi] = head[c]
            ext.append(buf[m - lo: m + n + hi])
        rest, quiet = rest_and_quiet_masks(ext[0], ext[1], self.rate, self.settings)
        rest, quiet = rest[lo: lo + len(acc)], quiet[lo: lo + len(acc)]
        self.store.append((blk.segment, "still"), rest)
        k, _, _ = accel_fraction(acc, radians(gyro), np.full(len(rest), 1.0 / self.rate), rest, self.settings)
        ks = running_sums(k, start=self.ksum)
        self.ksum = float(ks[-1])
        self.store.append((blk.segment, "ksum"), ks)
        self.spans.setdefault(blk.segment, []).extend(self.tracker.feed(rest, blk.start))
        self.quiet_spans.setdefault(blk.segment, []).extend(self.quiet_tracker.feed(quiet, blk.start))


def _with_margins(x: np.ndarray, m: int) -> np.ndarray:
    """x (n, 3) copied, column by column (`contiguous.contiguous`), into rows [m, m + n) of a new
    (n + 2m, 3) array; the rows around them are left for the caller."""
    out = np.empty((len(x) + 2 * m, x.shape[1]))
    for k in range(x.shape[1]):
        out[m: m + len(x), k] = x[:, k]
    return out


class _RollGrid:
    """Pass 1 for the device roll stream: store the grid."""

    def __init__(self, store: TraceStore) -> None:
        self.store = store

    def take(self, ev: GridBlock | GridSegment) -> None:
        if isinstance(ev, GridBlock):
            self.store.append((ev.segment, "rp"), ev.values)
        else:
            self.store.flush((ev.index, "rp"))


def grid_pass(source: SampleSource, settings: FusionSettings, timeline: TimelineSettings, store: TraceStore,
              block: int = GRID_BLOCK) -> tuple[float, list[TraceSegment], Segmentation]:
    """Pass 1: read the source once (period, rate and units from its first samples); returns the
    rate, the kept segments (with the rest runs of their gyro bias) and the segmentation."""
    blocks = iter(source.blocks())
    probe, n = [], 0
    for blk in blocks:
        probe.append(blk)
        n += len(blk.t_s)
        if n > PROBE_SAMPLES:
            break
    if n < 10:
        raise AnalysisError(f"too few samples to analyse ({n})")
    rate = probe_rate(np.concatenate([b.t_s for b in probe]))
    if source.kind == "imu":
        check_probe_units(np.concatenate([b.values for b in probe])[:PROBE_SAMPLES], rate, source.units)
    gb = GridBuilder(1.0 / rate, timeline, block)
    sink = _ImuGrid(store, settings, rate) if source.kind == "imu" else _RollGrid(store)
    for blk in chain(probe, blocks):
        for ev in gb.feed(blk.t_s, blk.values, blk.breaks):
            sink.take(ev)
    for ev in gb.finish():
        sink.take(ev)
    seg = gb.segmentation()
    if not seg.segments:
        longest = max((s.duration_s for s in seg.skipped), default=0.0)
        raise AnalysisError(f"no stretch of samples without a gap is long enough to analyse (longest {longest:.2f} s; "
                            f"gaps over {seg.settings.max_interpolated_gap_s:g} s split the series)")
    segments, offset = [], 0
    for g in gb.segments:
        s = TraceSegment(g, offset)
        if isinstance(sink, _ImuGrid):
            s.runs = _bias_runs(store, g, sink.spans.get(g.index, []), sink.quiet_spans.get(g.index, []), settings)
        segments.append(s)
        offset += g.n
    return rate, segments, seg


def _bias_runs(store: TraceStore, g: GridSegment, spans: list[tuple[int, int]], quiet_spans: list[tuple[int, int]],
               settings: FusionSettings) -> list[RestRunBias]:
    """The runs the segment's gyro bias is interpolated between (`select_bias_runs`: the rest
    runs, else the quiet runs, else the movement, as `fusion.fuse_tilt` on the whole segment)."""
    rate = sample_rate_hz(g.times(0, min(g.n, READ_PIECE)))

    def fit(a: int, b: int) -> RestRunBias:
        def read(x: int, y: int):
            return g.times(a + x, a + y), store.read((g.index, "acc"), a + x, a + y), store.read((g.index, "gyro"), a + x, a + y)

        r = run_bias_in_pieces(read, b - a, READ_PIECE)
        return RestRunBias(a, b, r.bias_dps, r.residual_deg, r.up)

    def motion(still_dps: np.ndarray) -> np.ndarray | None:
        def steps():
            for x in range(0, g.n, READ_PIECE):
                yield np.diff(g.times(max(0, x - 1), min(g.n, x + READ_PIECE)))

        def read(a: int, b: int):
            return store.read((g.index, "acc"), a, b), store.read((g.index, "gyro"), a, b)

        # The whole segment's median step (exact, as `fuse_tilt` takes it), not the first piece's.
        rate = 1.0 / median_of_chunks(steps)
        return offline_fit(lambda window_s: motion_bias_in_pieces(read, g.n, rate, still_dps, window_s))

    return select_bias_runs(spans, fit, settings.rest_bias_max_residual_deg,
                            max(1, int(round(settings.rest_bias_min_s * rate))),
                            quiet_spans if g.n >= 2 else None, motion, quiet_yields=True)


def fuse_segments(trace: LongTrace, settings: FusionSettings) -> None:
    """Pass 3: fuse each segment chunk by chunk into the store's "up" (and "still" for a roll
    stream)."""
    for s in trace.segments:
        if trace.source == "imu":
            _fuse_imu(trace.store, s, settings, trace.chunking)
        else:
            _fuse_roll(trace.store, s, trace.chunking)
        release_free_memory()


def _fuse_imu(store: TraceStore, s: TraceSegment, settings: FusionSettings, chunking: ChunkSettings) -> None:
    seg, g = s.grid.index, s.grid
    s.plan = plan_chunks(g.n, g.rate_hz, lambda a, b: store.read((seg, "ksum"), a, b), chunking)

    def inputs(c: Chunk, errors: TurnErrors | None = None):
        acc, gyro_bf = fusion_inputs(store.read((seg, "acc"), c.lo, c.hi), store.read((seg, "gyro"), c.lo, c.hi), c.lo,
                                     s.runs, errors)
        return g.times(c.lo, c.hi), acc, gyro_bf, store.read((seg, "still"), c.lo, c.hi)

    obs = []
    rates = []  # each chunk's `sample_rate_hz`, for both fusions and the turn fit
    stored = 0  # chunks whose up-vectors are in the store
    for c in s.plan.chunks:
        t, acc, gyro_bf, rest = inputs(c)
        rates.append(sample_rate_hz(t))
        up = fuse_passes(t, acc, gyro_bf, rest, settings, rates[-1])
        if settings.turn_errors:
            obs.append(turn_observations(acc, gyro_bf, up, rates[-1], c.start - c.lo, c.stop - c.lo))
        # From a chunk with a turn on, the turn fit fuses the segment again: its first up-vectors are
        # not stored (a quarter of the store's writes for an hour's walk).
        if stored == len(rates) - 1 and not (obs and obs[-1].n_turns):
            store.append((seg, "up"), up[c.start - c.lo: c.stop - c.lo])
            stored += 1
    s.errors = solve_turn_errors(obs) if obs else NO_ERRORS
    if not s.errors.n_turns:
        # No fit (or an implausible one): these are the up-vectors; the chunks from the first turn on
        # fused again as before (the same arithmetic: the same values).
        for c, rate in zip(s.plan.chunks[stored:], rates[stored:]):
            t, acc, gyro_bf, rest = inputs(c)
            store.append((seg, "up"), fuse_passes(t, acc, gyro_bf, rest, settings, rate)[c.start - c.lo: c.stop - c.lo])
        store.flush((seg, "up"))
        return
    store.drop((seg, "up"))
    for c, rate in zip(s.plan.chunks, rates):
        t, acc, gyro_bf, rest = inputs(c, s.errors)
        up = fuse_passes(t, acc, gyro_bf, rest, settings, rate)
        store.append((seg, "up"), up[c.start - c.lo: c.stop - c.lo])
    store.flush((seg, "up"))


def _fuse_roll(store: TraceStore, s: TraceSegment, chunking: ChunkSettings) -> None:
    seg, g = s.grid.index, s.grid
    s.plan = fixed_chunks(g.n, int(round(ROLL_OVERLAP_S * g.rate_hz)), chunking)
    for c in s.plan.chunks:
        rp = zero_phase_lowpass(store.read((seg, "rp"), c.lo, c.hi), ROLL_SMOOTH_HZ, g.rate_hz)
        a, b = c.start - c.lo, c.stop - c.lo
        store.append((seg, "up"), roll_pitch_to_up(rp[a:b, 0], rp[a:b, 1]))
        store.append((seg, "still"), still_from_angles(rp[:, 0], rp[:, 1], g.rate_hz)[a:b])
    store.flush((seg, "up"))
    store.flush((seg, "still"))


def align(trace: LongTrace) -> None:
    """Pass 4: the first quiet standing, the level and the forward axis, over the whole trace."""
    run = standing_run(trace)
    a, b = run if run is not None else first_standing(trace)
    trace.standing, trace.standing_found = (a, b), run is not None
    if b - a <= READ_PIECE:
        up_stand = trace.up(a, b).mean(axis=0)
    else:
        up_stand = sum(trace.up(x, min(b, x + READ_PIECE)).sum(axis=0) for x in range(a, b, READ_PIECE)) / (b - a)
    r_level = level_rotation(up_stand)
    after = b if trace.n - b > 10 else 0

    def levelled():
        for x in range(after, trace.n, READ_PIECE):
            # r_level @ up.T: the same products as up @ r_level.T, in three rows (`orientation.trace_piece`).
            yield (r_level @ trace.up(x, min(trace.n, x + READ_PIECE)).T).T

    psi = mount_yaw_from_chunks(levelled)
    trace.rotation = yaw_rotation(psi) @ r_level
    trace.mount_yaw_deg = psi
    tare_roll, _ = up_to_roll_pitch_deg((yaw_rotation(psi) @ (up_stand / np.linalg.norm(up_stand)))[None, :])
    trace.standing_roll_deg = float(tare_roll[0])


def still_runs(trace: LongTrace, start: int, stop: int):
    """The still runs of trace samples [start, stop) in order, clipped to it (as `neutral.runs`
    of the mask's slice), read piece by piece."""
    for s in trace.segments:
        a, b = max(start, s.offset), min(stop, s.offset + s.n)
        if b <= a:
            continue
        tracker = RunTracker()
        for lo in range(a, b, READ_PIECE):
            hi = min(b, lo + READ_PIECE)
            yield from tracker.feed(trace.still(lo, hi), lo)
        yield from tracker.end(b)


def first_standing(trace: LongTrace, start: int = 0, stop: int | None = None) -> tuple[int, int]:
    """`neutral.find_standing` on the trace: the first still run of at least STANDING_MIN_S in
    [start, stop) that starts within STANDING_SEARCH_S of `start`, else its first second."""
    stop = trace.n if stop is None else stop
    run = standing_run(trace, start, stop)
    return run if run is not None else (start, min(stop, start + max(2, int(trace_rate_hz(trace)))))


def standing_run(trace: LongTrace, start: int = 0, stop: int | None = None) -> tuple[int, int] | None:
    """The still run `first_standing` takes, None when there is none (it falls back)."""
    stop = trace.n if stop is None else stop
    t0 = trace.time_at(start)
    for ra, rb in still_runs(trace, start, stop):
        if trace.time_at(ra) - t0 > STANDING_SEARCH_S:
            break
        if trace.time_at(rb - 1) - trace.time_at(ra) >= STANDING_MIN_S:
            return ra, rb
    return None


def trace_rate_hz(trace: LongTrace) -> float:
    """1 / the median step between consecutive trace times (gaps included), Hz: exactly
    `sample_rate_hz` of all the trace's times."""
    n = trace.n

    def steps():
        for x in range(0, n, READ_PIECE):
            yield np.diff(trace.times(max(0, x - 1), min(n, x + READ_PIECE)))

    return 1.0 / median_of_chunks(steps)
