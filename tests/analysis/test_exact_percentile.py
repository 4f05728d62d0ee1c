"""`exact_median.percentile` is np.percentile (default 'linear' method) to the bit (issue 13: the
band-walk and single-leg-stance analyses take it without np.percentile's import of numpy.ma):
random lengths 1-5,000, ties, sorted and unsorted, signed zeros, NaN, infinities, the q values the
analysis uses (5, 10, 50, 95 as int and float) and random ones, 0 and 100; other inputs go to
np.percentile itself."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal.exact_median import percentile

ANALYSIS_Q = [5, 10, 50, 95, 5.0, 10.0, 50.0, 95.0, 0, 100, 0.0, 100.0]


def _same(got, want) -> None:
    assert type(got) is type(want)
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert got.tobytes() == want.tobytes()


def _values(rng, n: int, kind: int) -> np.ndarray:
    x = rng.normal(size=n) * 10.0 ** int(rng.integers(-3, 4))
    if kind == 1:
        x = np.round(x, 1)  # ties
    elif kind == 2:
        x = np.sort(x)
    elif kind == 3:
        x = rng.integers(0, 4, n) * rng.choice([1.0, -0.0, 0.0])  # many ties, signed zeros
    elif kind == 4:
        x[rng.integers(0, n)] = rng.choice([np.nan, np.inf, -np.inf])
    elif kind == 5:
        x = np.abs(x)[::-1]
    return x


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf - inf, as in np.percentile
@pytest.mark.parametrize("seed", range(4))
def test_percentile_is_numpys_to_the_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for i in range(1500):
        n = int(rng.integers(1, 12) if i % 2 else rng.integers(1, 5001))
        x = _values(rng, n, i % 6)
        q = ANALYSIS_Q[i % len(ANALYSIS_Q)] if i % 3 else float(rng.uniform(0, 100))
        _same(percentile(x, q), np.percentile(x, q))
    x = np.array([3.0, 1.0, 2.0])
    percentile(x, 50)
    assert x.tolist() == [3.0, 1.0, 2.0]


def test_other_inputs_go_to_numpy() -> None:
    x = np.arange(12.0).reshape(3, 4)
    _same(percentile(x, 50), np.percentile(x, 50))  # 2-D: all values
    _same(percentile(x.astype(np.float32).ravel(), 95), np.percentile(x.astype(np.float32).ravel(), 95))
    _same(percentile(np.arange(7), 10), np.percentile(np.arange(7), 10))
    _same(percentile(np.arange(7.0), np.float32(10)), np.percentile(np.arange(7.0), np.float32(10)))
    with pytest.raises(ValueError):
        percentile(np.arange(7.0), 101)
    for f in (percentile, np.percentile):
        with pytest.raises(IndexError):  # no values
            f(np.zeros(0), 50)
