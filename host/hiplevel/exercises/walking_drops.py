"""The drop of each walking step and the neutral it is measured from.

A step's drop is the swing side's peak excursion below neutral over the step's roll, signed: when
the side rises further than it drops (a hip hike), the drop is the negative rise
(`signed_drop_deg`). The detector takes every step's roll extremes from one reduction over the
recording (`window_extremes`) and the same value from them (`_signed_drop_of_extremes`). In
daily-life data each bout is measured from the quiet standing before it (`bout_neutral`).
"""

from __future__ import annotations

import numpy as np

from hiplevel.constants import Side
from hiplevel.exercises.base import Motion
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import reduce_windows
from hiplevel.signal.neutral import long_runs_before, neutral_roll, upright_run
from hiplevel.signal.tied_median import median_bounds


def signed_drop_deg(roll_rel_deg: np.ndarray, measure_side: Side) -> float:
    """Peak excursion of `measure_side` below neutral, deg, over a step's roll (+ = left side
    higher, relative to neutral): its largest drop, or, when it rises further than it drops (a
    hip hike: the swing side lifted to clear the foot), minus its largest rise."""
    seg = np.asarray(roll_rel_deg, float)
    if len(seg) == 0:
        return 0.0
    drop = -seg if measure_side == "left" else seg
    down, up = float(np.max(drop)), float(-np.min(drop))
    return down if down >= up else -up


def window_extremes(x: np.ndarray, a: list[int], b: list[int]) -> tuple[list, list]:
    """max(x[a_k:b_k]) and min(x[a_k:b_k]) of many windows (None for an empty one), from one
    reduction over x where the windows lie inside it."""
    n = len(x)
    aa, bb = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    inside = (aa >= 0) & (aa < bb) & (bb <= n)
    if inside.all():  # (the usual case: the lists as they come, no loop a window)
        xf = np.asarray(x, float)
        return reduce_windows(np.maximum, xf, aa, bb).tolist(), reduce_windows(np.minimum, xf, aa, bb).tolist()
    hi: list = [None] * len(aa)
    lo: list = [None] * len(aa)
    if inside.any():
        xf, a_in, b_in = np.asarray(x, float), aa[inside], bb[inside]
        keep = np.flatnonzero(inside).tolist()
        for k, h, m in zip(keep, reduce_windows(np.maximum, xf, a_in, b_in).tolist(),
                           reduce_windows(np.minimum, xf, a_in, b_in).tolist()):
            hi[k], lo[k] = h, m
    for k in np.flatnonzero(~inside).tolist():
        seg = np.asarray(x[a[k]:b[k]], float)
        if len(seg):
            hi[k], lo[k] = float(np.max(seg)), float(np.min(seg))
    return hi, lo


def _signed_drop_of_extremes(hi: float | None, lo: float | None, offset: float, measure_side: Side) -> float:
    """`signed_drop_deg(roll[a:b] - offset, measure_side)` from the window's roll extremes: the
    same value to the bit (subtracting a constant keeps the order of floats, so the extremes of
    the shifted window are the shifted extremes)."""
    if hi is None:
        return 0.0
    hi, lo = hi - offset, lo - offset
    down, up = (-lo, hi) if measure_side == "left" else (hi, -lo)
    return down if down >= up else -up


def bout_neutral(m: Motion, c: np.ndarray) -> dict:
    """The neutral of one bout in daily-life data: the quiet standing nearest before it (upright
    like the walk itself, not seated or lying), as its roll relative to the set's neutral, deg, and its
    time, s. Fallback when there is none within the lookback: the set's neutral (offset 0,
    "bout_neutral_s": None). Reported in each step's metrics; the analysis measures each step's
    drop against it (`analysis.window_drop_deg`)."""
    # `neutral.standing_before` with the walk's posture (its median roll and pitch): taken only when
    # a long enough still run precedes the walk, and then as bounds from counts (`median_bounds`),
    # the medians themselves only when a test differs between the bounds: the same span.
    candidates = long_runs_before(m.still, m.t_s, int(c[0]))
    span = None
    if candidates:
        walk = (m.roll_deg[int(c[0]):int(c[-1]) + 1], m.pitch_deg[int(c[0]):int(c[-1]) + 1])
        span = upright_run(candidates, m.roll_deg, m.pitch_deg, median_bounds(walk[0]), median_bounds(walk[1]),
                           lambda which: float(median(walk[which])))
    if span is None:
        return {"bout_neutral_deg": 0.0, "bout_neutral_s": None}
    return {"bout_neutral_deg": round(neutral_roll(m.roll_deg, span), 2), "bout_neutral_s": round(float(m.t_s[span[0]]), 2)}
