"""`exact_median.median` is np.median to the bit (the analysis calls it ~1,000 times a walk; issue 13):
odd and even lengths, integers, ties, signed zeros, NaN, infinities, huge values, along axis 0 of
a 2-D array, lists; other inputs go to np.median itself."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from hiplevel.signal.exact_median import median


def _same(got, want) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    if want.dtype == np.float64:
        np.testing.assert_array_equal(got.view(np.int64), want.view(np.int64))
    else:
        np.testing.assert_array_equal(got, want)


def _cases(rng, n: int):
    yield rng.normal(size=n)
    yield rng.integers(-5, 5, n)
    yield np.round(rng.normal(size=n), 1)
    yield rng.choice([0.0, -0.0, 1.0, -1.0], n)
    x = rng.normal(size=n)
    x[rng.integers(0, n)] = np.nan
    yield x
    x = rng.normal(size=n)
    x[rng.integers(0, n)], x[rng.integers(0, n)] = np.inf, -np.inf
    yield x
    yield rng.integers(0, 10**12, n)
    yield rng.normal(size=n) * 1e300
    yield np.full(n, -0.0)


@pytest.mark.parametrize("n", [*range(1, 24), 100, 101, 4001])
def test_median_is_numpys_to_the_bit(n: int) -> None:
    rng = np.random.default_rng(n)
    for x in _cases(rng, n):
        _same(median(x), np.median(x))
        _same(median(list(x)), np.median(list(x)))
        both = np.stack([x, x[::-1]], axis=1)
        _same(median(both, axis=0), np.median(both, axis=0))


def test_other_inputs_go_to_numpy() -> None:
    x = np.arange(12.0).reshape(3, 4)
    _same(median(x), np.median(x))  # no axis: all values
    _same(median(x, axis=1), np.median(x, axis=1))
    _same(median(x.astype(np.float32)), np.median(x.astype(np.float32)))
    _same(median(np.array([True, False, True])), np.median(np.array([True, False, True])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(median(np.zeros(0)))
