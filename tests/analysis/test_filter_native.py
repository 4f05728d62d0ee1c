"""The optional compiled biquad section (`hiplevel._native.filterkernel`: the whole blocked section,
and the older block loop alone) gives the numpy loop's results to the bit (`sosfilt` with and
without start states, one and several columns, a padded last block, chains of block starts one,
two and three levels deep, strided and reversed inputs, `sosfiltfilt`), with the kernel and with
`HIPLEVEL_NO_NATIVE=1`."""

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
@pytest.mark.parametrize("n", [33, 2_000, 6_144, 6_145, 70_000, 366_652])
def test_the_compiled_section_is_the_numpy_section_to_the_bit(monkeypatch, n: int) -> None:
    """`filterkernel.biquad_section` against the numpy path and against the block loop alone
    (`biquad_blocks`, a kernel built before the section was): 366,652 samples (an hour at 100 Hz)
    chain their 5,729 block starts through two blocked levels; 6,144 samples are 12 whole tiles of
    eight 64-sample blocks (`tile_in`, `tile_out`), 6,145 the same and a padded tile."""
    import types

    from hiplevel.signal import biquad

    rng = np.random.default_rng(n)
    base = rng.normal(size=(n, 4)) * [0.01, 1.0, 40.0, 300.0]
    low, high = butter_sos(2, 2.0 / 50.0), butter_sos(2, 0.4 / 50.0, "high")
    inputs = [base[:, 0], base[:, :2], base[::-1, 1:], base[:, ::3], base[::-1, 2]]

    def run():
        out = []
        for x in inputs:
            zi = rng.normal(size=(1, 2) + x.shape[1:])
            out += [sosfiltfilt(low, x), sosfiltfilt(high, x), *sosfilt(low, x, zi=zi)]
        return out

    state = rng.bit_generator.state
    native = run()
    kernel = filter_kernel_built()
    loop_only = types.SimpleNamespace(biquad_blocks=kernel.biquad_blocks)
    monkeypatch.setattr(biquad, "filter_kernel", lambda: loop_only)
    rng.bit_generator.state = state
    blocks_only = run()
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    monkeypatch.setattr(biquad, "filter_kernel", filter_kernel)
    rng.bit_generator.state = state
    numpy_only = run()
    for x, y, z in zip(native, blocks_only, numpy_only):
        _same(x, z)
        _same(y, z)


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


@needs_kernel
@pytest.mark.parametrize("n", [40, 3_000, 70_000])
def test_the_zero_phase_passes_in_place_are_sosfilts_to_the_bit(monkeypatch, n: int) -> None:
    """`sosfiltfilt` runs its two passes through the compiled sections in place on its own padded
    copy (`biquad._passes_compiled`): the values of the two `sosfilt` calls it replaced, to the
    bit, for one and several sections, one and several columns, strided and reversed inputs and no
    padding; the caller's array is left as it was."""
    from hiplevel.signal import biquad

    rng = np.random.default_rng(n)
    base = rng.normal(size=(n, 3)).cumsum(axis=0)
    designs = [butter_sos(2, 0.04), butter_sos(4, (0.02, 0.3), "band"), butter_sos(3, 0.1, "high")]
    for sos in designs:
        zi = sosfilt_zi(sos)
        for x in (base[:, 0], base[:, :2], base[::-1, 1:], base[::2, 2], base):
            before = x.copy()
            for pad in (0, min(len(x) - 1, 60)):
                got = sosfiltfilt(sos, x, padlen=pad)
                _same(x, before)
                assert got.flags.c_contiguous and got.shape == x.shape
                ext = biquad.concat_rows([2 * x[:1] - x[pad:0:-1], x, 2 * x[-1:] - x[-2:-(pad + 2):-1]]) if pad else x
                z = zi.reshape((len(sos), 2) + (1,) * (x.ndim - 1))
                y, _ = sosfilt(sos, ext, zi=z * ext[:1])
                y, _ = sosfilt(sos, y[::-1], zi=z * y[-1:])
                want = y[::-1][pad:len(y) - pad] if pad else y[::-1]
                _same(got, np.ascontiguousarray(want))
                if len(ext) > biquad._DIRECT_MAX_SAMPLES:  # shorter ones: sosfilt's plain loop, as before
                    ours = biquad._passes_compiled(filter_kernel(), sos, np.array(ext).reshape(len(ext), -1), zi)
                    _same(np.ascontiguousarray(ours).reshape(ext.shape), np.ascontiguousarray(y[::-1]))
