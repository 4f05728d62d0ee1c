"""`signal.tied_median`: the median by counts of a mostly tied array is numpy's median to the bit."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal.fusion import sample_rate_hz
from hiplevel.signal.tied_median import median_bounds, median_step, tied_median

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


@pytest.mark.parametrize("seed", range(3))
def test_median_bounds_hold_numpys_median(seed: int) -> None:
    """Noise, rounded noise (ties), a drifting walk and tied values with NaN: a <= median <= b
    (a == b == NaN with a NaN), and mostly a proper interval for long arrays (the counting path)."""
    rng = np.random.default_rng(seed)
    bounded = 0
    for it in range(1200):
        n = int(rng.integers(1, 3000))
        kind = it % 4
        x = (rng.normal(size=n) if kind == 0 else np.round(rng.normal(size=n), 1) if kind == 1
             else np.cumsum(rng.normal(size=n)) if kind == 2 else rng.choice([1.0, 2.0, np.nan, -0.0, 0.0], size=n))
        with np.errstate(all="ignore"):
            m = np.median(x)
        a, b = median_bounds(x)
        if np.isnan(m):
            assert np.isnan(a) and np.isnan(b)
        else:
            assert a <= m <= b
            bounded += a < b
    assert bounded > 600


def test_the_upright_test_from_bounds_is_the_test_of_the_median() -> None:
    """`neutral._within` with bounds from `median_bounds` answers as abs(value - median) <= the
    tolerance, for values near, far and across the tolerance, and NaN."""
    from hiplevel.signal import neutral

    rng = np.random.default_rng(5)
    for _ in range(3000):
        x = np.cumsum(rng.normal(size=int(rng.integers(130, 2000)))) * 0.3
        m = float(np.median(x))
        bounds = median_bounds(x)
        for v in (m + rng.normal() * 12, m + 10.0, m - 10.0, np.nextafter(m + 10.0, np.inf), np.nan):
            assert neutral._within(v, bounds, lambda which: m, 0) == (abs(v - m) <= neutral.UPRIGHT_TOLERANCE_DEG)
