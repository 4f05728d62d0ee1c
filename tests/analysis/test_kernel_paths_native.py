"""The compiled kernels' faster paths against the numpy paths, to the bit, on the inputs that leave
them (`gridkernel.corrected_sensor`: runs not in order, infinite or NaN bias means, samples before
the first run's centre and after the last; `gridkernel.interp_columns`: three, six and seven
columns, repeated and unsorted sample times, grid times running backwards; `fusekernel.blend`:
the pieces its backward rows are turned in, and a blend whose output shares memory with an input)."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import native_and_numpy

from hiplevel._native import fuse_kernel, grid_kernel
from hiplevel.signal.interp import interp_columns
from hiplevel.signal.rest_bias import RestRunBias
from hiplevel.signal.sensor_correction import corrected_sensor, fusion_inputs
from hiplevel.signal.turns import NO_ERRORS, TurnErrors

needs_grid = pytest.mark.skipif(grid_kernel() is None or not hasattr(grid_kernel(), "corrected_sensor"),
                                reason="the compiled grid kernel is not built here: the numpy path is used")
needs_fuse = pytest.mark.skipif(fuse_kernel() is None, reason="the compiled fusion kernel is not built here")


@needs_grid
# inf - inf in the numpy path's bias is NaN, as in the kernel: numpy says so aloud.
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("case", ["unsorted", "infinite", "nan", "ends"])
def test_the_corrected_sensor_leaves_its_interval_loop_as_numpy_would(monkeypatch, case: str) -> None:
    rng = np.random.default_rng(["unsorted", "infinite", "nan", "ends"].index(case))
    errors = TurnErrors(np.r_[rng.normal(size=2) * 0.01, 0.0], rng.normal(size=2) * 0.02, 12)
    for trial in range(12):
        n, lo = int(rng.integers(1, 2500)), int(rng.integers(-300, 3000))
        acc, gyro = rng.normal(size=(n, 3)), rng.normal(size=(n, 3)) * 30.0
        starts = rng.choice(np.arange(0, 4000, 13), int(rng.integers(2, 9)), replace=False)
        if case != "unsorted":
            starts = np.sort(starts)
        if case == "ends":  # every row before the first centre, or after the last
            starts = np.sort(starts) + (lo + n + 50 if trial % 2 else lo - 5000)
        means = rng.normal(size=(len(starts), 3))
        if case == "infinite":
            means[rng.integers(len(starts)), rng.integers(3)] = np.inf * rng.choice([-1, 1])
        if case == "nan":
            means[rng.integers(len(starts)), rng.integers(3)] = np.nan
        runs = [RestRunBias(int(a), int(a) + int(rng.integers(3, 300)), b, 0.1, np.array([0.0, 0.0, 1.0]))
                for a, b in zip(starts, means)]
        for fn in (lambda: corrected_sensor(acc, gyro, lo, runs, errors),
                   lambda: corrected_sensor(acc, gyro, lo, runs, NO_ERRORS),
                   lambda: fusion_inputs(acc, gyro, lo, runs, errors)):
            native, numpy_only = native_and_numpy(monkeypatch, fn)
            assert all(a.tobytes() == b.tobytes() for a, b in zip(native, numpy_only))


@needs_grid
@pytest.mark.parametrize("k", [3, 6, 7])
def test_the_interpolation_of_three_six_and_seven_columns_is_numpys(monkeypatch, k: int) -> None:
    rng = np.random.default_rng(k)
    for trial in range(60):
        m, n = int(rng.integers(2, 300)), int(rng.integers(1, 400))
        xp = np.cumsum(rng.uniform(0.0, 1.0, m) * (rng.random(m) > 0.2))  # some times repeated
        if trial % 5 == 0:
            xp = rng.uniform(0.0, 10.0, m)  # not sorted
        x = np.sort(rng.uniform(xp.min() - 1.0, xp.max() + 1.0, n))
        if trial % 3 == 1:
            x = x[::-1].copy()  # backwards: the interval never the previous one or the next
        if trial % 4 == 2:
            x[rng.integers(n, size=min(n, 7))] = xp[rng.integers(m, size=min(n, 7))]
        fp = rng.normal(size=(m, k)) * 10.0 ** rng.uniform(-3, 3)
        if trial % 7 == 3:
            fp[rng.integers(m), rng.integers(k)] = np.inf
        if trial % 9 == 4:
            fp[rng.integers(m), rng.integers(k)] = np.nan
        expected = np.column_stack([np.interp(x, xp, fp[:, c]) for c in range(k)])
        native, numpy_only = native_and_numpy(monkeypatch, lambda: interp_columns(x, xp, fp))
        assert native.tobytes() == expected.tobytes() == numpy_only.tobytes()


def _blend_numpy(fwd, e_f, bwd, e_b, floor2):
    bwd, e_b = bwd[::-1], e_b[::-1]
    x = fwd * (1.0 / (e_f**2 + floor2))[:, None] + bwd * (1.0 / (e_b**2 + floor2))[:, None]
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@needs_fuse
@pytest.mark.parametrize("n", [1, 5, 4095, 4096, 4097, 12_300])
def test_the_blend_in_pieces_is_numpys(n: int) -> None:
    rng = np.random.default_rng(n)
    fwd, bwd = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    e_f, e_b = rng.uniform(0.0, 3.0, n), rng.uniform(0.0, 3.0, n)
    expected = _blend_numpy(fwd, e_f, bwd, e_b, 0.04)
    fuse_kernel().blend(fwd, e_f, bwd, e_b, 0.04)
    assert fwd.tobytes() == expected.tobytes()


@needs_fuse
def test_a_blend_into_its_own_backward_pass_goes_row_by_row() -> None:
    rng = np.random.default_rng(1)
    n = 300
    x, e = rng.normal(size=(n, 3)), rng.uniform(0.0, 3.0, n)
    expected = x.copy()
    for i in range(n):  # row i written before row n - 1 - i is read when i < n - 1 - i
        r = n - 1 - i
        y = expected[i] * (1.0 / (e[i] * e[i] + 0.04)) + expected[r] * (1.0 / (e[r] * e[r] + 0.04))
        expected[i] = y / np.sqrt((y[0] * y[0] + y[1] * y[1]) + y[2] * y[2])
    fuse_kernel().blend(x, e, x, e, 0.04)
    assert x.tobytes() == expected.tobytes()
