"""The samples as the fusion uses them (`signal.sensor_correction`: `corrected_sensor`, read by every
detection chunk through `LongTrace.sensor`, and `fusion_inputs`, each fusion chunk's): the compiled
one-pass kernel (`gridkernel.corrected_sensor`) gives the numpy paths' values to the bit: no rest
run, one, several (samples before, between and after their centres, on a centre), turn errors or
none, infinities and NaN in the samples, and a simulated walk with turns fused and read as the
analysis does."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import native_and_numpy

from hiplevel._native import grid_kernel
from hiplevel.signal.rest_bias import RestRunBias
from hiplevel.signal import sensor_correction
from hiplevel.signal.sensor_correction import corrected_sensor, fusion_inputs
from hiplevel.signal.turns import NO_ERRORS, TurnErrors

needs_kernel = pytest.mark.skipif(grid_kernel() is None or not hasattr(grid_kernel(), "corrected_sensor"),
                                  reason="the compiled grid kernel is not built here: the numpy path is used")


def _runs(rng: np.random.Generator, k: int, span: int) -> list[RestRunBias]:
    starts = np.sort(rng.choice(np.arange(0, span, 37), k, replace=False))
    return [RestRunBias(int(a), int(a) + int(rng.integers(3, 400)), rng.normal(size=3) * 0.7, 0.1,
                        np.array([0.0, 0.0, 1.0])) for a in starts]


@needs_kernel
# inf - inf in the numpy path (the leak taken back out) is NaN, as in the kernel: numpy says so aloud.
@pytest.mark.filterwarnings("ignore:invalid value encountered in subtract:RuntimeWarning")
@pytest.mark.parametrize("n_runs", [0, 1, 2, 7, 40])
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
        for fn in (lambda: corrected_sensor(acc, gyro, lo, runs, errors),
                   lambda: fusion_inputs(acc, gyro, lo, runs, errors if turned else None)):
            native, numpy_only = native_and_numpy(monkeypatch, fn)
            for a, b in zip(native, numpy_only):
                assert a.shape == (n, 3) and a.tobytes() == b.tobytes()
        assert fusion_inputs(acc, gyro, lo, runs)[0] is acc  # the first fusion takes acc as it is


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


@needs_kernel
def test_a_walk_is_fused_alike_with_either_inputs(monkeypatch) -> None:
    """Both fusions of every chunk (three chunks) with the inputs from the kernel or from numpy (the
    fusion's own kernels the same): the same up-vectors, turn errors and sensor to the bit."""
    from hiplevel.signal.chunk_plan import ChunkSettings
    from hiplevel.signal.long_trace import build_long_trace, series_source
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    imu = simulate_session(SessionSpec([ExerciseSpec("walking", reps=90, turn_every_steps=8)], seed=6)).imu
    chunking = ChunkSettings(fusion_max_samples=4000, fusion_chunk_samples=3000)

    def fused():
        with build_long_trace(series_source(imu), chunking=chunking) as lt:
            s = lt.segments[0]
            assert s.errors.n_turns and len(s.plan.chunks) >= 3
            return lt.up(0, lt.n).tobytes(), s.errors.acc_bias_g.tobytes(), s.errors.gyro_leak.tobytes()

    native = fused()
    monkeypatch.setattr(sensor_correction, "grid_kernel", lambda: None)
    assert fused() == native
