"""The compiled zero-phase filter (`filterkernel.filtfilt`: `biquad.sosfiltfilt` whole, the odd
extension, both passes and the middle's copy in C) gives the results of the path it replaced (the
padded copy through `biquad._passes_compiled`, section by section) and of the numpy block loop
(`HIPLEVEL_NO_NATIVE=1`) to the bit, for random lengths, paddings, column counts and layouts,
filter types and orders (one to four sections)."""

from __future__ import annotations

import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplevel._native import filter_kernel
from hiplevel.signal import biquad
from hiplevel.signal.biquad import butter_sos, sosfiltfilt
from hiplevel.signal.filters import zero_phase_lowpass

needs_kernel = pytest.mark.skipif(filter_kernel() is None or not hasattr(filter_kernel(), "filtfilt"),
                                  reason="the compiled filter kernel is not built here: the numpy loop is used")


def _same(x: np.ndarray, y: np.ndarray) -> None:
    assert x.shape == y.shape
    np.testing.assert_array_equal(np.ascontiguousarray(x).view(np.int64), np.ascontiguousarray(y).view(np.int64))


def _designs(kind: int, order: int) -> np.ndarray:
    if kind == 0:
        return butter_sos(order, 0.04 + 0.05 * order)
    if kind == 1:
        return butter_sos(order, 0.02 * order, "high")
    return butter_sos(max(1, order // 2), (0.01, 0.2 + 0.1 * order), "band")


def _three_ways(sos: np.ndarray, x: np.ndarray, padlen: int) -> tuple[np.ndarray, ...]:
    """sosfiltfilt with `filtfilt`, with the kernel's sections alone (the path before it) and in numpy."""
    kernel = filter_kernel()
    assert kernel is not None and hasattr(kernel, "filtfilt")
    whole = sosfiltfilt(sos, x, padlen=padlen)
    sections_only = types.SimpleNamespace(biquad_section=kernel.biquad_section, biquad_blocks=kernel.biquad_blocks)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(biquad, "filter_kernel", lambda: sections_only)
        before = sosfiltfilt(sos, x, padlen=padlen)
        mp.setattr(biquad, "filter_kernel", lambda: None)
        numpy_only = sosfiltfilt(sos, x, padlen=padlen)
    return whole, before, numpy_only


@needs_kernel
@settings(max_examples=150, deadline=None)
@given(n=st.integers(2, 3000), m=st.integers(1, 3), layout=st.sampled_from(["c", "reversed", "strided", "column"]),
       kind=st.integers(0, 2), order=st.integers(1, 4), pad_frac=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1))
def test_compiled_filtfilt_is_the_section_path_and_numpy_to_the_bit(n, m, layout, kind, order, pad_frac,
                                                                    seed) -> None:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(2 * n, m + 1)).cumsum(axis=0) * rng.choice([1e-3, 1.0, 300.0])
    x = {"c": base[:n, :m], "reversed": base[n - 1 :: -1, :m], "strided": base[::2, :m],
         "column": base[:n, m]}[layout]
    if m == 1 and layout != "column":
        x = x[:, 0]
    padlen = min(n - 1, int(pad_frac * 3 * 64))
    whole, before, numpy_only = _three_ways(_designs(kind, order), x, padlen)
    assert whole.flags.c_contiguous and whole.shape == x.shape
    _same(whole, before)
    _same(whole, numpy_only)


@needs_kernel
@pytest.mark.parametrize("n", [6_144 - 40, 6_144 + 1, 49_326])
def test_zero_phase_lowpass_of_long_chunks_is_the_section_paths(n: int) -> None:
    """The analysis' filter on chunk lengths as the hour's (tens of thousands of samples: chains of
    block starts one level deep; whole tiles of eight blocks read and written at once; 6,144 + 80
    extended samples: a padded last tile) at its cut-offs: the section path's values to the bit."""
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, 2)).cumsum(axis=0) * 0.01
    for cutoff in (2.0, 4.0, 6.0):
        for xs in (x, x[:, 1]):
            padlen = min(n - 1, 3 * int(100.0 / cutoff))
            got = zero_phase_lowpass(xs, cutoff, 100.0)
            whole, before, _ = _three_ways(biquad.butter_sos(2, cutoff / 50.0), xs, padlen)
            _same(got, whole)
            _same(got, before)


@needs_kernel
def test_filtfilt_rejects_bad_arguments() -> None:
    kernel = filter_kernel()
    sos = butter_sos(2, 0.1)
    plans = biquad._section_plans(sos, 120)
    zi = biquad.sosfilt_zi(sos)
    x = np.zeros((100, 1))
    with pytest.raises(ValueError):
        kernel.filtfilt(x, np.empty((99, 1)), zi, plans, 10, biquad._block_length(120))  # out of another shape
    with pytest.raises(ValueError):
        kernel.filtfilt(x, np.empty((100, 1)), zi, plans, 100, biquad._block_length(300))  # padlen >= n
    with pytest.raises(ValueError):
        kernel.filtfilt(x, np.empty((100, 1)), zi[:, :1].copy(), plans, 10, biquad._block_length(120))
