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

from hiplevel.signal.exact_median import unique
from hiplevel.signal.filters import running_sums

WINDOW_MIN_S = 0.8  # shortest window: a stride at 150 steps/min
WINDOW_MAX_S = 1.6  # longest window: a stride at 75 steps/min (two strides above 150)
COMPARE_S = 0.8  # stretch compared with itself one lag earlier (later)
REPEAT_MAX = 0.25  # the stretch repeats: its lag difference at most this of twice its variance
# Samples a stride window can reach past its edge (the stretch and the lag it is compared over).
REACH_S = COMPARE_S + WINDOW_MAX_S
EDGE_BATCH = 64  # edges at once in `stride_windows` (bounds its (k, 2, lags, m) products: ~100 kB an edge)


def stride_window(acc_xy: np.ndarray, edge: int, side: int, rate_hz: float, default: int) -> int:
    """Length, samples, of the reference window that ends (side -1) or starts (side +1) at sample
    `edge` of acc_xy (N,2) g (the horizontal accelerometer axes): the lag at which the stretch next
    to the edge repeats itself best, or `default` when it does not repeat or the samples end."""
    return int(stride_windows(acc_xy, np.array([edge]), np.array([side]), rate_hz, default)[0])


def stride_windows(acc_xy: np.ndarray, edges: np.ndarray, sides: np.ndarray, rate_hz: float,
                   default: int) -> np.ndarray:
    """`stride_window` at every edge (k,) with its side (k,) (-1 or +1), (k,) ints: up to EDGE_BATCH
    edges whose stretches have the same length at once, each one's sums and products those of the edge alone
    (numpy's per-row reductions, and a stacked matmul of (1, m) @ (m, 1) is the dot that
    np.correlate takes), so the same values to the bit."""
    lo, hi_max = max(2, int(round(WINDOW_MIN_S * rate_hz))), int(round(WINDOW_MAX_S * rate_hz))
    m = max(2, int(round(COMPARE_S * rate_hz)))
    edges, sides = np.asarray(edges, np.int64), np.asarray(sides, np.int64)
    his = np.minimum(hi_max, np.where(sides < 0, edges, len(acc_xy) - edges) - m)
    out = np.full(len(edges), default, dtype=np.int64)
    cols = [np.asarray(acc_xy, float)[:, a] for a in range(2)]
    same = [np.flatnonzero(his == hi) for hi in unique(his) if hi >= lo]
    for k in (g[i : i + EDGE_BATCH] for g in same for i in range(0, len(g), EDGE_BATCH)):
        hi = int(his[k[0]])
        # Each stretch seen from its edge outward (x[:, :, 0] the sample next to the edge), (k, 2, hi + m).
        j = np.arange(hi + m)
        back = sides[k] < 0  # edge - 1 - j before the edge, edge + j after it
        rows = np.where(back, edges[k] - 1, edges[k])[:, None] + np.where(back, -1, 1)[:, None] * j
        # Gathered axis by axis: a gather of (N,2) rows copies each row by its own call.
        x = np.stack([c[rows] for c in cols], axis=1)
        diff, spread = lag_differences(x, lo, m)
        best = np.argmin(diff, axis=1)
        repeats = (spread > 0.0) & (diff[np.arange(len(k)), best] <= REPEAT_MAX * spread)
        out[k] = np.where(repeats, lo + best, default)
    return out


def lag_differences(x: np.ndarray, lo: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Of stretches x (k, 2, hi + m) C-contiguous float64 (x[:, :, 0] next to the edge): the mean
    squared difference (k, hi - lo + 1) of the near m samples and the m samples lag = lo .. hi further
    out, and the spread (k,) (twice the summed variance of the two axes). sum(far^2) from running sums,
    the cross term as a correlation; each value that of numpy's expressions (`(x * x).sum(axis=1)`,
    `x.var(axis=2).sum(axis=1)`, the stacked matmul) to the bit."""
    k, _, width = x.shape
    near = x[:, :, :m]
    sq = np.empty((k, width + 1))
    sq[:, 0] = 0.0  # (running_sums writes the other columns)
    # (x * x).sum(axis=1): the two squares added (an add reduction of two non-negative values).
    power = np.multiply(x[:, 0], x[:, 0])
    power += np.multiply(x[:, 1], x[:, 1])
    running_sums(power, out=sq)
    far_sq = sq[:, lo + m :] - sq[:, lo : width - m + 1]
    dots = lag_dots(lag_windows(x, lo, m), near)  # (k, 2, lags)
    cross = dots[:, 0] + dots[:, 1]
    diff = ((near * near).sum(axis=(1, 2))[:, None] + far_sq - 2.0 * cross) / m
    var = row_var(x)
    return diff, 2.0 * (var[:, 0] + var[:, 1])  # (a sum over the two axes as numpy's of two values)


def lag_windows(x: np.ndarray, lo: int, m: int) -> np.ndarray:
    """`sliding_window_view(x[..., lo:], m, axis=-1)` of a C-contiguous float64 x (the same view:
    the same elements at the same addresses), made by one ndarray constructor: sliding_window_view's
    argument checks and `as_strided` cost ~80 us a call, more than the view is worth here."""
    shape = x.shape[:-1] + (x.shape[-1] - lo - m + 1, m)
    return np.ndarray(shape, x.dtype, x, lo * x.itemsize, x.strides + x.strides[-1:])


def lag_dots(far: np.ndarray, near: np.ndarray) -> np.ndarray:
    """The dot of each window far[e, a, l] (k, 2, lags, m) with near[e, a] (k, 2, m), (k, 2, lags):
    `np.matmul(far[..., None, :], near[:, :, None, :, None])[..., 0, 0]` to the bit. numpy >= 2's
    `vecdot` runs the same function on each pair (numpy's DOUBLE_dot: BLAS's ddot of far and near, or
    its own loop without BLAS) without matmul's per-pair dispatch (~20 % of the correlations' cost)."""
    if _VECDOT is not None:
        return _VECDOT(far, near[:, :, None, :])
    return np.matmul(far[:, :, :, None, :], near[:, :, None, :, None])[..., 0, 0]


_VECDOT = getattr(np, "vecdot", None)  # numpy >= 2.0


def row_var(x: np.ndarray) -> np.ndarray:
    """`x.var(axis=-1)` of a float64 array to the bit: numpy's own steps (the row sums, the mean as
    their quotient by the count, the deviations squared, their sums and quotient) without its Python
    wrapper (`_methods._var`: a third of the cost on (64, 2, 240) stretches)."""
    n = x.shape[-1]
    mean = np.add.reduce(x, axis=-1, keepdims=True)
    np.true_divide(mean, n, out=mean)
    dev = np.subtract(x, mean)
    np.multiply(dev, dev, out=dev)
    out = np.add.reduce(dev, axis=-1)
    return np.true_divide(out, n, out=out)
