"""The grid's sample numbers made as floats (`grid.grid_steps`): the values `np.arange(a, b)` gives,
so the grid times (t0 + k / rate) are those of the int64 arange divided, to the bit."""

from __future__ import annotations

import numpy as np

from hiplevel.signal.grid import grid_steps


def test_grid_steps_are_the_int_arange_as_floats_and_give_the_same_times() -> None:
    for a, b in ((0, 0), (0, 1), (3, 70_000), (2**40, 2**40 + 1000), (2**53 - 5, 2**53)):
        k = grid_steps(a, b)
        assert k.dtype == np.float64
        np.testing.assert_array_equal(k, np.arange(a, b).astype(np.float64))
        for t0, rate in ((0.0, 100.0), (12.345678, 99.99713), (1.7e9, 1 / 0.0123)):
            assert (t0 + k / rate).tobytes() == (t0 + np.arange(a, b) / rate).tobytes()
