"""`signal.tied_median`: the median by counts of a mostly tied array is numpy's median to the bit."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal.fusion import sample_rate_hz
from hiplevel.signal.tied_median import median_step, tied_median

VALUES = [0.01, 0.01 + 1e-17, 0.01 - 2e-17, -0.0, 0.0, np.nan, np.inf, -np.inf, 1e300, 5e-324]


def _same(a: float, b: float) -> bool:
    return np.float64(a).tobytes() == np.float64(b).tobytes()


@pytest.mark.parametrize("seed", range(4))
def test_tied_values_give_numpys_median(seed: int) -> None:
    """Few distinct values (ties at the middle or not, NaN, infinities, signed zeros, odd and even
    counts, around the candidate sample's size): the same bits as np.median."""
    rng = np.random.default_rng(seed)
    checked = 0
    for _ in range(1500):
        n = int(rng.integers(1, 700))
        vals = rng.choice(VALUES, size=int(rng.integers(1, 5)))
        x = rng.choice(vals, size=n, p=rng.dirichlet(np.ones(len(vals)) * 0.3))
        with np.errstate(all="ignore"):  # inf + -inf at the middle: numpy's own warning
            ref, ours = np.median(x), tied_median(x)
        assert _same(ours, ref), x
        checked += n >= 130
    assert checked > 500  # most arrays are long enough for the counting path


def test_a_grid_and_a_jittered_clock_give_numpys_rate() -> None:
    """A uniform grid's steps (a few values ulps apart, one of them most steps), a grid whose tie
    is not the majority, and a jittered clock (no ties: the partition)."""
    rng = np.random.default_rng(7)
    grids = [1234.5 + np.arange(n) / 100.24437605207142 for n in (65_536, 134_174, 141_790, 106_398, 131, 999)]
    jittered = np.cumsum(rng.uniform(0.009, 0.011, 50_000))
    for t in grids + [jittered]:
        assert _same(median_step(t), np.median(np.diff(t)))
        assert _same(sample_rate_hz(t), 1.0 / float(np.median(np.diff(t))))
