"""Neutral: the person's own level, from the quiet standing at the start of a set."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import moving_std, run_edges

# Quiet standing needs at least this long a still stretch (docs promise >= 2 s at the start).
STANDING_MIN_S = 1.0
# Search for it in this much time from the start of the set.
STANDING_SEARCH_S = 20.0
# A walk with no standing (a treadmill, a recording that starts mid-walk) is measured from the level
# of its first this many seconds, s: several strides, whose sway averages out, where the first
# second (`find_standing`'s fallback) is half a stride (stroke-dev: the first second and the live
# analyser's first 5 s put the neutral up to 4 deg apart). Offline (`analysis.offline`) and live
# (`OnlineSettings.neutral_fallback_s`) take the same span.
NO_STANDING_LEVEL_S = 5.0
# Roll/pitch spread (deg, over 0.5 s) below which a device roll stream counts as still.
ROLL_STILL_STD_DEG = 0.4
ROLL_STILL_WINDOW_S = 0.5


@dataclass(frozen=True)
class Standing:
    """A quiet-standing stretch: sample indices [start, end) and its neutral roll, deg."""

    start: int
    end: int
    neutral_roll_deg: float


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of the True runs of a boolean array."""
    edges = run_edges(mask)
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def still_from_angles(roll_deg: np.ndarray, pitch_deg: np.ndarray, rate_hz: float) -> np.ndarray:
    """Still mask (N,) for a device roll/pitch stream (no gyro available)."""
    win = max(3, int(round(ROLL_STILL_WINDOW_S * rate_hz)))
    return (moving_std(roll_deg, win) < ROLL_STILL_STD_DEG) & (moving_std(pitch_deg, win) < ROLL_STILL_STD_DEG)


def find_standing(still: np.ndarray, t_s: np.ndarray, start: int = 0, stop: int | None = None) -> tuple[int, int]:
    """The first still run of at least STANDING_MIN_S within STANDING_SEARCH_S after `start`.

    Falls back to the quietest-looking first second when none qualifies (never raises), so a set that
    starts moving still gets a neutral, just a worse one."""
    stop = len(t_s) if stop is None else stop
    t0 = t_s[start]
    for a, b in runs(still[start:stop]):
        a, b = a + start, b + start
        if t_s[a] - t0 > STANDING_SEARCH_S:
            break
        if t_s[b - 1] - t_s[a] >= STANDING_MIN_S:
            return a, b
    rate = 1.0 / float(median(np.diff(t_s)))
    return start, min(stop, start + max(2, int(rate)))


def neutral_roll(roll_deg: np.ndarray, span: tuple[int, int]) -> float:
    """Neutral roll, deg: median roll over the standing span (robust to a shuffle of the feet)."""
    a, b = span
    # Skip the edges of the still run: they border on movement.
    trim = (b - a) // 10
    return float(median(roll_deg[a + trim : b - trim] if b - a > 10 else roll_deg[a:b]))


# Daily life: the quiet standing that gives a walking bout its neutral is looked for this far back.
BOUT_STANDING_LOOKBACK_S = 30.0
# Standing, not sitting or lying: the still run's pitch and roll must each be within this of the
# walk's own median (sitting tilts the pelvis back by 15-30 deg, lying on a side rolls it by 60-90
# deg; quiet standing and walking differ by a few deg, a slipped belt by 1-2 deg).
UPRIGHT_TOLERANCE_DEG = 10.0


def standing_before(
    still: np.ndarray, t_s: np.ndarray, roll_deg: np.ndarray, pitch_deg: np.ndarray, start: int,
    upright_roll_deg: float, upright_pitch_deg: float, lookback_s: float = BOUT_STANDING_LOOKBACK_S,
) -> tuple[int, int] | None:
    """The quiet standing nearest before sample `start`: the last still run of >= STANDING_MIN_S
    that ends before it, within lookback_s, whose median roll and pitch are each within
    UPRIGHT_TOLERANCE_DEG of upright_roll_deg and upright_pitch_deg (deg, the frame of roll_deg and
    pitch_deg: the walk's own posture). None if none."""
    return upright_run(long_runs_before(still, t_s, start, lookback_s), roll_deg, pitch_deg,
                       (upright_roll_deg, upright_roll_deg), (upright_pitch_deg, upright_pitch_deg))


def long_runs_before(still: np.ndarray, t_s: np.ndarray, start: int,
                     lookback_s: float = BOUT_STANDING_LOOKBACK_S) -> list[tuple[int, int]]:
    """The still runs [a, b) of >= STANDING_MIN_S that end before sample `start`, within lookback_s
    (`standing_before`'s candidates, in time order)."""
    lo = int(np.searchsorted(t_s, t_s[start] - lookback_s))
    return [(a + lo, b + lo) for a, b in runs(still[lo:start]) if t_s[b + lo - 1] - t_s[a + lo] >= STANDING_MIN_S]


def upright_run(candidates: list[tuple[int, int]], roll_deg: np.ndarray, pitch_deg: np.ndarray,
                upright_roll: tuple[float, float], upright_pitch: tuple[float, float],
                exact: Callable[[int], float] | None = None) -> tuple[int, int] | None:
    """The last of the runs `candidates` whose median pitch and roll are each within
    UPRIGHT_TOLERANCE_DEG of the upright pitch and roll, deg, or None: looked for from the last run
    back (the earlier runs' medians are not needed once one passes). upright_roll, upright_pitch:
    (low, high) bounds of each upright value (`tied_median.median_bounds`; (v, v) when known), the
    value itself, when a test differs between its bounds, from exact(0) (roll) or exact(1) (pitch)."""
    for a, b in reversed(candidates):
        if (_within(float(median(pitch_deg[a:b])), upright_pitch, exact, 1)
                and _within(float(median(roll_deg[a:b])), upright_roll, exact, 0)):
            return a, b
    return None


def _within(value: float, bounds: tuple[float, float], exact: Callable[[int], float] | None, which: int) -> bool:
    """abs(value - u) <= UPRIGHT_TOLERANCE_DEG for the upright value u in bounds (lo, hi): value - u
    rounds monotonically in u, so the test holds for all of [lo, hi] when it holds at both ends,
    and fails for all when both ends fail on the same side; else u itself (`exact(which)`)."""
    lo, hi = bounds
    if lo == hi or exact is None:
        return abs(value - lo) <= UPRIGHT_TOLERANCE_DEG
    d_lo, d_hi = value - lo, value - hi
    ok_lo, ok_hi = abs(d_lo) <= UPRIGHT_TOLERANCE_DEG, abs(d_hi) <= UPRIGHT_TOLERANCE_DEG
    if ok_lo and ok_hi:
        return True
    if not ok_lo and not ok_hi and ((d_hi > UPRIGHT_TOLERANCE_DEG) or (d_lo < -UPRIGHT_TOLERANCE_DEG)):
        return False
    return abs(value - exact(which)) <= UPRIGHT_TOLERANCE_DEG
