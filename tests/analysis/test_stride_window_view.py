"""The float steps of `stride_window.stride_windows`, each numpy's former expression to the bit:
`lag_windows` (one ndarray constructor) is `sliding_window_view` (the same elements at the same
addresses), `lag_dots` (np.vecdot where numpy has it) the stacked matmul's correlations, `row_var`
`x.var(axis=-1)`, and `lag_differences` as a whole the expressions it replaced."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplevel.signal import stride_window
from hiplevel.signal.filters import running_sums
from hiplevel.signal.stride_window import lag_differences, lag_dots, lag_windows, row_var


@settings(max_examples=200, deadline=None)
@given(k=st.integers(1, 5), width=st.integers(2, 300), lo_frac=st.floats(0.0, 1.0), m_frac=st.floats(0.0, 1.0),
       seed=st.integers(0, 2**32 - 1))
def test_lag_windows_are_the_sliding_window_view(k, width, lo_frac, m_frac, seed) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(k, 2, width))
    m = 1 + int(m_frac * (width - 1))
    lo = int(lo_frac * (width - m))
    want = np.lib.stride_tricks.sliding_window_view(x[:, :, lo:], m, axis=2)
    got = lag_windows(x, lo, m)
    assert got.shape == want.shape and got.strides == want.strides
    assert got.__array_interface__["data"][0] == want.__array_interface__["data"][0]
    np.testing.assert_array_equal(got.view(np.int64), want.view(np.int64))
    near = x[:, :, :m]
    dots = np.matmul(got[:, :, :, None, :], near[:, :, None, :, None])
    np.testing.assert_array_equal(dots.view(np.int64),
                                  np.matmul(want[:, :, :, None, :], near[:, :, None, :, None]).view(np.int64))


@settings(max_examples=200, deadline=None)
@given(k=st.integers(1, 6), m=st.integers(1, 200), extra=st.integers(0, 120), offset=st.sampled_from([0.0, 3.0, 1e5]),
       scale=st.sampled_from([1e-3, 1.0, 1e4]), seed=st.integers(0, 2**32 - 1))
def test_lag_dots_are_the_stacked_matmuls(k, m, extra, offset, scale, seed) -> None:
    """Lengths below, at and past BLAS's 16- and 32-value blocks, offsets large against the spread
    (where another order of the products' sums rounds differently)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(k, 2, m + extra)) * scale + offset
    lo = int(rng.integers(0, extra + 1))
    far, near = lag_windows(x, lo, m), x[:, :, :m]
    want = np.matmul(far[:, :, :, None, :], near[:, :, None, :, None])[..., 0, 0]
    got = lag_dots(far, near)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.view(np.int64), want.view(np.int64))


def test_lag_dots_without_vecdot_are_the_matmuls(monkeypatch) -> None:
    """numpy < 2 (no vecdot): the matmul itself."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 2, 200)) + 2.0
    far, near = lag_windows(x, 80, 80), x[:, :, :80]
    with_vecdot = lag_dots(far, near)
    monkeypatch.setattr(stride_window, "_VECDOT", None)
    np.testing.assert_array_equal(lag_dots(far, near).view(np.int64), with_vecdot.view(np.int64))


def _former_differences(x: np.ndarray, lo: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """`stride_windows`' float steps as they were written before (main at stop 43)."""
    k, _, width = x.shape
    hi = width - m
    near = x[:, :, :m]
    sq = np.empty((k, hi + m + 1))
    sq[:, 0] = 0.0
    running_sums((x * x).sum(axis=1), out=sq)
    far_sq = sq[:, lo + m : hi + m + 1] - sq[:, lo : hi + 1]
    far = np.lib.stride_tricks.sliding_window_view(x[:, :, lo:], m, axis=2)
    dots = np.matmul(far[:, :, :, None, :], near[:, :, None, :, None])[..., 0, 0]
    cross = dots[:, 0] + dots[:, 1]
    diff = ((near * near).sum(axis=(1, 2))[:, None] + far_sq - 2.0 * cross) / m
    return diff, 2.0 * x.var(axis=2).sum(axis=1)


@settings(max_examples=150, deadline=None)
@given(k=st.integers(1, 8), m=st.integers(2, 120), extra=st.integers(0, 100), offset=st.sampled_from([0.0, 0.5, 1e3]),
       seed=st.integers(0, 2**32 - 1))
def test_lag_differences_are_the_former_expressions(k, m, extra, offset, seed) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(k, 2, m + extra + 2)) * rng.choice([1e-3, 0.1, 30.0]) + offset * rng.normal(size=(k, 2, 1))
    lo = int(rng.integers(0, extra + 2))
    diff, spread = lag_differences(x, lo, m)
    want_diff, want_spread = _former_differences(x, lo, m)
    assert diff.shape == want_diff.shape and spread.shape == want_spread.shape
    np.testing.assert_array_equal(diff.view(np.int64), want_diff.view(np.int64))
    np.testing.assert_array_equal(spread.view(np.int64), want_spread.view(np.int64))


@settings(max_examples=150, deadline=None)
@given(shape=st.tuples(st.integers(1, 6), st.integers(1, 3), st.integers(1, 600)), offset=st.sampled_from([0.0, 1e4]),
       seed=st.integers(0, 2**32 - 1))
def test_row_var_is_numpys_var(shape, offset, seed) -> None:
    """Rows short and past numpy's 128-value pairwise blocks (its sums' order), offsets large
    against the spread."""
    x = np.random.default_rng(seed).normal(size=shape) + offset
    np.testing.assert_array_equal(row_var(x).view(np.int64), x.var(axis=-1).view(np.int64))
