"""Reference windows that hold whole strides: the accelerometer mean next to a turn without the gait's sway.

The turn fit (`hiplevel.signal.turns`) reads the accelerometer's mean over a window before and one
after each turn, where "the walking accelerations cancel". They cancel only over whole strides: the
pelvis sways sideways once per stride (about 0.05-0.1 g at 0.8-1.1 Hz), so a fixed 1.5 s window
over a 1.1 s stride keeps a part of a sway cycle, 5-10 mg of false bias on the lateral axis (about
half a degree of roll everywhere after the correction). Its sign follows the gait phase at which
the window starts, so it does not average out over a walk whose turns start alike.

The window here is instead the lag, between WINDOW_MIN_S and WINDOW_MAX_S, at which the horizontal
accelerometer repeats itself best right next to the turn (a stride, or two short ones): the squared
difference of the last COMPARE_S of the stretch and the same stretch one lag further out, the
average magnitude difference of pitch detection. A stretch that does not repeat (standing, a
shuffle, the turn itself) keeps the fixed window (`turns.REFERENCE_S`), as before: the choice only
moves where the walk shows its period clearly (that difference at most REPEAT_MAX of the one
between unrelated samples, twice the variance).
"""

from __future__ import annotations

import numpy as np

WINDOW_MIN_S = 0.8  # shortest window: a stride at 150 steps/min
WINDOW_MAX_S = 1.6  # longest window: a stride at 75 steps/min (two strides above 150)
COMPARE_S = 0.8  # stretch compared with itself one lag earlier (later)
REPEAT_MAX = 0.25  # the stretch repeats: its lag difference at most this of twice its variance
# Samples a stride window can reach past its edge (the stretch and the lag it is compared over).
REACH_S = COMPARE_S + WINDOW_MAX_S


def stride_window(acc_xy: np.ndarray, edge: int, side: int, rate_hz: float, default: int) -> int:
    """Length, samples, of the reference window that ends (side -1) or starts (side +1) at sample
    `edge` of acc_xy (N,2) g (the horizontal accelerometer axes): the lag at which the stretch next
    to the edge repeats itself best, or `default` when it does not repeat or the samples end."""
    lo, hi = max(2, int(round(WINDOW_MIN_S * rate_hz))), int(round(WINDOW_MAX_S * rate_hz))
    m = max(2, int(round(COMPARE_S * rate_hz)))
    n = len(acc_xy)
    hi = min(hi, (edge if side < 0 else n - edge) - m)
    if hi < lo:
        return default
    # The stretch seen from the edge outward (x[0] the sample next to the edge), as (2, hi + m).
    if side < 0:
        x = np.asarray(acc_xy[edge - hi - m : edge], float).T[:, ::-1]
    else:
        x = np.asarray(acc_xy[edge : edge + hi + m], float).T
    x = np.ascontiguousarray(x)
    near = x[:, :m]
    # Squared difference of the near stretch and the one `lag` further out, for every lag:
    # sum(far^2) from running sums, the cross term as a correlation.
    sq = np.concatenate([[0.0], np.cumsum((x * x).sum(axis=0))])
    far_sq = sq[lo + m : hi + m + 1] - sq[lo : hi + 1]
    cross = sum(np.correlate(x[k, lo : hi + m], near[k], "valid") for k in range(2))
    diff = ((near * near).sum() + far_sq - 2.0 * cross) / m
    spread = 2.0 * x.var(axis=1).sum()
    best = int(np.argmin(diff))
    if spread <= 0.0 or diff[best] > REPEAT_MAX * spread:
        return default
    return lo + best
