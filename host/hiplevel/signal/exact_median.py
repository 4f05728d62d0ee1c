"""The median of values that come in chunks, exactly as `np.median` of all of them, in bounded
memory: up to `IN_MEMORY_VALUES` values are simply gathered; beyond, the middle value is found by
counting the values into histogram bins over several passes (each pass keeps only the bin that holds
it) until its bin is small enough to gather. Also numpy's median, percentile and unique values to the
bit without their import of numpy.ma (`median`, `percentile`, `unique`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

IN_MEMORY_VALUES = 2**21  # 16 MB of float64
BINS = 4096
_FLOAT64 = np.dtype(np.float64)  # (a native float64 array's dtype is this object: `median` tests that first)


def median_of_chunks(chunks: Callable[[], Iterable[np.ndarray]]) -> float:
    """np.median of the concatenation of the arrays `chunks()` yields (called once per pass;
    it must yield the same values each time). nan when there are none."""
    n, lo, hi = 0, np.inf, -np.inf
    kept: list[np.ndarray] | None = []
    for v in chunks():
        v = np.asarray(v, float).ravel()
        if not len(v):
            continue
        n += len(v)
        lo, hi = min(lo, float(v.min())), max(hi, float(v.max()))
        if kept is not None:
            kept.append(v)
            if n > IN_MEMORY_VALUES:
                kept = None
    if n == 0:
        return float("nan")
    if kept is not None:
        return float(median(np.concatenate(kept)))
    ranks = sorted({(n - 1) // 2, n // 2})
    vals = [_kth(chunks, r, lo, hi) for r in ranks]
    return float(np.mean(np.asarray(vals))) if len(vals) == 2 else vals[0]


def _bin(v: np.ndarray, lo: float, hi: float) -> np.ndarray:
    if hi <= lo:
        return np.zeros(len(v), dtype=np.int64)
    return np.clip(np.floor((v - lo) * (BINS / (hi - lo))), 0, BINS - 1).astype(np.int64)


def _kth(chunks: Callable[[], Iterable[np.ndarray]], rank: int, lo: float, hi: float) -> float:
    """The value of 0-based `rank` in sorted order."""
    levels: list[tuple[float, float, int]] = []  # (lo, hi, bin) a value must fall in, level by level

    def inside(v: np.ndarray) -> np.ndarray:
        for a, b, j in levels:
            v = v[_bin(v, a, b) == j]
        return v

    while True:
        if hi <= lo:
            return lo
        counts = np.zeros(BINS, dtype=np.int64)
        vmin, vmax = np.inf, -np.inf
        for v in chunks():
            v = inside(np.asarray(v, float).ravel())
            if len(v):
                vmin, vmax = min(vmin, float(v.min())), max(vmax, float(v.max()))
            counts += np.bincount(_bin(v, lo, hi), minlength=BINS)
        if vmin == vmax:
            return vmin  # every value still in play is the same
        cum = np.cumsum(counts)
        j = int(np.searchsorted(cum, rank, side="right"))
        rank -= int(cum[j - 1]) if j else 0
        levels.append((lo, hi, j))
        width = (hi - lo) / BINS
        if counts[j] <= IN_MEMORY_VALUES or width <= 0:
            vals = np.concatenate([inside(np.asarray(v, float).ravel()) for v in chunks()])
            return float(np.partition(vals, rank)[rank])
        lo, hi = lo + j * width, lo + (j + 1) * width



def median(x, axis: int | None = None):
    """`np.median(x)` (or along axis 0 of a 2-D array), the same value to the bit, without
    np.median's per-call overhead (~15 us: a walk's analysis takes ~1,000 medians, most of a few
    dozen values) and without its NaN check's import of numpy.ma (20-30 ms, once per process).
    The same steps as numpy's: `np.partition` at the middle rank(s) and the last (NaN) position,
    the mean of the one or two middle values as numpy's mean takes it (a sum from 0.0, so -0.0
    comes out 0.0, then / 2; integers as float64), nan where the largest is NaN. Other shapes or
    dtypes, or no values: np.median itself."""
    a = x if type(x) is np.ndarray else np.asarray(x)
    if axis is None:
        a = a.ravel()
    dt = a.dtype
    kind = dt.kind
    if (a.ndim not in (1, 2) or (a.ndim == 2 and axis != 0) or not a.shape[0]
            or not (kind in "iu" or dt is _FLOAT64 or dt == np.float64)):
        return np.median(x, axis=axis)
    n = a.shape[0]
    h = n // 2
    kth = [h - 1, h] if n % 2 == 0 else [h]
    if kind == "f":
        kth.append(-1)
    # np.partition(a, kth, axis=0)'s own steps (a copy in a's layout, partitioned in place) without
    # its Python wrapper's dispatch (~1 us a call).
    part = a.copy(order="K")
    part.partition(kth, axis=0)
    if kind != "f":
        part = part.astype(np.float64) if a.ndim == 2 else part[h - 1 if n % 2 == 0 else h:h + 1].astype(np.float64)
        h = h if a.ndim == 2 else (1 if n % 2 == 0 else 0)
    mid = (0.0 + part[h - 1] + part[h]) / 2 if n % 2 == 0 else 0.0 + part[h]
    if kind == "f":
        if a.ndim == 1:
            last = part[-1]
            return np.float64(np.nan) if last != last else np.float64(mid)  # (NaN: np.isnan's test, no ufunc call)
        bad = np.isnan(part[-1])
        if bad.any():
            mid = np.where(bad, np.nan, mid)
    return np.float64(mid) if a.ndim == 1 else mid


def percentile(x, q: float):
    """`np.percentile(x, q)` (default 'linear' method, q in 0-100 a Python number, x 1-D float64),
    the same value to the bit, without np.percentile's import of numpy.ma (its np.unique of the
    ranks to partition at: ~16 ms once per process). numpy's steps: virtual index (n - 1) * (q / 100),
    the values at its floor and the next rank (both the largest at or past the end), `_lerp`'s
    interpolation (from the upper value when the weight is 0.5 or more), and the last value after
    the partition (NaN) wherever the data hold a NaN. Other inputs: np.percentile itself."""
    a = np.asarray(x)
    if a.ndim != 1 or a.dtype != np.float64 or not len(a) or type(q) not in (int, float) or not 0 <= q <= 100:
        return np.percentile(x, q)
    n = len(a)
    v = (n - 1) * float(np.true_divide(q, 100))
    lo = hi = -1
    if v < n - 1:
        lo = int(np.floor(v))
        hi = lo + 1
    part = np.partition(a, sorted({0, -1, lo, hi}))
    if np.isnan(part[-1]):
        return part[-1]
    t = v - lo  # numpy's weight: against the index it took, -1 past the end
    below, above = part[lo], part[hi]
    d = above - below
    return np.float64(above - d * (1 - t)) if t >= 0.5 else np.float64(below + d * t)


def unique(x) -> list:
    """`np.unique(x).tolist()` for integers: the distinct values of x in ascending order (Python ints),
    without np.unique's NaN check's import of numpy.ma (20-30 ms, once per process)."""
    return sorted(set(np.asarray(x).ravel().tolist()))
