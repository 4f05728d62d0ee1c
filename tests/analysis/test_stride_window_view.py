"""`stride_window.lag_windows`, the correlation windows of `stride_windows` made by one ndarray
constructor, is numpy's `sliding_window_view` (the same elements at the same addresses), and
`lag_dots` (np.vecdot where numpy has it) gives the stacked matmul's correlations to the bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplevel.signal import stride_window
from hiplevel.signal.stride_window import lag_dots, lag_windows


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
