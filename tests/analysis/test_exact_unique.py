"""`exact_median.unique` is np.unique(x).tolist() for the integer arrays the analysis takes distinct
values of (set ids, contact indices, window lengths: issue 13, without np.unique's import of
numpy.ma): ascending Python ints, duplicates once, empty in, empty out."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal.exact_median import unique


@pytest.mark.parametrize("seed", range(20))
def test_unique_is_numpys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(-50, 50, size=int(rng.integers(0, 300)))
    if seed % 2:
        x = np.cumsum(x > 0)  # set ids: a running count
    got = unique(x)
    assert got == np.unique(x).tolist()
    assert all(type(k) is int for k in got)


def test_unique_of_bools_and_empty() -> None:
    assert unique(np.array([], dtype=np.int64)) == []
    assert unique(np.array([True, False, True])) == [False, True]
