"""`stride_window.lag_windows`, the correlation windows of `stride_windows` made by one ndarray
constructor, is numpy's `sliding_window_view` (the same elements at the same addresses), and
the correlations taken through it are the same bits."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplevel.signal.stride_window import lag_windows


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
