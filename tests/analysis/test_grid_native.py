"""The optional compiled interpolation of several columns (`hiplevel._native.gridkernel`: the grid's
resampling, the gyro bias between rest runs) gives numpy's `interp` column by column to the bit:
jittered and repeated sample times, times out of order, grid times on the samples and outside them,
lost samples (NaN) and infinities, the grid a simulated recording is resampled onto and the bias
between one or several rest runs, with the kernel and with `HIPLEVEL_NO_NATIVE=1`."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import native_and_numpy

from hiplevel._native import grid_kernel
from hiplevel.signal.interp import interp_columns as _interp_columns

needs_kernel = pytest.mark.skipif(grid_kernel() is None, reason="the compiled grid kernel is not built here "
                                  "(no C compiler when the package was installed): numpy's interp is used")


def _numpy(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    return np.column_stack([np.interp(x, xp, fp[:, c]) for c in range(fp.shape[1])])


@needs_kernel
@pytest.mark.parametrize("seed", range(4))
def test_the_compiled_interpolation_is_numpys_to_the_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for trial in range(300):
        m, n = int(rng.integers(2, 60)), int(rng.integers(1, 200))
        xp = np.cumsum(rng.uniform(0.0, 1.0, m) * (rng.random(m) > 0.1))  # some times repeated
        if trial % 7 == 0:
            xp = rng.uniform(0.0, 10.0, m)  # out of order: the same search, the same answer
        x = rng.uniform(xp.min() - 1.0, xp.max() + 1.0, n)
        if trial % 3 == 0:
            x[rng.integers(n, size=min(n, 5))] = xp[rng.integers(m, size=min(n, 5))]  # on the samples
        if trial % 5 == 0:
            x[rng.integers(n)] = np.nan
        if trial % 2 == 0:
            x = np.sort(x)
        fp = rng.normal(size=(m, 6)) * 10.0 ** rng.uniform(-3, 3)
        if trial % 11 == 0:
            fp[rng.integers(m), rng.integers(6)] = np.inf
        if trial % 13 == 0:
            fp[rng.integers(m), rng.integers(6)] = np.nan
        assert _interp_columns(x, xp, fp).tobytes() == _numpy(x, xp, fp).tobytes()


@needs_kernel
def test_a_simulated_recording_is_gridded_alike(monkeypatch) -> None:
    from hiplevel.signal.grid import GridBuilder
    from hiplevel.signal.timeline import TimelineSettings
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    imu = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], seed=3)).imu
    rng = np.random.default_rng(3)
    t = imu.t_s + rng.uniform(-0.002, 0.002, len(imu.t_s))  # a jittered clock
    values = np.column_stack([imu.acc_g, imu.gyro_dps])

    def grid():
        gb = GridBuilder(0.01, TimelineSettings(), 1024)
        events = []
        for a in range(0, len(t), 700):
            events += gb.feed(t[a : a + 700], values[a : a + 700])
        events += gb.finish()
        return np.concatenate([e.values for e in events if hasattr(e, "values")])

    native, numpy_only = native_and_numpy(monkeypatch, grid)
    assert native.shape == numpy_only.shape and len(native) > 1000
    assert native.tobytes() == numpy_only.tobytes()


@needs_kernel
@pytest.mark.parametrize("n_runs", [1, 2, 5])
def test_the_gyro_bias_between_rest_runs_is_interpolated_alike(monkeypatch, n_runs: int) -> None:
    from hiplevel.signal.rest_bias import RestRunBias, bias_between_runs

    rng = np.random.default_rng(n_runs)
    starts = np.sort(rng.choice(np.arange(0, 90_000, 100), n_runs, replace=False))
    runs = [RestRunBias(int(a), int(a) + 300, rng.normal(size=3) * 0.5, 0.1, np.array([0.0, 0.0, 1.0]))
            for a in starts]
    idx = np.arange(-500, 100_000, 7)
    native, numpy_only = native_and_numpy(monkeypatch, lambda: bias_between_runs(idx, runs))
    assert native.shape == (len(idx), 3) and native.tobytes() == numpy_only.tobytes()
