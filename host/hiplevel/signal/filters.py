"""Filters, chosen per use: zero-phase (forward-backward Butterworth) offline, causal with carried
state for live feedback. Both use the same design function so live and offline see the same band."""

from __future__ import annotations

import functools
import math

import numpy as np

from hiplevel._native import rest_kernel
from hiplevel.signal import biquad

# Pelvic roll in walking has its energy below ~5 Hz (stride ~1 Hz and harmonics); 6 Hz keeps the
# drop peak (an offline 2nd-order zero-phase low-pass at 6 Hz changes a 1 Hz peak by < 0.1 %).
ROLL_CUTOFF_HZ = 6.0
FILTER_ORDER = 2


def lowpass_sos(cutoff_hz: float, rate_hz: float, order: int = FILTER_ORDER) -> np.ndarray:
    """Butterworth low-pass as second-order sections; cutoff is clipped below Nyquist."""
    return design_sos(order, min(cutoff_hz / (0.5 * rate_hz), 0.95), "low").copy()


@functools.lru_cache(maxsize=64)
def design_sos(order: int, wn: float | tuple[float, float], btype: str) -> np.ndarray:
    """Butterworth sos (`biquad.butter_sos`; wn as a fraction of Nyquist, a pair for "band"),
    designed once per (order, wn, btype): a long recording is filtered chunk by chunk, and the live
    analyser re-filters its window at every push, with the same few filters. Read-only."""
    sos = biquad.butter_sos(order, wn, btype)
    sos.flags.writeable = False
    return sos


def zero_phase_lowpass(x: np.ndarray, cutoff_hz: float, rate_hz: float, order: int = FILTER_ORDER) -> np.ndarray:
    """Offline zero-phase low-pass along axis 0 (no delay; effective order doubled)."""
    x = np.asarray(x, float)
    sos = lowpass_sos(cutoff_hz, rate_hz, order)
    padlen = min(len(x) - 1, 3 * int(rate_hz / cutoff_hz))
    if len(x) < 4:
        return x.copy()
    return biquad.sosfiltfilt(sos, x, padlen=max(0, padlen))


def causal_delay_s(cutoff_hz: float, rate_hz: float, order: int = FILTER_ORDER) -> float:
    """Group delay of the causal low-pass at low frequency, s (what live feedback lags by)."""
    sos = lowpass_sos(cutoff_hz, rate_hz, order)
    return biquad.group_delay_samples(sos, 2 * math.pi * 0.5 / rate_hz) / rate_hz


class CausalLowpass:
    """Streaming Butterworth low-pass of one scalar signal; state carried between samples.

    Starts settled at the first value so a step does not ring at start-up."""

    def __init__(self, cutoff_hz: float, rate_hz: float, order: int = FILTER_ORDER) -> None:
        self._sos = lowpass_sos(cutoff_hz, rate_hz, order)
        self._zi0 = biquad.sosfilt_zi(self._sos)
        self._zi: np.ndarray | None = None
        self.delay_s = causal_delay_s(cutoff_hz, rate_hz, order)

    def push(self, x: float) -> float:
        """Filter one sample; returns the filtered value."""
        if self._zi is None:
            self._zi = self._zi0 * x
        y, self._zi = biquad.sosfilt(self._sos, np.array([x], float), zi=self._zi)
        return float(y[0])


def moving_std(x: np.ndarray, window: int) -> np.ndarray:
    """Centred moving standard deviation along axis 0 (edges use the nearest full window)."""
    x = np.asarray(x, float)
    squeeze = x.ndim == 1
    if squeeze:
        x = x[:, None]
    n = len(x)
    window = max(1, min(window, n))
    c1 = np.cumsum(np.vstack([np.zeros((1, x.shape[1])), x]), axis=0)
    c2 = np.cumsum(np.vstack([np.zeros((1, x.shape[1])), x * x]), axis=0)
    start = np.clip(np.arange(n) - window // 2, 0, n - window)
    s1 = c1[start + window] - c1[start]
    s2 = c2[start + window] - c2[start]
    var = np.maximum(s2 / window - (s1 / window) ** 2, 0.0)
    out = np.sqrt(var)
    return out[:, 0] if squeeze else out


def running_sums(x: np.ndarray, out: np.ndarray | None = None, start: float | None = None) -> np.ndarray:
    """`np.cumsum(x, axis=-1)` of a 1-D or 2-D x to the bit (the sums in sample order, each rounded
    alone), into the last n columns of out's rows (default: a new array of x's shape); with `start`
    (1-D): `np.cumsum(np.r_[start, x])[1:]`. The compiled kernel when built (`restkernel.running_sum`:
    numpy's accumulate costs ~5 ns a sample, its overlapping operands stepped one by one), else numpy."""
    x = np.asarray(x, float)
    out = np.empty(x.shape) if out is None else out
    n = x.shape[-1]
    kernel = rest_kernel()
    if (kernel is not None and hasattr(kernel, "running_sum") and out.dtype == np.float64
            and out.flags.c_contiguous and out.flags.writeable):
        kernel.running_sum(np.ascontiguousarray(x), out, None if start is None else float(start))
        return out
    dst = out[..., out.shape[-1] - n:]
    if start is None:
        np.cumsum(x, axis=-1, out=dst)
    else:
        dst[...] = np.cumsum(np.concatenate([[float(start)], x]))[1:]
    return out


def prefix_sums(x: np.ndarray) -> np.ndarray:
    """[0, x0, x0 + x1, ...] (N + 1,) of a 1-D x: `np.concatenate(([0.0], np.cumsum(x)))` to the
    bit (the same running sum), written into one array (no copy of the sums to concatenate)."""
    x = np.asarray(x, float)
    out = np.empty(len(x) + 1)
    out[0] = 0.0
    return running_sums(x, out)


def run_edges(mask: np.ndarray) -> np.ndarray:
    """Where the True runs of a 1-D boolean mask (N,) start and end, interleaved (start, end, ...;
    ends exclusive), int64: `np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))` to the value,
    from one comparison of neighbours into one array (no int8 copies, no `np.r_`: ~150 masks an hour
    of walk, the longest a chunk's samples)."""
    m = np.asarray(mask, bool)
    n = len(m)
    if not n:
        return np.flatnonzero(m)
    change = np.empty(n + 1, bool)
    change[0], change[n] = m[0], m[n - 1]
    np.not_equal(m[1:], m[:-1], out=change[1:n])
    return np.flatnonzero(change)


def moving_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Centred moving mean along axis 0 (edges use the nearest full window)."""
    x = np.asarray(x, float)
    n = len(x)
    window = max(1, min(window, n))
    kernel = rest_kernel()
    if kernel is not None and n and x.ndim <= 2 and hasattr(kernel, "moving_mean"):
        # The same sums and quotients compiled (`restkernel.moving_mean`): the results to the bit.
        out = np.empty(x.shape)
        kernel.moving_mean(np.ascontiguousarray(x), window, out)
        return out
    c1 = np.cumsum(np.concatenate([np.zeros((1,) + x.shape[1:]), x]), axis=0)
    start = np.clip(np.arange(n) - window // 2, 0, n - window)
    return (c1[start + window] - c1[start]) / window


def resample_uniform(t_s: np.ndarray, x: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation of jittered samples onto a uniform grid at rate_hz (axis 0)."""
    t_s = np.asarray(t_s, float)
    tu = t_s[0] + np.arange(int(np.floor((t_s[-1] - t_s[0]) * rate_hz)) + 1) / rate_hz
    x = np.asarray(x, float)
    if x.ndim == 1:
        return tu, np.interp(tu, t_s, x)
    return tu, np.column_stack([np.interp(tu, t_s, x[:, k]) for k in range(x.shape[1])])


def moving_max(x: np.ndarray, size: int, axis: int = -1) -> np.ndarray:
    """Moving maximum over `size` samples along `axis`, edges extended with the edge value: as
    `scipy.ndimage.maximum_filter1d(x, size, axis, mode="nearest")` (window [i - size//2,
    i - size//2 + size - 1]). In numpy (scipy.ndimage's import costs ~0.3 s of CPU) with the van
    Herk / Gil-Werman running maximum: prefix and suffix maxima within blocks of `size`."""
    return _moving_extreme(x, size, axis, np.maximum)


def max_near(x: np.ndarray, at: np.ndarray, half: int) -> np.ndarray:
    """`moving_max(x, 2 * half + 1)[at]` (the same values) from the windows around the sample
    indices `at` alone (a few contacts of a long 1-D trace)."""
    at = np.asarray(at)
    return reduce_windows(np.maximum, np.asarray(x, float), np.maximum(at - half, 0), np.minimum(at + half + 1, len(x)))


def reduce_windows(op: np.ufunc, x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """`op.reduce(x[lo_k:hi_k])` of every window k of a 1-D float array x, windows 0 <= lo_k < hi_k
    <= len(x) (any order, overlapping or not), from one `op.reduceat`: the same values. reduceat's
    odd indices only end the windows; one ending at len(x) (no valid index) is given its own start
    (its value is then x[lo_k] alone, and the reduction that follows starts there, not at sample 0)
    and reduced again on its own, so x is not copied (an appended element made len(x) valid at the
    price of a copy of x per call)."""
    lo, hi = np.asarray(lo, np.intp), np.asarray(hi, np.intp)
    n = len(x)
    tail = hi >= n
    idx = np.empty(2 * len(lo), dtype=np.intp)
    idx[0::2], idx[1::2] = lo, np.where(tail, lo, hi)
    out = op.reduceat(x, idx)[::2] if len(lo) else np.zeros(0, x.dtype)
    for k in np.flatnonzero(tail).tolist():
        out[k] = op.reduce(x[int(lo[k]):])
    return out


def moving_median(x: np.ndarray, size: int, block: int = 4096) -> np.ndarray:
    """Moving median of a 1-D x over an odd `size` samples, edges extended with the edge value: as
    `scipy.ndimage.median_filter(x, size, mode="nearest")` (the same values: the middle one of each
    window). In numpy (scipy.ndimage's import costs ~0.2-0.3 s of CPU), `block` windows at a time so
    that its memory stays `block * size` values whatever the length."""
    x = np.asarray(x, float)
    size = int(size)
    if size < 1 or size % 2 == 0:
        raise ValueError("size must be odd and >= 1")
    if size == 1 or x.size == 0:
        return x.copy()
    half = size // 2
    p = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
    out = np.empty(len(x))
    for a in range(0, len(x), block):
        win = np.lib.stride_tricks.sliding_window_view(p[a : min(len(x), a + block) + 2 * half], size)
        out[a : a + len(win)] = np.partition(win, half, axis=1)[:, half]
    return out


def moving_min(x: np.ndarray, size: int, axis: int = -1) -> np.ndarray:
    """Moving minimum, as `moving_max` (`scipy.ndimage.minimum_filter1d(..., mode="nearest")`)."""
    return _moving_extreme(x, size, axis, np.minimum)


def _moving_extreme(x: np.ndarray, size: int, axis: int, op: np.ufunc) -> np.ndarray:
    x = np.asarray(x, float)
    size = int(size)
    if size < 1:
        raise ValueError("size must be >= 1")
    if size == 1 or x.size == 0:
        return x.copy()
    y = np.moveaxis(x, axis, -1)
    n = y.shape[-1]
    left = size // 2
    blocks = -(-(n + size - 1) // size)
    right = blocks * size - n - left  # the nearest-mode extension, then up to whole blocks
    p = np.concatenate([np.repeat(y[..., :1], left, axis=-1), y, np.repeat(y[..., -1:], right, axis=-1)], axis=-1)
    pb = p.reshape(p.shape[:-1] + (blocks, size))
    prefix = op.accumulate(pb, axis=-1).reshape(p.shape)
    suffix = op.accumulate(pb[..., ::-1], axis=-1)[..., ::-1].reshape(p.shape)
    # Window [i, i + size - 1] of p spans the end of one block and the start of the next.
    out = op(suffix[..., :n], prefix[..., size - 1:size - 1 + n])
    return np.ascontiguousarray(np.moveaxis(out, -1, axis))
