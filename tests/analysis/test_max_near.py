"""The walking detector's tilt tests read the moving maxima at its candidate contacts only
(`filters.max_near`): the same values to the bit as the whole-array moving maxima indexed there."""

from __future__ import annotations

import numpy as np

from hiplevel.signal.filters import max_near, moving_max


def _bits(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, np.float64).view(np.int64)


def test_max_near_is_the_moving_max_at_the_samples_to_the_bit() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=700)
    x[100:140] = 0.0
    x[120] = -0.0
    at = np.array(sorted({0, 1, 2, 29, 30, 120, 350, 669, 670, 698, 699, *rng.integers(0, 700, 60).tolist()}))
    for half in (1, 30, 400, 1000):
        np.testing.assert_array_equal(_bits(max_near(x, at, half)), _bits(moving_max(x, 2 * half + 1)[at]))


def test_reduce_windows_is_each_windows_own_reduction_to_the_bit() -> None:
    from hiplevel.signal.filters import reduce_windows

    rng = np.random.default_rng(11)
    x = rng.normal(size=300)
    x[[5, 290, 297]] = -0.0
    x[[6, 291, 298]] = 0.0
    x[150] = np.nan
    # Any order, overlapping, one sample long, and several ending at len(x) (no valid reduceat index).
    lo = np.array([0, 290, 5, 100, 299, 140, 296, 0, 10])
    hi = np.array([7, 300, 6, 300, 300, 160, 299, 300, 11])
    for op in (np.maximum, np.minimum):
        want = np.array([op.reduce(x[a:b]) for a, b in zip(lo, hi)])
        np.testing.assert_array_equal(_bits(reduce_windows(op, x, lo, hi)), _bits(want))
    assert len(reduce_windows(np.maximum, x, np.zeros(0, int), np.zeros(0, int))) == 0
