"""The compiled tilt moves of the walking posture rule (`tiltkernel.tilt_moves`) against the numpy
column path it replaces (`walking_posture_change._tilt_cosines`): the least cosines to the bit
(window means from the column sums, the 1e-12 floor of the norm, the clipped windows at the
stretch's ends, a NaN met), and `tilt_moves_deg` the same with the kernel and without. Bad
arguments raise instead of reading past an array."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import native_and_numpy
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplevel._native import tilt_kernel
from hiplevel.exercises.walking_motion import einsum_order_ok
from hiplevel.exercises.walking_posture_change import _column_sums, _tilt_cosines, tilt_moves_deg

# (the kernel stands in for the column path, which runs where numpy's einsum sums a row in its order)
needs_kernel = pytest.mark.skipif(tilt_kernel() is None or not einsum_order_ok(),
                                  reason="the compiled tilt kernel is not built here, or not used")


def _same(x: np.ndarray, y: np.ndarray) -> None:
    """Equal bits, a NaN equal to any NaN (its sign is the arithmetic's, not the rule's)."""
    assert x.shape == y.shape
    nan = np.isnan(x)
    assert np.array_equal(nan, np.isnan(y))
    np.testing.assert_array_equal(x[~nan].view(np.int64), y[~nan].view(np.int64))


def _up(rng: np.random.Generator, n: int, kind: int) -> np.ndarray:
    up = rng.normal(0.0, 0.3, (n, 3)) + [0.05, -0.1, 0.95]
    if kind == 1:
        up[: n // 2] = 0.0  # zero windows: the norm's 1e-12 floor
    elif kind == 2:
        up[rng.integers(0, n)] = np.nan  # a lost sample: NaN windows
    elif kind == 3:
        up[:, 1] = -0.0  # signed zeros in the sums and products
    return up


@needs_kernel
@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 700), kind=st.integers(0, 3),
       stride=st.integers(1, 800), width=st.integers(0, 200), every=st.integers(1, 40), contacts=st.integers(1, 40))
def test_the_kernel_is_the_column_path_to_the_bit(seed, n, kind, stride, width, every, contacts) -> None:
    rng = np.random.default_rng(seed)
    up = _up(rng, n, kind)
    k = np.sort(rng.integers(-5, n + 5, contacts)).astype(np.int64)  # contacts near and past the ends
    side = np.arange(0, width + 1, every)
    stride = min(stride, n)
    before, after = np.empty(contacts), np.empty(contacts)
    tilt_kernel().tilt_moves(up, k, side, stride, before, after)
    want = _tilt_cosines(_column_sums(up), n, stride, k, side)
    _same(before, want[0])
    _same(after, want[1])


@needs_kernel
@pytest.mark.parametrize("seed", range(3))
def test_tilt_moves_are_the_same_with_the_kernel_and_without(monkeypatch, seed: int) -> None:
    rng = np.random.default_rng(seed)
    up = _up(rng, 6000, seed % 2)
    up[2000:2600] += np.linspace(0.0, 1.5, 600)[:, None] * [1.0, 0.0, -0.5]  # a posture change
    c = np.cumsum(rng.integers(40, 70, 90)) + 30

    def run():
        before, after, span_of = tilt_moves_deg(up, c, 55, 2.5)
        return before, after, np.array([span_of(j) for j in range(0, len(c), 7)])

    native, numpy_only = native_and_numpy(monkeypatch, run)
    assert np.nanmax(native[0]) > 15.0  # the change moves the tilt: the rule's branch is exercised
    for x, y in zip(native, numpy_only):
        _same(x, y)


@needs_kernel
def test_bad_arguments_raise() -> None:
    kernel, up = tilt_kernel(), np.zeros((10, 3))
    k, side, out = np.array([1, 5]), np.array([0, 2]), np.empty(2)
    for args in ((up, k, side, 11, out, out.copy()),  # a stride longer than the stretch
                 (up, k, side, 0, out, out.copy()),
                 (up, k, side, 3, np.empty(3), out),  # an output of another length
                 (up, k.astype(np.int32), side, 3, out, out.copy()),
                 (up, k, np.array([], dtype=np.int64), 3, out, out.copy()),
                 (np.zeros((0, 3)), k, side, 1, out, out.copy()),
                 (up[:, :2].copy(), k, side, 3, out, out.copy())):
        with pytest.raises(ValueError):
            kernel.tilt_moves(*args)
