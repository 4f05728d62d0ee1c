"""The optional compiled block loop of the blocked biquad (`hiplevel._native.filterkernel`) gives
the numpy loop's results to the bit (`sosfilt` with and without start states, one and several
columns, a padded last block, `sosfiltfilt`), with the kernel and with `HIPLEVEL_NO_NATIVE=1`."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel._native import filter_kernel
from hiplevel.signal.biquad import butter_sos, sosfilt, sosfilt_zi, sosfiltfilt

needs_kernel = pytest.mark.skipif(filter_kernel() is None, reason="the compiled filter kernel is not built here "
                                  "(no C compiler when the package was installed): the numpy loop is used")


def filter_kernel_built():
    """The kernel, whatever HIPLEVEL_NO_NATIVE says (the test compares it with the Python loop)."""
    import importlib

    return importlib.import_module("hiplevel._native.filterkernel")


def _same(x: np.ndarray, y: np.ndarray) -> None:
    assert x.shape == y.shape
    np.testing.assert_array_equal(np.ascontiguousarray(x).view(np.int64), np.ascontiguousarray(y).view(np.int64))


@needs_kernel
@pytest.mark.parametrize("n", [33, 64 * 37 + 11, 40_000])
def test_the_compiled_biquad_loop_is_the_numpy_loop_to_the_bit(monkeypatch, n: int) -> None:
    rng = np.random.default_rng(n)
    x1 = rng.normal(size=n).cumsum() * 0.1
    x3 = rng.normal(size=(n, 3))
    low = butter_sos(4, 4.0 / 50.0)
    band = butter_sos(2, (0.01, 0.3), "band")

    def run():
        zi = sosfilt_zi(low)[:, :, None] * x3[:1]
        y, zf = sosfilt(low, x3, zi=zi)
        return (sosfilt(low, x1), sosfilt(band, x3), y, zf, sosfiltfilt(low, x1), sosfiltfilt(band, x3))

    native = run()
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    assert filter_kernel() is None
    numpy_only = run()
    for x, y in zip(native, numpy_only):
        _same(x, y)


@needs_kernel
@pytest.mark.parametrize("seed", range(3))
def test_the_compiled_stance_chain_is_the_python_loop_to_the_bit(monkeypatch, seed: int) -> None:
    from hiplevel.exercises.walking_side import StanceSideDecider, _forward_backward

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    evidence = rng.normal(size=n) * rng.choice([0.1, 1.0, 40.0])  # weak, typical and clipped evidence
    repeat = rng.choice([0.0, 0.01, 0.3, 1.0], size=max(n - 1, 0))  # both ends clamped as well
    decider = StanceSideDecider()
    native = decider.decide(evidence, repeat)
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    python_only = decider.decide(evidence, repeat)
    assert native.sides == python_only.sides
    _same(native.confidence, python_only.confidence)
    # The recursions themselves, before the posterior's exp rounds them together.
    em = np.column_stack([evidence, -evidence])
    fwd, bwd = np.zeros((n, 2)), np.zeros((n, 2))
    fwd[0] = rng.normal(size=2)
    fwd_py, bwd_py = fwd.copy(), bwd.copy()
    filter_kernel_built().forward_backward(em, repeat.astype(float), fwd, bwd)
    _forward_backward(em, repeat, fwd_py, bwd_py)
    _same(fwd, fwd_py)
    _same(bwd, bwd_py)
