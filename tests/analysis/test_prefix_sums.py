"""`filters.prefix_sums`, the running sums the walking side cues and step sways difference: the
values of the concatenated formula it replaces, to the bit (signed zeros included)."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal.filters import prefix_sums


@pytest.mark.parametrize("n", [0, 1, 2, 7, 1000, 50_000])
def test_prefix_sums_are_the_concatenated_cumsum_to_the_bit(n: int) -> None:
    rng = np.random.default_rng(n)
    x = rng.normal(size=n) * 10.0 ** rng.integers(-8, 8, n)
    if n:
        x[0] = -0.0  # the first sum keeps its sign, as the cumsum's does
        x[rng.random(n) < 0.05] = 0.0
    got = prefix_sums(x)
    want = np.concatenate(([0.0], np.cumsum(x)))
    assert got.dtype == want.dtype and got.shape == (n + 1,)
    assert got.tobytes() == want.tobytes()


def test_prefix_sums_of_ints_are_float_sums() -> None:
    x = np.array([3, -1, 4, 1, -5])
    assert prefix_sums(x).tobytes() == np.concatenate(([0.0], np.cumsum(x.astype(float)))).tobytes()
