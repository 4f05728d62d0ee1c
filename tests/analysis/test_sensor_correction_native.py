"""The samples as the fusion used them (`signal.sensor_correction.corrected_sensor`, read by every
detection chunk through `LongTrace.sensor`): the compiled one-pass kernel (`gridkernel.corrected_sensor`)
gives the numpy path's values to the bit: no rest run, one, several (samples before, between and after
their centres, on a centre), turn errors or none, infinities and NaN in the samples, and the sensor
of a simulated walk with turns read as the detectors read it."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import native_and_numpy

from hiplevel._native import grid_kernel
from hiplevel.signal.rest_bias import RestRunBias
from hiplevel.signal.sensor_correction import corrected_sensor
from hiplevel.signal.turns import NO_ERRORS, TurnErrors

needs_kernel = pytest.mark.skipif(grid_kernel() is None or not hasattr(grid_kernel(), "corrected_sensor"),
                                  reason="the compiled grid kernel is not built here: the numpy path is used")


def _runs(rng: np.random.Generator, k: int, span: int) -> list[RestRunBias]:
    starts = np.sort(rng.choice(np.arange(0, span, 37), k, replace=False))
    return [RestRunBias(int(a), int(a) + int(rng.integers(3, 400)), rng.normal(size=3) * 0.7, 0.1,
                        np.array([0.0, 0.0, 1.0])) for a in starts]


@needs_kernel
@pytest.mark.parametrize("n_runs", [0, 1, 2, 7])
@pytest.mark.parametrize("turned", [False, True])
def test_the_compiled_correction_is_the_numpy_paths_to_the_bit(monkeypatch, n_runs: int, turned: bool) -> None:
    rng = np.random.default_rng(10 * n_runs + turned)
    errors = TurnErrors(np.r_[rng.normal(size=2) * 0.01, 0.0], rng.normal(size=2) * 0.02, 12) if turned else NO_ERRORS
    for trial in range(20):
        n, lo = int(rng.integers(1, 3000)), int(rng.integers(0, 20_000))
        acc = rng.normal(size=(n, 3)) * 10.0 ** rng.uniform(-2, 1)
        gyro = rng.normal(size=(n, 3)) * 10.0 ** rng.uniform(-1, 3)
        if trial % 4 == 1:
            gyro[rng.integers(n), rng.integers(3)] = np.inf
            acc[rng.integers(n), rng.integers(3)] = np.nan
        if trial % 4 == 2:
            gyro[rng.integers(n), 2] = -np.inf
        runs = _runs(rng, n_runs, lo + n + 500)
        if runs and trial % 3 == 0:  # a sample on a run's centre (an exact hit of the search)
            lo = int(0.5 * (runs[0].start + runs[0].stop - 1)) - n // 2
        native, numpy_only = native_and_numpy(monkeypatch, lambda: corrected_sensor(acc, gyro, lo, runs, errors))
        for a, b in zip(native, numpy_only):
            assert a.shape == (n, 3) and a.tobytes() == b.tobytes()


@needs_kernel
def test_a_simulated_walks_sensor_is_read_alike(monkeypatch) -> None:
    from hiplevel.signal.long_trace import build_long_trace, series_source
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    imu = simulate_session(SessionSpec([ExerciseSpec("walking", reps=60, turn_every_steps=8)], seed=4)).imu

    # One trace (the fusion's own native and numpy paths differ in the last bits), read both ways.
    with build_long_trace(series_source(imu)) as lt:
        assert lt.segments[0].errors.n_turns and lt.segments[0].runs
        native, numpy_only = native_and_numpy(monkeypatch, lambda: [
            x for a in range(0, lt.n, 1500) for x in lt.sensor(a, min(lt.n, a + 1700))])
    assert len(native) == len(numpy_only) > 4
    assert all(a.tobytes() == b.tobytes() for a, b in zip(native, numpy_only))
