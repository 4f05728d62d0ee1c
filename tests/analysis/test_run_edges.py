"""`filters.run_edges` (the starts and ends of a boolean mask's True runs from one comparison of
neighbours) gives the numpy idiom it replaced, `np.flatnonzero(np.diff(np.r_[0, m.astype(np.int8),
0]))`, to the value and dtype: empty, one sample, all and none set, runs at both ends, integer masks."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal.filters import run_edges
from hiplevel.signal.neutral import runs


def _idiom(mask) -> np.ndarray:
    return np.flatnonzero(np.diff(np.r_[0, np.asarray(mask, bool).astype(np.int8), 0]))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 17, 1_000])
def test_run_edges_are_the_idioms(n: int) -> None:
    rng = np.random.default_rng(n)
    masks = [np.zeros(n, bool), np.ones(n, bool), rng.integers(0, 3, n)]
    masks += [rng.random(n) < p for p in (0.05, 0.5, 0.95)]
    for m in masks:
        got, want = run_edges(m), _idiom(m)
        assert got.dtype == want.dtype and got.tolist() == want.tolist()
        assert runs(m) == [(int(a), int(b)) for a, b in zip(want[::2], want[1::2])]
