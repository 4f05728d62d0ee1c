"""Sample times as real inputs deliver them: repaired (`repair_times`) and split at gaps (`split_at_gaps`).

Two pure functions over a time array, used for every source (IMU CSV, recordings, library callers)
before resampling and fusion (docs/analysis.md, "Input"):

    fix = repair_times(t_s)                   # file order -> strictly increasing times, and what was done
    seg = split_at_gaps(fix.t_s, breaks=fix.breaks)   # -> Segments to analyse apart, and the gaps between

`split_at_gaps` looks only at consecutive pairs of times (plus explicit breaks), so it gives the same
answer on a chunk of a long series as on the whole, provided each chunk repeats the previous chunk's
last sample (one sample of overlap): the bounded-memory analysis can call it chunk by chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.exact_median import median

# The longest hole between two samples that is bridged by linear interpolation, s. Real losses in
# the development data (Xsens and BLE packets) are up to 0.12 s; a walking step takes 0.5-0.6 s, so
# a bridged hole can neither invent nor hide a whole step. Longer holes split the analysis.
MAX_INTERPOLATED_GAP_S = 0.25
# A sample this far (s) or less behind the newest one is out of order and re-sorted into place;
# a step further back is a clock jump.
OUT_OF_ORDER_MAX_S = 0.5
# Pieces between split gaps shorter than this (s) are too short to fuse or to hold a rep: skipped.
MIN_SEGMENT_S = 1.0
# A step of more than this many periods is a hole (samples missing); jitter stays below it.
GAP_PERIODS = 1.5
# The nominal period is the median step of this many first samples (11 min at 100 Hz).
PERIOD_PROBE_SAMPLES = 65_536
# More clock jumps back than this in one series is not a clock that jumped but times from several
# clocks (or none): refused rather than spliced into a guess.
MAX_CLOCK_JUMPS = 100


class TimelineError(AnalysisError):
    """Sample times that cannot be repaired into one time line."""


@dataclass(frozen=True)
class TimelineSettings:
    """Limits of `repair_times` and `split_at_gaps` (docs/analysis.md, "Input").

    max_interpolated_gap_s: longest time between two consecutive samples bridged by interpolation, s
        (0 splits at every hole).
    out_of_order_max_s: how far back (s) a sample may be and still be re-sorted into place; a step
        further back is a clock jump.
    min_segment_s: pieces between split gaps shorter than this are skipped, s.
    """

    max_interpolated_gap_s: float = MAX_INTERPOLATED_GAP_S
    out_of_order_max_s: float = OUT_OF_ORDER_MAX_S
    min_segment_s: float = MIN_SEGMENT_S


@dataclass(frozen=True)
class TimeFix:
    """One kind of repair applied to sample times.

    kind: "retimed" (a short run of times far off both neighbours, e.g. a flipped bit: set between
        its neighbours), "reordered" (samples moved back into time order), "repeated" (a sample with
        the time of an earlier one: dropped), "clock_back" (the clock jumped back: the samples after
        it were placed one period after the previous ones, and the analysis restarts there).
    count: samples affected. first: input index (file order) of the first one; first_t_s: its time
        as given, s. shift_s: for "clock_back" the shift applied to the later samples, s.
    """

    kind: str
    count: int
    first: int
    first_t_s: float
    shift_s: float = 0.0

    def describe(self, where: str | None = None) -> str:
        """One sentence; `where` names the first place (default: "sample N, t = X s")."""
        at = where or f"sample {self.first + 1}, t = {self.first_t_s:.3f} s"
        s = "" if self.count == 1 else "s"
        if self.kind == "retimed":
            return f"{self.count} sample{s} with a timestamp far off its neighbours re-timed between them (first at {at})"
        if self.kind == "reordered":
            return f"{self.count} sample{s} out of time order put back in order (first at {at})"
        if self.kind == "repeated":
            return f"{self.count} sample{s} repeating an earlier timestamp skipped (first at {at})"
        return (f"clock jumped back {self.shift_s:.3f} s at {at}: the later samples were moved after the earlier "
                "ones and the analysis restarts there")


@dataclass(frozen=True)
class TimeRepair:
    """Result of `repair_times`: `keep` (input indices of the kept samples, in output order), their
    repaired times `t_s` (strictly increasing), `breaks` (output indices that start a new piece
    after a clock jump back) and the `fixes` made (empty when the times were already clean)."""

    keep: np.ndarray
    t_s: np.ndarray
    breaks: tuple[int, ...] = ()
    fixes: tuple[TimeFix, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.fixes)


def nominal_period_s(t_s: np.ndarray) -> float:
    """Median positive step between consecutive times among the first PERIOD_PROBE_SAMPLES, s
    (nan with fewer than 2 distinct times): a long recording is read in pieces, and its period is
    known from its beginning."""
    dt = np.diff(np.asarray(t_s[: PERIOD_PROBE_SAMPLES + 1], float))
    dt = dt[dt > 0]
    return float(median(dt)) if len(dt) else float("nan")


def repair_times(t_s: np.ndarray, settings: TimelineSettings | None = None, period_s: float | None = None) -> TimeRepair:
    """Repair sample times given in recording (file or arrival) order; never drops a sample that
    only needs moving. In order:

    1. a run of times (up to `out_of_order_max_s` long) that leaves the trend and comes back to it
       (a corrupted timestamp) is re-timed evenly between its neighbours;
    2. a step back of more than `out_of_order_max_s` is a clock jump: the samples after it keep
       their spacing and are moved to one period after the previous sample (a break: the analysis
       restarts there, since the true pause is unknown);
    3. samples out of order within `out_of_order_max_s` are stably re-sorted;
    4. a sample whose time equals an earlier sample's is dropped (the first is kept).
    Forward jumps are left alone: they are gaps for `split_at_gaps`. Non-finite times are not
    accepted (the readers reject them). TimelineError when the times jump back more than
    `MAX_CLOCK_JUMPS` times. period_s: the nominal period (default: `nominal_period_s(t_s)`; a
    reader that repairs a long file piece by piece gives the file's)."""
    st = settings or TimelineSettings()
    t = np.array(t_s, dtype=np.float64)
    n = len(t)
    idx = np.arange(n)
    if n < 2 or bool(np.all(np.diff(t) > 0)):
        return TimeRepair(idx, t)
    period = nominal_period_s(t) if period_s is None else float(period_s)
    fixes: list[TimeFix] = []
    given = t.copy()
    _retime_excursions(t, given, period, st, fixes)
    breaks = _splice_clock_jumps(t, given, period, st, fixes)
    order = np.argsort(t, kind="stable")
    moved = order != idx
    if moved.any():
        # A sample counts as reordered when it came after a later one in the input.
        late = idx[t < np.maximum.accumulate(t)]
        first = int(late.min()) if len(late) else int(order[np.argmax(moved)])
        fixes.append(TimeFix("reordered", max(len(late), 1), first, float(given[first])))
        t = t[order]
        rank = np.empty(n, dtype=np.int64)
        rank[order] = idx
        breaks = sorted(int(rank[b]) for b in breaks)
    keep_mask = np.ones(n, dtype=bool)
    keep_mask[1:] = np.diff(t) > 0
    if not keep_mask.all():
        dropped = order[~keep_mask]
        fixes.append(TimeFix("repeated", len(dropped), int(dropped.min()), float(given[dropped.min()])))
        kept_before = np.cumsum(keep_mask) - keep_mask
        breaks = sorted({int(kept_before[b]) for b in breaks})
    fixes.sort(key=lambda f: f.first)
    return TimeRepair(order[keep_mask], t[keep_mask], tuple(b for b in breaks if b > 0), tuple(fixes))


def _retime_excursions(t: np.ndarray, given: np.ndarray, period: float, st: TimelineSettings,
                       fixes: list[TimeFix]) -> None:
    """Step 1 of `repair_times`, in place on `t`. Candidates are the (rare) big steps back; each is
    paired with the jump that opened the run (just before) or closes it (just after); a run at
    either end of the series is re-timed from its one neighbour."""
    if not np.isfinite(period):
        return
    n = len(t)
    max_run = max(1, int(round(st.out_of_order_max_s / period)))

    def fits(a: int, b: int) -> bool:  # do t[a] and t[b] (b > a) lie (b - a) periods apart?
        return abs(t[b] - t[a] - (b - a) * period) <= 0.5 * period + 0.02 * (b - a) * period + 0.02

    count, first = 0, -1
    for k in (np.flatnonzero(np.diff(t) < -st.out_of_order_max_s) + 1).tolist():
        if t[k] >= t[k - 1] - st.out_of_order_max_s:
            continue  # already re-timed as part of an earlier run
        run = None
        # Opened by a jump forward at j: times [j, k) are too late; t[k] continues from t[j - 1].
        for j in range(k - 1, max(1, k - max_run) - 1, -1):
            if fits(j - 1, k):
                run = (j, k)
                break
        if run is None:
            # Opened by this step back: times [k, m) are too early; t[m] continues from t[k - 1].
            for m in range(k + 1, min(n - 1, k + max_run) + 1):
                if fits(k - 1, m):
                    run = (k, m)
                    break
        if run is None and min(k, n - k) <= max_run:
            # No neighbour on one side: the shorter end of the series is the odd one out.
            run = (0, k) if k <= n - k else (k, n)
        if run is None:
            continue
        a, b = run
        if a == 0:
            t[:b] = t[b] - period * np.arange(b, 0, -1)
        elif b == n:
            t[a:] = t[a - 1] + period * np.arange(1, n - a + 1)
        else:
            t[a:b] = t[a - 1] + (t[b] - t[a - 1]) * np.arange(1, b - a + 1) / (b - a + 1)
        first = a if first < 0 else min(first, a)
        count += b - a
    if count:
        fixes.append(TimeFix("retimed", count, first, float(given[first])))


def _splice_clock_jumps(t: np.ndarray, given: np.ndarray, period: float, st: TimelineSettings,
                        fixes: list[TimeFix]) -> list[int]:
    """Step 2 of `repair_times`, in place on `t`; returns the break indices. Each splice shifts
    everything after it, so the steps back are found again after each one (they are rare)."""
    breaks: list[int] = []
    step = period if np.isfinite(period) else 0.0
    n_back = int(np.count_nonzero(np.diff(t) < -st.out_of_order_max_s))
    if n_back > MAX_CLOCK_JUMPS:
        first = int(np.flatnonzero(np.diff(t) < -st.out_of_order_max_s)[0]) + 1
        raise TimelineError(f"the sample times jump back {n_back} times (first at sample {first + 1}, "
                            f"t = {given[first]:g} s): they are not one clock")
    while True:
        back = np.flatnonzero(np.diff(t) < -st.out_of_order_max_s)
        if not len(back):
            return breaks
        k = int(back[0]) + 1
        shift = float(np.max(t[:k])) + step - t[k]
        t[k:] += shift
        breaks.append(k)
        fixes.append(TimeFix("clock_back", len(t) - k, k, float(given[k]), shift_s=shift))


@dataclass(frozen=True)
class Segment:
    """Samples [start, stop) of a series that are analysed together: consecutive steps at most
    `max_interpolated_gap_s` apart. t0_s / t1_s: times of its first and last sample, s."""

    start: int
    stop: int
    t0_s: float
    t1_s: float

    @property
    def duration_s(self) -> float:
        return self.t1_s - self.t0_s

    def __len__(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class TimeGap:
    """A hole in the sample times: between sample `index - 1` (at `start_s`) and `index` (at
    `end_s`), about `missing` samples absent. `interpolated`: bridged (short) or split (long or a
    break after a clock jump, `break_` True: its length is unknown)."""

    index: int
    start_s: float
    end_s: float
    missing: int
    interpolated: bool
    break_: bool = False

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_json(self) -> dict:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "missing_samples": self.missing,
                "interpolated": self.interpolated, "clock_jump": self.break_}


@dataclass(frozen=True)
class Segmentation:
    """Result of `split_at_gaps`.

    period_s: the nominal sample period, s. segments: the pieces to analyse, in time order (pieces
    shorter than `min_segment_s` are left out and listed in `skipped`). gaps: every hole, bridged or
    split, in time order. `samples_skipped`: samples in the skipped pieces."""

    period_s: float
    segments: tuple[Segment, ...]
    gaps: tuple[TimeGap, ...] = ()
    skipped: tuple[Segment, ...] = ()
    settings: TimelineSettings = field(default_factory=TimelineSettings)

    @property
    def split_gaps(self) -> tuple[TimeGap, ...]:
        return tuple(g for g in self.gaps if not g.interpolated)

    @property
    def interpolated_gaps(self) -> tuple[TimeGap, ...]:
        return tuple(g for g in self.gaps if g.interpolated)

    @property
    def samples_skipped(self) -> int:
        return sum(len(s) for s in self.skipped)

    @property
    def missing_samples(self) -> int:
        """Samples absent in holes (bridged and split; unknown for clock-jump breaks: not counted)."""
        return sum(g.missing for g in self.gaps)


def split_at_gaps(t_s: np.ndarray, settings: TimelineSettings | None = None, breaks: tuple[int, ...] = (),
                  period_s: float | None = None) -> Segmentation:
    """Split strictly increasing sample times into the segments the analysis treats as continuous.

    A step of more than `GAP_PERIODS` periods is a hole of round(step / period) - 1 missing samples;
    holes up to `max_interpolated_gap_s` (the step, first to next sample) are bridged, longer ones
    and every index in `breaks` split. Segments shorter than `min_segment_s` are skipped.
    `period_s`: the nominal period (default: the median step). Pure: no resampling here."""
    st = settings or TimelineSettings()
    t = np.asarray(t_s, dtype=np.float64)
    n = len(t)
    if n == 0:
        return Segmentation(float("nan"), (), (), (), st)
    period = float(period_s) if period_s is not None else nominal_period_s(t)
    if not np.isfinite(period):
        period = 0.0
    dt = np.diff(t)
    hole = np.flatnonzero(dt > GAP_PERIODS * period) + 1 if period > 0 else np.empty(0, dtype=np.int64)
    brk = {int(b) for b in breaks if 0 < b < n}
    cuts = sorted(set(int(i) for i in hole[dt[hole - 1] > st.max_interpolated_gap_s]) | brk)
    gaps = []
    for i in sorted(set(int(i) for i in hole) | brk):
        step = float(dt[i - 1])
        missing = 0 if i in brk else max(int(round(step / period)) - 1, 1)
        gaps.append(TimeGap(i, float(t[i - 1]), float(t[i]), missing, i not in cuts, i in brk))
    keep, skipped = [], []
    for a, b in zip([0, *cuts], [*cuts, n]):
        seg = Segment(a, b, float(t[a]), float(t[b - 1]))
        (keep if seg.duration_s + period >= st.min_segment_s else skipped).append(seg)
    return Segmentation(period, tuple(keep), tuple(gaps), tuple(skipped), st)
