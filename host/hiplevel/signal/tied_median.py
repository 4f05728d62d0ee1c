"""The median of values most of which are tied, such as the steps of a sample clock: exact, with
counts instead of a partition.

A uniform grid's steps (t0 + i / rate) take two or three values a few ulps apart, one of them for
most steps; numpy's partition at the middle rank of such ties costs several passes (introselect's
pivots keep landing on the tie), while two comparisons with the tied value prove it is the median.
"""

from __future__ import annotations

import math

import numpy as np

from hiplevel.signal.exact_median import median

# Values sampled (evenly spaced) for the candidate: their median is the whole array's tied middle
# value whenever one value fills a good part of the middle ranks.
CANDIDATE_SAMPLES = 65


def tied_median(x: np.ndarray) -> float:
    """`float(exact_median.median(x))` of a 1-D float64 array, the same value to the bit (numpy's
    median): when the candidate value c (the median of an even sample of x) occupies both middle
    ranks of x (fewer than h values below it, more than h at or below it) the median is c itself,
    as numpy's mean of the middle values rounds it (0.0 + c, or (0.0 + c + c) / 2); a maximum that
    is not NaN proves there is no NaN (which would make the median NaN). Else the partition."""
    x = np.asarray(x)
    n = len(x) if x.ndim == 1 else 0
    if x.dtype != np.float64 or n < 2 * CANDIDATE_SAMPLES:
        return float(median(x))
    step = n // CANDIDATE_SAMPLES
    c = float(median(x[: step * CANDIDATE_SAMPLES : step]))  # an odd count: the middle value itself
    lo_rank, hi_rank = (n - 1) // 2, n // 2  # the middle rank(s), 0-based
    if not math.isfinite(c) or math.isnan(float(np.maximum.reduce(x))):
        return float(median(x))
    below = int(np.count_nonzero(x < c))
    if below > lo_rank:
        return float(median(x))
    at_or_below = below + int(np.count_nonzero(x == c))
    if at_or_below <= hi_rank:
        return float(median(x))
    return float((0.0 + c + c) / 2) if n % 2 == 0 else float(0.0 + c)


def median_step(t_s: np.ndarray) -> float:
    """The median of the steps np.diff(t_s) of sample times t_s (N,), s: `tied_median`."""
    return tied_median(np.diff(np.asarray(t_s, float)))
