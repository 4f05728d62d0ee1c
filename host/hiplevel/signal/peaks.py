"""Peak finding in numpy: `scipy.signal.find_peaks` for the arguments the detectors use (a minimum
height, a minimum distance and a minimum prominence), with the same peaks and prominences (tests
compare them with scipy). Why not scipy.signal: see `hiplevel.signal.biquad` (its import costs
about 0.8 s of CPU, more than half the start-up of `hiplevel analyze`).
"""

from __future__ import annotations

import math

import numpy as np

from hiplevel.signal.filters import reduce_windows

# Peaks x candidates up to which `prominences` compares them all at once (`_nearest_above_dense`).
DENSE_MAX_PAIRS = 4096


def local_maxima(x: np.ndarray) -> np.ndarray:
    """Indices of local maxima of x (1-D): samples (or the middle of flat runs, rounded down)
    strictly higher than both neighbours; never the first or last sample, never NaN."""
    x = np.asarray(x, float)
    n = len(x)
    if n < 3:
        return np.zeros(0, np.intp)
    # Runs of equal values (NaN never equals itself: each NaN is a run of one and never a peak).
    change = x[1:] != x[:-1]
    mid = x[1:-1]
    if change.all():
        # No two neighbours equal (a filtered signal's usual case): every run is one sample, so
        # the runs' comparisons below are the samples' own (the same indices, no run arrays).
        return np.flatnonzero((mid > x[:-2]) & (mid > x[2:])) + 1
    starts = np.concatenate([[0], np.flatnonzero(change) + 1])
    ends = np.concatenate([starts[1:] - 1, [n - 1]])
    v = x[starts]
    k = np.flatnonzero((v[1:-1] > v[:-2]) & (v[1:-1] > v[2:])) + 1
    return (starts[k] + ends[k]) // 2


def select_by_distance(peaks: np.ndarray, priority: np.ndarray, distance: float) -> np.ndarray:
    """Boolean keep-mask: from the highest priority down, each kept peak removes the peaks closer
    than `distance` samples (as scipy: ties in the order of np.argsort)."""
    n = len(peaks)
    dist = math.ceil(distance)
    keep = np.ones(n, bool)
    # Only peaks closer than `distance` to a neighbour remove or are removed (peaks ascending: a
    # peak's walk below stops at the first neighbour as far): the others are kept, and the loop
    # visits the close ones alone, in the same (whole argsort's) order.
    near = np.diff(np.asarray(peaks)) < dist
    close = np.zeros(n, bool)
    close[1:] = near
    close[:-1] |= near
    if not close.any():
        return keep
    pos = peaks.tolist()
    order = np.argsort(priority)
    order = order[close[order]].tolist()
    flags = [True] * n
    for j in reversed(order):
        if not flags[j]:
            continue
        k = j - 1
        while k >= 0 and pos[j] - pos[k] < dist:
            flags[k] = False
            k -= 1
        k = j + 1
        while k < n and pos[k] - pos[j] < dist:
            flags[k] = False
            k += 1
    keep[:] = flags
    return keep


def prominences(x: np.ndarray, peaks: np.ndarray, maxima: np.ndarray | None = None) -> np.ndarray:
    """Prominence of each peak of x: its height above the higher of the lowest points on either
    side before the signal rises above the peak (or ends, or is NaN), as scipy with no window.

    Each flank's walk ends just before the first sample above the peak; between that sample and
    the peak there is no lower point than beyond it up to the nearest local maximum above the peak
    (a lower one would make a local maximum above the peak in between), so each flank is the range
    up to the nearest higher local maximum (or NaN, or the end), found for all peaks at once.
    maxima: `local_maxima(x)` when already known."""
    x = np.asarray(x, float)
    peaks = np.asarray(peaks, np.intp)
    n = len(x)
    if len(peaks) == 0:
        return np.zeros(0)
    # Candidates: every local maximum, NaN samples (they stop a walk) and the two ends, in order.
    nan = np.flatnonzero(np.isnan(x))
    maxima = local_maxima(x) if maxima is None else np.asarray(maxima, np.intp)
    pos = np.concatenate([[-1], maxima, nan, [n]])
    val = np.concatenate([[np.inf], x[maxima], np.full(len(nan), np.inf), [np.inf]])
    if len(nan):
        order = np.argsort(pos, kind="stable")
        pos, val = pos[order], val[order]
    q = np.searchsorted(pos, peaks)  # the peaks are local maxima: pos[q] == peaks
    v = x[peaks]
    if len(q) * len(val) <= DENSE_MAX_PAIRS:
        left_q, right_q = _nearest_above_dense(val, q, v)
    else:
        left_q, right_q = _nearest_above(val, q, v)
    # Both flanks' minimums from those of the gaps between candidates they span (`_gap_minimums`:
    # x in one pass, then a few values a flank; a walk's flanks sum to ~10 times x).
    k = len(peaks)
    flanks = reduce_windows(np.minimum, _gap_minimums(x, pos, len(nan) > 0), np.concatenate([left_q, q]),
                            np.concatenate([q, right_q]))
    return v - np.maximum(flanks[:k], flanks[k:])


def _nearest_above_dense(val: np.ndarray, q: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each q: the nearest index before and after q whose value in val exceeds v (val's ends
    are +inf, so there is one), from the whole (q, val) comparison table: fewer numpy calls than
    the sparse table's descent when both are short (the band walk's sweeps ask for ~20 peaks of
    a 7 s window hundreds of times)."""
    idx = np.arange(len(val))
    above = val[None, :] > v[:, None]
    left = np.where(above & (idx < q[:, None]), idx, -1).max(axis=1)
    right = np.where(above & (idx > q[:, None]), idx, len(val)).min(axis=1)
    return left, right


def _nearest_above(val: np.ndarray, q: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each q: the nearest index before and after q whose value in val exceeds v (val's ends
    are +inf, so there is one): a binary descent on a sparse table of maxima, both directions in
    one (a search after q is one before it in val reversed: a dozen numpy calls a level fewer).
    The table is that of [NaN x top, val, NaN, val reversed]: a window touching a NaN compares
    false, as one past either end did."""
    m = len(val)
    top = 1 << (m.bit_length() - 1)  # the widest span: more than half of m, all a search can reach
    both = np.concatenate([np.full(top, np.nan), val, [np.nan], val[::-1]])
    edge = np.concatenate([q + top, 2 * m + top - q])  # the run of values <= v: [edge, its q) in `both`
    vv = np.concatenate([v, v])
    level, span, table = [both], 1, both
    while span < top:  # level k: the maximum of both[i : i + 2^k] at i
        table = np.maximum(table[:-span], table[span:])
        level.append(table)
        span *= 2
    for table in reversed(level):
        start = edge - span
        np.copyto(edge, start, where=table[start] <= vv)
        span //= 2
    k = len(q)
    return edge[:k] - top - 1, 2 * m + top - edge[k:] + 1


def _gap_minimums(x: np.ndarray, pos: np.ndarray, has_nan: bool) -> np.ndarray:
    """The minimum of x over each gap between consecutive candidates pos (sorted: -1, the local
    maxima, the NaN samples, n) and the candidate ending it: x[pos[i] + 1 : pos[i + 1] + 1],
    (len(pos) - 1,), from one reduction (NaN skipped). A peak's flanks [pos[l] + 1, pos[q]] and
    [pos[q], pos[r]) (l, r: its nearest candidates above it) have the minimums of gaps l..q-1 and
    q..r-1: each candidate in between is a local maximum, no lower than its neighbour in the gap
    before it and after it, and the right flank's last gap adds its end, above the peak (or NaN).
    (A flank's minimum lies below its peak: with a zero, its sign alone may differ, not v - it.)"""
    n = len(x)
    starts = np.minimum(pos[:-1] + 1, n - 1)  # (a gap after a NaN last sample is no flank's)
    return (np.fmin if has_nan else np.minimum).reduceat(x, starts)


def find_peaks(x: np.ndarray, height: float | None = None, distance: float | None = None,
               prominence: float | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Peaks of x (1-D) as `scipy.signal.find_peaks(x, height=, distance=, prominence=)` with
    scalar minimums: local maxima, then those at least `height` high, then at least `distance`
    samples apart (higher ones first), then with a prominence of at least `prominence`.
    Returns (indices, properties): "peak_heights" with height, "prominences" with prominence."""
    x = np.asarray(x, float)
    if x.ndim != 1:
        raise ValueError("find_peaks needs a 1-D signal")
    if distance is not None and distance < 1:
        raise ValueError("distance must be >= 1")
    peaks = maxima = local_maxima(x)
    props: dict[str, np.ndarray] = {}
    if height is not None:
        heights = x[peaks]
        keep = heights >= height
        peaks, props["peak_heights"] = peaks[keep], heights[keep]
    if distance is not None:
        keep = select_by_distance(peaks, x[peaks], distance)
        peaks = peaks[keep]
        props = {k: a[keep] for k, a in props.items()}
    if prominence is not None:
        prom = prominences(x, peaks, maxima)
        keep = prom >= prominence
        peaks = peaks[keep]
        props = {k: a[keep] for k, a in props.items()}
        props["prominences"] = prom[keep]
    return peaks, props


def spaced_and_all_peaks(x: np.ndarray, height: float, distance: float, prominence: float
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The peaks of `find_peaks(x, height, distance, prominence)` and of `find_peaks(x, height,
    prominence)` (no distance), the prominences measured once: a peak's prominence does not depend
    on which other peaks are kept, so both sets are the height-passing maxima filtered two ways."""
    x = np.asarray(x, float)
    if x.ndim != 1:
        raise ValueError("find_peaks needs a 1-D signal")
    if distance < 1:
        raise ValueError("distance must be >= 1")
    maxima = local_maxima(x)
    peaks = maxima[x[maxima] >= height]
    prominent = prominences(x, peaks, maxima) >= prominence
    spaced = select_by_distance(peaks, x[peaks], distance) & prominent
    return peaks[spaced], peaks[prominent]


def peak_widths(x: np.ndarray, peaks: np.ndarray, rel_height: float = 0.5,
                within: tuple[np.ndarray, np.ndarray] | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Width of each peak at `rel_height` of its prominence, as `scipy.signal.peak_widths` (no
    window): (widths, width_heights, left_ips, right_ips), widths and positions in samples
    (interpolated). A loop over the peaks: the detectors ask it of a set's few reps. within:
    (first, last) sample per peak beyond which its crossings are not looked for (the height stays
    its prominence's), e.g. the saddles to its neighbours: a flank that stays above that height
    into a lower neighbour then ends there instead of spanning both (None: as scipy)."""
    x = np.asarray(x, float)
    peaks = np.asarray(peaks, np.intp)
    n = len(x)
    out = np.zeros((4, len(peaks)))
    for j, peak in enumerate(peaks.tolist()):
        top = x[peak]
        # Prominence and its bases: the lowest point on each flank before x rises above the peak.
        i, left_min, left_base = peak, top, peak
        while i >= 0 and x[i] <= top:
            if x[i] < left_min:
                left_min, left_base = x[i], i
            i -= 1
        i, right_min, right_base = peak, top, peak
        while i < n and x[i] <= top:
            if x[i] < right_min:
                right_min, right_base = x[i], i
            i += 1
        height = top - (top - max(left_min, right_min)) * rel_height
        if within is not None:
            left_base, right_base = max(left_base, int(within[0][j])), min(right_base, int(within[1][j]))
        i = peak
        while left_base < i and height < x[i]:
            i -= 1
        left_ip = float(i) + ((height - x[i]) / (x[i + 1] - x[i]) if x[i] < height else 0.0)
        i = peak
        while i < right_base and height < x[i]:
            i += 1
        right_ip = float(i) - ((height - x[i]) / (x[i - 1] - x[i]) if x[i] < height else 0.0)
        out[:, j] = right_ip - left_ip, height, left_ip, right_ip
    return out[0], out[1], out[2], out[3]
