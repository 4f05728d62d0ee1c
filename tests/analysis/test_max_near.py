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
