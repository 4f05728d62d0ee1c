"""Offline analysis: from a whole series of samples to scored reps, a set summary and JSON.

    res = analyze(series, exercise="walking")            # one set that starts with quiet standing
    results = analyze_sets(series, sets=[("walking", 12.0, 60.0), ("band-walk", 75.0, 110.0)])

Pipeline: signal (fusion, alignment, neutral) -> exercises (one detector per exercise) -> scoring.
The live path is `hiplevel.analysis.streaming.OnlineAnalyzer`, built from the same detectors and scoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from hiplevel._native import round_function
from hiplevel.constants import other_side
from hiplevel.analysis.chunked import detect_span
from hiplevel.analysis.collector import collector_paused
from hiplevel.exercises import DETECTORS, Motion, PhaseWindow, RepWindow, measure_drop
from hiplevel.samples import ImuSeries, RollSeries
from hiplevel.scoring import Phase, Rep, RepScorer, Thresholds, summarize_set
from hiplevel.signal.blas import one_blas_thread
from hiplevel.signal.chunk_plan import ChunkSettings
from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.fusion import FusionSettings, pitch_terms, roll_pitch_to_up, up_to_roll_pitch_deg
from hiplevel.signal.long_trace import LongTrace, SampleSource, build_long_trace, series_source
from hiplevel.signal.memory import release_free_memory, reuse_freed_memory
from hiplevel.signal.neutral import NO_STANDING_LEVEL_S, STANDING_MIN_S, neutral_roll
from hiplevel.signal.orientation import PelvisTrace, trace_piece
from hiplevel.signal.timeline import TimeGap
from hiplevel.signal.trace_passes import first_standing, still_runs
from hiplevel.signal.turns import TurnErrors

_round = round_function()  # round(x, places), compiled when built: the same floats to the bit

SCHEMA = "hiplevel.analysis/1"
# analyze_sets looks this far before a set's start for the quiet standing that gives its neutral.
STANDING_LOOKBACK_S = 10.0
# ... or, with no standing before it, in its first this many seconds (the person stood still after
# the set was started), s.
SET_OPENING_S = 2.0
# A still run before a set whose roll is further than this from the session's standing is no
# standing on both feet: a single-leg hold the set was started in (its weight shift and drop put
# the pelvis 3-10 deg off), where two standings of one session differ by a belt's slip (1-2 deg), deg.
SET_STANDING_AGREE_DEG = 3.0
# ... and then the standing that agrees is looked for this far before the set (a set started in
# the middle of a 20-30 s hold), never before the previous set's end, s.
AGREEING_LOOKBACK_S = 60.0
# A piece of a set between split gaps shorter than this holds no rep the detectors could find, s.
MIN_PIECE_S = 1.0

__all__ = ["SCHEMA", "AnalysisError", "AnalysisResult", "Rep", "analyze", "analyze_sets", "analyze_source", "analyze_span",
           "motion_of", "phase_of", "score_windows", "window_drop_deg"]


@dataclass(frozen=True)
class AnalysisResult:
    """One analysed set.

    reps: scored reps; neutral_roll_deg: the standing roll in the sensor frame (after the forward-
    axis fix), deg; t_s / roll_deg: the neutral-relative roll trace used (+ = left side higher);
    summary: counts, per-side drop statistics, asymmetry and progression advice; gaps: the holes
    in the input inside the set (`TimeGap`: bridged, or split: no rep spans a split gap);
    forced_cuts: places where a long set had to be cut for the detectors without a quiet moment
    (`analysis.chunked`; 0 in any set of minutes). t_s / roll_deg / pitch_deg are empty when the
    analysis was asked not to keep the trace (`keep_trace=False`, the bounded-memory path).
    sensor_errors: the turn fit of the set's segment with the most turns (acc bias g, gyro leak;
    `signal.turns`), None when no turn was fitted; not in the JSON (`streaming.prior` stores it)."""

    exercise: str
    sample_rate_hz: float
    neutral_roll_deg: float
    reps: list[Rep]
    summary: dict
    t_s: np.ndarray
    roll_deg: np.ndarray
    pitch_deg: np.ndarray
    mount_yaw_deg: float = 0.0
    thresholds: Thresholds = field(default_factory=Thresholds)
    gaps: tuple[TimeGap, ...] = ()
    forced_cuts: int = 0
    sensor_errors: TurnErrors | None = None

    def to_json(self, lazy_reps: bool = False) -> dict:
        """The `hiplevel.analysis/1` JSON document (docs/analysis.md). lazy_reps: "reps" builds each
        rep's dict only as `json.dump` writes it (`RepDocs`: a day of walking has 100,000 steps)."""
        return {
            "schema": SCHEMA,
            "exercise": self.exercise,
            "sample_rate_hz": round(self.sample_rate_hz, 3),
            "neutral_roll_deg": round(self.neutral_roll_deg, 2),
            "reps": RepDocs(self.reps) if lazy_reps else [r.to_json() for r in self.reps],
            "summary": self.summary,
            "gaps": [g.to_json() for g in self.gaps if not g.interpolated],
        }


class RepDocs(list):
    """The reps' JSON dicts, each built when iterated: a list to `json.dump`'s encoder (which
    iterates it; its length is the reps'), so a file of any number of reps is written without all
    their dicts in memory at once. For encoding only: it holds no items itself (no indexing)."""

    def __init__(self, reps: Sequence[Rep]) -> None:
        super().__init__()
        self._reps = reps

    def __iter__(self):
        return (r.to_json() for r in self._reps)

    def __len__(self) -> int:
        return len(self._reps)

    def __bool__(self) -> bool:
        return bool(self._reps)


def _check_exercise(exercise: str) -> None:
    if exercise not in DETECTORS:
        raise AnalysisError(f"unknown exercise {exercise!r}; expected one of {', '.join(sorted(DETECTORS))}")


def motion_of(trace: PelvisTrace, a: int, b: int, neutral_deg: float, head: tuple | None = None) -> Motion:
    """Detector input for samples [a, b) of a trace, roll relative to neutral_deg. head: the rows
    (cos p, -sin p, sensor up (N,3), linear acceleration (N,3)) of the first of these samples when
    made already (a detection chunk's overlap with the chunk before: `chunked.ChunkMotions`), taken
    as they are: each row depends on its own sample alone."""
    acc_lin = terms = up = None
    if trace.acc_g is not None:
        n = b - a
        k = 0 if head is None else min(len(head[0]), n)
        terms, up, acc_lin = (np.empty(n), np.empty(n)), np.empty((n, 3)), np.empty((n, 3))
        for into, rows in zip((*terms, up, acc_lin), head or ()):
            into[:k] = rows[:k]
        # The rest written in place (joined copies of whole chunks were most of what the overlaps saved).
        rest = pitch_terms(trace.pitch_deg[a + k : b], out=(terms[0][k:], terms[1][k:]))
        roll_pitch_to_up(trace.roll_deg[a + k : b], trace.pitch_deg[a + k : b], rest, out=up[k:])
        np.subtract(trace.acc_g[a + k : b], up[k:], out=acc_lin[k:])
    fields = dict(t_s=trace.t_s[a:b], rate_hz=trace.rate_hz, roll_deg=trace.roll_deg[a:b] - neutral_deg,
                  pitch_deg=trace.pitch_deg[a:b], acc_lin_g=acc_lin,
                  gyro_dps=None if trace.gyro_dps is None else trace.gyro_dps[a:b], still=trace.still[a:b])
    # The motion's up-vectors are these turned by the neutral (`Motion.up`): no second sine and cosine.
    return Motion(**fields) if up is None else Motion.with_sensor_tilt(up, neutral_deg, terms, **fields)


def window_drop_deg(m: Motion, w: RepWindow) -> float:
    """Drop of one rep window, deg (+ = the measured side below neutral).

    The detector's own measurement wins (another angle, or a roll it re-aligned). Otherwise the
    roll in the window relative to the set's neutral, or, when the detector found a neutral for
    the rep's bout (walking in daily-life data: `bout_neutral_s` not None, `bout_neutral_deg` its
    roll relative to the set's neutral), relative to that: a person's standing level drifts over
    a day (belt shifted, different shoes), and each walk is judged against the standing before it."""
    if w.drop_deg is not None:
        return w.drop_deg
    a, b = w.win
    offset = w.metrics.get("bout_neutral_deg") if w.metrics.get("bout_neutral_s") is not None else None
    if offset is None:
        return measure_drop(m.roll_deg, w.win, w.measure_side, w.robust)
    # Only the window is shifted: a copy of the whole roll per step would make a day O(N * steps).
    seg = m.roll_deg[a : max(b, a + 1)] - float(offset)
    return measure_drop(seg, (0, len(seg)), w.measure_side, w.robust)


def score_windows(exercise: str, m: Motion, windows: Sequence[RepWindow], th: Thresholds,
                  first_index: int = 0) -> list[Rep]:
    """Measure (`window_drop_deg`) and score detected rep windows (times on m.t_s), indexed from
    first_index.

    A window with phases (band walk) has each phase measured and scored on its own; the rep
    carries them and takes the stance, drop and drop flags of its worse phase (the lower score,
    then the larger |drop|), plus the flags of its whole-rep metrics (bobbing, shuffling)."""
    # Each window's fields read from its __dict__ (a `direct_init` record's attribute reads: ~0.4 k instructions each).
    fields = [w.__dict__ for w in windows]
    # The windows' start and end times in two gathers (index arrays by fromiter: a list index finds each item's type).
    ends, n = np.minimum(np.fromiter([f["end"] for f in fields], np.intp, len(fields)), len(m.t_s) - 1), len(fields)
    t0, t1 = m.t_s[np.fromiter([f["start"] for f in fields], np.intp, n)].tolist(), m.t_s[ends].tolist()
    sides, drops, measured, all_phases, reps, scorer = [], [], [], [], [], RepScorer(exercise, th)
    metrics = [f["metrics"] for f in fields]
    if not any(f["phases"] for f in fields):  # (most sets: a comprehension a field, not a loop of appends)
        sides, measured, all_phases = [f["side"] for f in fields], [f["measure_side"] for f in fields], [()] * n
        drops = [f["drop_deg"] if f["drop_deg"] is not None else window_drop_deg(m, w) for w, f in zip(windows, fields)]
    for w, f in zip(windows, fields) if not sides else ():  # (a rep without phases makes no generator)
        phases = tuple(phase_of(exercise, m, w, p, th, scorer) for p in f["phases"]) if f["phases"] else ()
        worst = min(phases, key=lambda p: (p.score, -abs(p.drop_deg))) if phases else None
        sides.append(worst.stance if worst else f["side"])
        measured.append(worst.side_dropped if worst else f["measure_side"])
        drops.append(worst.drop_deg if worst else f["drop_deg"] if f["drop_deg"] is not None else window_drop_deg(m, w))
        all_phases.append(phases)
    for k, ((score, flags, reasons), met, side, drop, side_dropped, phases, start_s, end_s) in enumerate(
            zip(scorer.parts_many(sides, drops, metrics), metrics, sides, drops, measured, all_phases, t0, t1),
            first_index):
        details = met.copy()  # (a copy and two items: no merge into a new dict)
        details["measured_side"], details["reasons"] = side_dropped, [*reasons]
        reps.append(Rep(k, start_s, end_s, side, _round(drop, 3), score, flags, details, phases))
    return reps


def phase_of(exercise: str, m: Motion, w: RepWindow, p: PhaseWindow, th: Thresholds,
             scorer: RepScorer | None = None) -> Phase:
    """One single-support phase of rep window w: the unsupported side's drop in the phase's window
    (against the rep's bout neutral when it has one, as `window_drop_deg`; the detector's own
    measurement `p.drop_deg` wins), scored on the drop alone
    (the rep's other metrics belong to the whole rep). scorer: `RepScorer(exercise, th)` when at hand."""
    offset = w.metrics.get("bout_neutral_deg") if w.metrics.get("bout_neutral_s") is not None else None
    a, b = p.win
    seg = m.roll_deg[a : max(b, a + 1)] - float(offset or 0.0)
    drop = p.drop_deg if p.drop_deg is not None else measure_drop(seg, (0, len(seg)), other_side(p.stance), p.robust)
    score, flags, _ = (scorer or RepScorer(exercise, th)).parts(p.stance, drop, {})
    last = len(m.t_s) - 1
    return Phase(p.stance, float(m.t_s[min(p.start, last)]), float(m.t_s[min(p.end, last)]), _round(drop, 3),
                 score, flags)


def analyze_span(lt: LongTrace, exercise: str, span: tuple[int, int], standing: tuple[int, int], th: Thresholds,
                 keep_trace: bool = True, earliest: int | None = None) -> AnalysisResult:
    """Analyse trace samples span=[a, b) of a LongTrace with the neutral from `standing`. The
    detector runs on each piece of the span between split gaps, so no rep spans a gap; a long
    piece is detected chunk by chunk (`analysis.chunked`). keep_trace: the result carries the
    span's roll and pitch (memory: the span's samples); otherwise its arrays are empty.
    earliest: the first sample before the span its detector may read (`chunked.detect_span`;
    not the previous set's), None: none."""
    _check_exercise(exercise)
    s0, s1 = standing
    neutral = neutral_roll(trace_piece(lt, s0, s1).roll_deg, (0, s1 - s0))
    a, b = span
    pieces = [(max(a, x), min(b, y)) for x, y in lt.bounds if min(b, y) > max(a, x)]
    reps: list[Rep] = []
    forced = 0
    for pa, pb in pieces:
        if len(pieces) > 1 and lt.time_at(pb - 1) - lt.time_at(pa) < MIN_PIECE_S:
            continue
        # The lead-in stays in the span's first segment (no gap crossed).
        first = None if earliest is None or pa != a else max(earliest, *(x for x, y in lt.bounds if x <= a < y))
        got, n_forced = detect_span(lt, exercise, pa, pb, neutral, th, score_windows, len(reps), first)
        reps += got
        forced += n_forced
    release_free_memory()  # the detectors' arrays are gone; the summary of a long set builds its own lists
    # The holes inside the span and at its edges (a set cut short by a gap): after the sample
    # before it, before the sample after it.
    before = lt.time_at(a - 1) if a > 0 else -np.inf
    after = lt.time_at(b) if b < lt.n else np.inf
    gaps = tuple(g for g in lt.timeline.gaps if g.end_s > before and g.start_s < after)
    t = roll = pitch = np.zeros(0)
    if keep_trace:
        t, roll, pitch = _kept_trace(lt, pieces, neutral)
    return AnalysisResult(
        exercise=exercise,
        sample_rate_hz=lt.rate_hz,
        neutral_roll_deg=lt.standing_roll_deg + neutral,
        reps=reps,
        summary=summarize_set(exercise, reps, th),
        t_s=t,
        roll_deg=roll,
        pitch_deg=pitch,
        mount_yaw_deg=lt.mount_yaw_deg,
        thresholds=th,
        gaps=gaps,
        forced_cuts=forced,
        sensor_errors=max((g.errors for g in lt.segments if g.errors.n_turns and g.offset < b and g.offset + g.n > a),
                          key=lambda e: e.n_turns, default=None),
    )


# The kept trace is computed this many samples at a time (its roll and pitch only: not the whole
# `trace_piece`, whose sensor arrays would be about 200 bytes a sample of a set of any length).
KEPT_TRACE_BLOCK = 1 << 16


def _kept_trace(lt: LongTrace, pieces: list[tuple[int, int]], neutral: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t_s, roll_deg - neutral, pitch_deg) of the trace samples of `pieces`, as `trace_piece`
    gives them (the same values, sample by sample), filled block by block into the output."""
    n = sum(pb - pa for pa, pb in pieces)
    t, roll, pitch = np.empty(n), np.empty(n), np.empty(n)
    rot = lt.rotation
    k = 0
    for pa, pb in pieces:
        for a in range(pa, pb, KEPT_TRACE_BLOCK):
            b = min(a + KEPT_TRACE_BLOCK, pb)
            r, p = up_to_roll_pitch_deg((rot @ lt.up(a, b).T).T)  # as `trace_piece` takes them
            t[k:k + b - a] = lt.times(a, b)
            roll[k:k + b - a] = r
            pitch[k:k + b - a] = p
            k += b - a
    roll -= neutral
    return t, roll, pitch


def analyze(
    series: ImuSeries | RollSeries,
    exercise: str,
    thresholds: Thresholds | None = None,
    fusion: FusionSettings | None = None,
    keep_trace: bool = True,
    chunking: ChunkSettings | None = None,
) -> AnalysisResult:
    """Analyse one set. series: raw 6-axis (ImuSeries) or the device's roll stream (RollSeries),
    starting with quiet standing (the neutral). chunking: how a long recording is cut (memory and
    speed only; `analyze_source`)."""
    reuse_freed_memory()  # before the source repairs the times: its whole-series arrays from the heap too
    with collector_paused():
        _check_exercise(exercise)
        return analyze_source(series_source(series), [exercise], thresholds, fusion, keep_trace, chunking)[0]


def analyze_sets(
    series: ImuSeries | RollSeries,
    sets: Sequence[tuple[str, float, float]],
    thresholds: Thresholds | None = None,
    fusion: FusionSettings | None = None,
    keep_trace: bool = True,
    chunking: ChunkSettings | None = None,
) -> list[AnalysisResult]:
    """Analyse a session with several sets: [(exercise, start_s, end_s), ...] on the series clock.

    Fusion and mount alignment run once over the whole session; each set gets its own neutral from
    the quiet standing just before (or at the start of) its window."""
    reuse_freed_memory()  # (as `analyze`)
    with collector_paused():
        return analyze_source(series_source(series), list(sets), thresholds, fusion, keep_trace, chunking)


def analyze_source(
    source: SampleSource,
    sets: Sequence[str | tuple[str, float, float]],
    thresholds: Thresholds | None = None,
    fusion: FusionSettings | None = None,
    keep_trace: bool = False,
    chunking: ChunkSettings | None = None,
) -> list[AnalysisResult]:
    """Analyse samples read block by block (a file: `hiplevel.imu_csv.csv_source`, ...) in bounded
    memory. sets: an exercise name (the whole recording is one set, its neutral from the quiet
    standing at the start) or (exercise, start_s, end_s) windows as `analyze_sets`. Same results
    as `analyze` / `analyze_sets` on the series in memory, whatever `chunking` (the sizes a long
    recording is cut into: memory against speed; docs/analysis.md, "Long recordings")."""
    th = thresholds or Thresholds()
    for item in sets:
        _check_exercise(item if isinstance(item, str) else item[0])
    with collector_paused(), one_blas_thread(), build_long_trace(source, fusion, chunking=chunking) as lt:
        out: list[AnalysisResult] = []
        prev_end = 0
        for item in sets:
            if isinstance(item, str):
                out.append(analyze_span(lt, item, (0, lt.n), _whole_set_standing(lt, item), th, keep_trace))
                continue
            exercise, start_s, end_s = item
            if not end_s > start_s:
                raise AnalysisError(f"set {exercise!r}: end {end_s} s is not after start {start_s} s")
            i0, i1 = lt.index_at(start_s), lt.index_at(end_s)
            if i1 - i0 < 10:
                raise AnalysisError(f"set {exercise!r} {start_s}-{end_s} s has no samples in the recording")
            lo = max(prev_end, lt.index_at(start_s - STANDING_LOOKBACK_S))
            far = max(prev_end, lt.index_at(start_s - AGREEING_LOOKBACK_S))
            out.append(analyze_span(lt, exercise, (i0, i1), _set_standing(lt, i0, i1, lo, far), th, keep_trace, lo))
            prev_end = i1
        return out


def _whole_set_standing(lt: LongTrace, exercise: str) -> tuple[int, int]:
    """The samples a whole recording's set takes its neutral from: the first quiet standing; a walk
    with none, the first NO_STANDING_LEVEL_S (its first strides, the live analyser's level too)."""
    if lt.standing_found or exercise != "walking":
        return lt.standing
    a, b = lt.standing
    return a, max(b, min(lt.n, lt.index_at(lt.time_at(a) + NO_STANDING_LEVEL_S)))


def _set_standing(lt: LongTrace, i0: int, i1: int, lo: int, far: int) -> tuple[int, int]:
    """The quiet standing that opens a set: the last still run of >= 1 s that starts before the
    set, searched from `lo` (the previous set's end or the lookback); else the first that starts
    in its first SET_OPENING_S (a set marked before the person stood still). Not the last run of
    the opening: a set started late (as the person began, a marker late over BLE) has its first
    rep there, and a single-leg hold or a squat's bottom is still too (demo-like stance set
    started 1.3 s late: the neutral was the left hold's roll, 6.5 deg off, and the drop went to
    the wrong leg). A run before the set whose roll is more than SET_STANDING_AGREE_DEG off the
    session's standing is a hold the set was started in: then the last run that agrees, from
    `far` (AGREEING_LOOKBACK_S back), stands for it (a set started 3-8 s into a 10 s left hold
    took the hold's roll, 6.5 deg off, and the level right hold read as a 7.5 deg drop)."""
    t_open = lt.time_at(i0) + SET_OPENING_S
    before = agreeing = opening = None
    before_off = False
    for a, b in still_runs(lt, far, i1):
        if lt.time_at(a) > t_open:
            break
        if lt.time_at(b - 1) - lt.time_at(a) >= STANDING_MIN_S:
            if a < i0:
                off = abs(neutral_roll(trace_piece(lt, a, b).roll_deg, (0, b - a))) > SET_STANDING_AGREE_DEG
                if not off:
                    agreeing = (a, b)
                if b - max(a, lo) > 0 and lt.time_at(b - 1) - lt.time_at(max(a, lo)) >= STANDING_MIN_S:
                    before, before_off = (max(a, lo), b), off
            elif opening is None:
                opening = (a, b)
    if before_off and agreeing is not None:
        return agreeing
    best = before or opening
    return best if best is not None else first_standing(lt, i0, i1)
