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


# Sample ranks either side of the sample's middle taken as the bounds of `median_bounds`: the whole
# array's median lies between them unless fewer than 11 of the 65 sampled values fall on one side
# of it (then the partition).
BOUND_RANKS = (22, 42)


def median_bounds(x: np.ndarray) -> tuple[float, float]:
    """(a, b) with a <= float(exact_median.median(x)) <= b for a 1-D array, from counts alone when
    two values of an even sample of x are proved to hold the middle rank(s) between them (fewer
    than the lower middle rank below a, more than the upper one at or below b: numpy's middle values
    then lie in [a, b], and so does their rounded mean); a == b == the median itself otherwise
    (short or non-float64 arrays, NaN, bounds that miss the middle). A test that gives the same
    answer at a and at b and is monotone in between need not know the median."""
    x = np.asarray(x)
    n = len(x) if x.ndim == 1 else 0
    if x.dtype != np.float64 or n < 2 * CANDIDATE_SAMPLES or math.isnan(float(np.maximum.reduce(x))):
        m = float(median(x))
        return m, m
    step = n // CANDIDATE_SAMPLES
    sample = np.sort(x[: step * CANDIDATE_SAMPLES : step])
    a, b = float(sample[BOUND_RANKS[0]]), float(sample[BOUND_RANKS[1]])
    # (Bounds far from overflow: the mean of two middle values near the largest float could round
    # past b.)
    if (max(abs(a), abs(b)) < 1e300 and np.count_nonzero(x < a) <= (n - 1) // 2
            and np.count_nonzero(x <= b) > n // 2):
        return a, b
    m = float(median(x))
    return m, m
