"""The detectors over a long set, piece by piece, with the same reps as over the whole set.

A set (or a piece of it between split gaps) up to `ChunkSettings.walking_detect_max_s` long
(`detect_max_s` for the other exercises: a hold must not be cut) is detected in one run, as
before. A longer one is cut into chunks at natural boundaries: the middle of a still run of at
least `CUT_STILL_S` (quiet standing, sitting). No walking bout crosses such a run (its contacts
would be more than `max_step_s` apart), so each bout is seen whole by the chunk that holds its
start; each chunk is detected with `OVERLAP_S` of the set before and after its own samples (the
walking detector looks back up to 30 s for a bout's standing neutral; its filters forget their
start within a few seconds) and keeps the reps that start in its own samples. What the walking
detector judges over the whole set, the agreement of its stance-side cues, is gathered from all
chunks first (`WalkingDetector.prepare`: each chunk's bouts, cues and reps without their sides,
kept for its second run, `finish`, which then needs no motion; `CueCollector` for a detector
without it) and then fixed for every chunk (`FixedCueWeights`). When no such run comes within `FORCE_CUT_S`, the set is cut where it must be and the cut is counted (reps next to
it may differ from the whole-set run).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from hiplevel.analysis.lead_in import kept_windows, lead_in_first
from hiplevel.exercises import DETECTORS, Motion, RepWindow
from hiplevel.exercises.walking_side import StanceSideDecider
from hiplevel.scoring import Rep, Thresholds
from hiplevel.signal.long_trace import LongTrace
from hiplevel.signal.memory import release_free_memory
from hiplevel.signal.orientation import ROW_FIELDS, PelvisTrace, piece_of_rows, trace_piece
from hiplevel.signal.trace_passes import RunTracker

CUT_STILL_S = 3.0  # a cut sits in the middle of a still run at least this long
FORCE_CUT_S = 1200.0  # without one, the piece is cut here anyway (counted)
OVERLAP_S = 35.0  # of the set on either side of a chunk's own samples


@dataclass(frozen=True)
class DetectChunk:
    """Trace samples [start, stop) whose reps this chunk keeps, detected over [lo, hi)."""

    start: int
    stop: int
    lo: int
    hi: int


def plan_detection(lt: LongTrace, a: int, b: int, exercise: str) -> tuple[list[DetectChunk], int]:
    """Detection chunks of trace samples [a, b) (one segment) and the number of forced cuts."""
    rate, cs = lt.rate_hz, lt.chunking
    if b - a <= (cs.walking_detect_max_s if exercise == "walking" else cs.detect_max_s) * rate:
        return [DetectChunk(a, b, a, b)], 0
    chunk, least, force = int(cs.detect_chunk_s * rate), int(CUT_STILL_S * rate), int(FORCE_CUT_S * rate)
    cuts, forced = [a], 0
    while b - cuts[-1] > chunk:
        lo = cuts[-1] + chunk // 2
        best = None
        for hi in (cuts[-1] + chunk, cuts[-1] + force):
            best = _longest_still(lt, lo, min(hi, b), least)
            if best is not None:
                break
            lo = min(hi, b)
        if best is None:
            best, forced = min(cuts[-1] + chunk, b - 1), forced + 1
        cuts.append(best)
    cuts.append(b)
    ov = int(OVERLAP_S * rate)
    return [DetectChunk(x, y, max(a, x - ov), min(b, y + ov)) for x, y in zip(cuts[:-1], cuts[1:])], forced


def _longest_still(lt: LongTrace, lo: int, hi: int, least: int) -> int | None:
    """The middle of the longest still run of at least `least` samples whose middle lies in
    [lo, hi), or None."""
    tracker, best = RunTracker(), None
    x0 = max(lo - 4 * least, 0)
    runs = tracker.feed(lt.still(x0, hi + 4 * least), x0) + tracker.end(hi + 4 * least)
    for ra, rb in runs:
        mid = (ra + rb) // 2
        if rb - ra >= least and lo <= mid < hi and (best is None or rb - ra > best[0]):
            best = (rb - ra, mid)
    return None if best is None else best[1]


class _CuesCollected(Exception):
    """Raised by CueCollector once a detection run has computed its bouts' cues."""


@dataclass(frozen=True)
class CueCollector(StanceSideDecider):
    """A stance-side decider that records each bout's cues (with its first contact) and stops the
    detection run there: the first of the two passes over a chunked walking set."""

    sink: list | None = None

    def cues(self, m, c):
        cue = super().cues(m, c)
        self.sink.append((int(c[0]), cue))
        return cue

    def cue_weights(self, cues):
        raise _CuesCollected


@dataclass(frozen=True)
class FixedCueWeights(StanceSideDecider):
    """A stance-side decider whose cue scales and weights were found over the whole set."""

    scale: tuple = ()
    weight: tuple = ()

    def cue_weights(self, cues):
        return dict(self.scale), dict(self.weight)


def _decider_fields(side: StanceSideDecider) -> dict:
    return {f.name: getattr(side, f.name) for f in fields(StanceSideDecider)}


def _times_only(lt: LongTrace, c: DetectChunk) -> Motion:
    """A motion of chunk c's sample times alone (its other arrays empty): what `score_windows`
    reads of windows that carry their own drop and no phases."""
    empty = np.zeros(0)
    return Motion(t_s=lt.times(c.lo, c.hi), rate_hz=lt.rate_hz, roll_deg=empty, pitch_deg=empty, acc_lin_g=None,
                  gyro_dps=None, still=np.zeros(0, bool))


class _ChunkPieces:
    """`trace_piece` of the detection chunks, the rows a chunk shares with the one before it (its
    first 2 x OVERLAP_S) taken from that chunk's piece when it came just before: every row of a
    piece depends on its own sample alone (`orientation.ROW_FIELDS`), so the joined rows are the
    chunk's own piece, and 15 % of an hour's walk is not turned, corrected and converted twice."""

    def __init__(self, lt: LongTrace, chunks: list[DetectChunk]) -> None:
        self.lt, self.next_lo = lt, {c.lo: n.lo for c, n in zip(chunks, chunks[1:]) if c.lo < n.lo < c.hi}
        self.kept: tuple[int, int, dict] | None = None  # rows [a, b) of the last piece, from the next chunk's lo

    def __call__(self, c: DetectChunk) -> PelvisTrace:
        kept, self.kept = self.kept, None
        if kept is not None and kept[0] == c.lo and kept[1] >= c.hi:  # all its rows (short chunks, long overlaps)
            pt = piece_of_rows(self.lt, c.lo, c.hi,
                               {f: None if v is None else v[: c.hi - c.lo] for f, v in kept[2].items()})
        elif kept is not None and kept[0] == c.lo and c.hi - kept[1] >= 2:  # (one row would go to BLAS' gemv)
            # The kept rows first, then the new ones written in place by `trace_piece` (no joined copy).
            k, rows = kept[1] - c.lo, {}
            for f, v in kept[2].items():
                if v is not None:
                    rows[f] = np.empty((c.hi - c.lo, *v.shape[1:]), v.dtype)
                    rows[f][:k] = v
            trace_piece(self.lt, kept[1], c.hi, into={f: v[k:] for f, v in rows.items()})
            pt = piece_of_rows(self.lt, c.lo, c.hi, {f: rows.get(f) for f in ROW_FIELDS})
        else:
            pt = trace_piece(self.lt, c.lo, c.hi)
        nxt = self.next_lo.get(c.lo)
        if nxt is not None:
            self.kept = (nxt, c.hi, {f: None if getattr(pt, f) is None else getattr(pt, f)[nxt - c.lo:].copy()
                                     for f in ROW_FIELDS})
        return pt


class ChunkMotions:
    """`offline.motion_of` of the detection chunks (with the set's neutral), the rows a chunk shares
    with the one before it taken from that chunk's motion when it came just before (as
    `_ChunkPieces` its trace rows): the pitch's cosine and sine, the sensor's up-vectors and the
    linear acceleration depend on each sample alone, and an hour's walk would take the sines and
    cosines of its overlaps (15 % of it) twice."""

    def __init__(self, lt: LongTrace, chunks: list[DetectChunk], neutral_deg: float) -> None:
        self.pieces, self.neutral = _ChunkPieces(lt, chunks), neutral_deg
        self.kept: tuple[int, tuple] | None = None  # the next chunk's lo and the rows from there

    def __call__(self, c: DetectChunk) -> Motion:
        from hiplevel.analysis.offline import motion_of

        kept, self.kept = self.kept, None
        m = motion_of(self.pieces(c), 0, c.hi - c.lo, self.neutral,
                      kept[1] if kept is not None and kept[0] == c.lo else None)
        nxt = self.pieces.next_lo.get(c.lo)
        if nxt is not None and m.sensor_up is not None:
            k = nxt - c.lo  # (views: the motion's arrays are let go once the next one is made)
            self.kept = (nxt, tuple(x[k:] for x in (*m.pitch_terms, m.sensor_up, m.acc_lin_g)))
        return m


def detect_span(lt: LongTrace, exercise: str, a: int, b: int, neutral: float, th: Thresholds,
                score, first_index: int = 0, earliest: int | None = None) -> tuple[list[Rep], int]:
    """Scored reps of trace samples [a, b) (one segment), indexed from first_index, and the forced
    cuts; `score` is `offline.score_windows`, `motion` built per chunk by `offline.motion_of`.
    earliest: the first sample before `a` the detector may read (same segment, not another
    set's): a detector with a `lead_in_s` sees up to that much before `a` and only reps
    starting from `a` on are kept (`analysis.lead_in`, the rule the live analyser shares)."""
    det = DETECTORS[exercise]
    chunks, forced = plan_detection(lt, a, b, exercise)
    c = chunks[0]
    chunks[0] = DetectChunk(c.start, c.stop, min(c.lo, lead_in_first(det, lt.rate_hz, a, earliest)), c.hi)

    motion = ChunkMotions(lt, chunks, neutral)
    side = getattr(det, "side", None)
    prepared: list = [None] * len(chunks)  # each chunk's draft, when the detector prepares one
    if len(chunks) > 1 and isinstance(side, StanceSideDecider):
        found: list[tuple[int, dict]] = []
        for i, c in enumerate(chunks):
            sink: list = []
            if hasattr(det, "prepare"):
                # Kept for the second run (a few numbers a step): it needs no motion then.
                draft = prepared[i] = det.prepare(motion(c), keep=(c.start - c.lo, c.stop - c.lo))
                sink = list(zip(draft.firsts, draft.cues))
            else:
                try:
                    replace(det, side=CueCollector(**_decider_fields(side), sink=sink)).detect(motion(c))
                except _CuesCollected:
                    pass
            found += [cue for first, cue in sink if c.start <= first + c.lo < c.stop]
        if found:
            scale, weight = side.cue_weights([cue for cue in found])
            det = replace(det, side=FixedCueWeights(**_decider_fields(side), scale=tuple(scale.items()),
                                                    weight=tuple(weight.items())))
    reps: list[Rep] = []
    for i, c in enumerate(chunks):
        draft, prepared[i] = prepared[i], None  # dropped once used: the reps take its place
        m = motion(c) if draft is None else None
        windows: list[RepWindow] = det.detect(m) if draft is None else det.finish(draft)
        if len(chunks) > 1 or c.lo < c.start:
            windows = kept_windows(windows, c.start - c.lo, c.stop - c.lo)
        if m is None:
            # Windows that carry their drop are scored on their times alone.
            m = motion(c) if any(w.drop_deg is None or w.phases for w in windows) else _times_only(lt, c)
        reps += score(exercise, m, windows, th, first_index + len(reps))
        del m, windows, draft
        release_free_memory()
    return reps, forced
