"""The speed-ups around the analysis that must not change its behaviour: the detectors made on first
use (`hiplevel.exercises.DETECTORS` still reads as the dict it was), one OpenBLAS thread while
the analysis runs (restored after; nothing happens without OpenBLAS) and from the start of a
`hiplevel` process (a thread count someone set is kept), large arrays served from freed memory,
and `analyze` run with the cyclic garbage collector paused (on again after)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest


def test_detectors_read_as_the_dict_they_were() -> None:
    from hiplevel.exercises import DETECTORS, WalkingDetector

    assert list(DETECTORS) == ["walking", "band-walk", "single-leg-stance", "step-down", "single-leg-squat",
                               "clamshell"]
    assert "walking" in DETECTORS and "running" not in DETECTORS and len(DETECTORS) == 6
    assert DETECTORS["walking"] is DETECTORS["walking"] and isinstance(DETECTORS["walking"], WalkingDetector)
    assert DETECTORS["walking"] == WalkingDetector()
    with pytest.raises(KeyError):
        DETECTORS["running"]
    assert {type(d).__name__ for d in DETECTORS.values()} >= {"ClamshellDetector", "BandWalkDetector"}


def test_a_walk_does_not_import_the_other_detectors() -> None:
    code = ("import sys; from hiplevel.analysis import analyze; from hiplevel.exercises import DETECTORS; "
            "DETECTORS['walking']; print(sorted(m for m in sys.modules if m.startswith('hiplevel.exercises.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for other in ("band_walk", "clamshell", "single_leg_stance", "single_leg_squat", "step_down"):
        assert f"hiplevel.exercises.{other}'" not in out


def test_one_blas_thread_inside_and_the_count_restored_after() -> None:
    from hiplevel.signal import blas

    fns = blas._openblas()
    if fns is None:
        pytest.skip("numpy is not linked with an OpenBLAS found in /proc/self/maps: nothing to limit")
    setter, getter = fns
    before = getter()
    with blas.one_blas_thread():
        assert getter() == 1
        a = np.arange(300_000.0).reshape(-1, 3)
        _ = a @ np.eye(3)
    assert getter() == before


def _blas_threads_in_a_cli_process(env: dict[str, str]) -> str:
    """The OpenBLAS thread count numpy loads with in a fresh process that starts as `hiplevel` does."""
    import os

    code = ("from hiplevel.cli.main import one_blas_thread_from_start; one_blas_thread_from_start(); import numpy; "
            "from hiplevel.signal import blas; f = blas._openblas(); print(f[1]() if f else 'none')")
    keep = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
                                                               "OMP_NUM_THREADS", "HIPLEVEL_BLAS_THREADS_KEEP")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**keep, **env}).stdout.strip()


def test_a_cli_process_loads_openblas_with_one_thread_unless_told_otherwise() -> None:
    if _blas_threads_in_a_cli_process({}) == "none":
        pytest.skip("numpy is not linked with an OpenBLAS found in /proc/self/maps: nothing to limit")
    assert _blas_threads_in_a_cli_process({}) == "1"
    assert _blas_threads_in_a_cli_process({"OPENBLAS_NUM_THREADS": "2"}) == "2"  # a person's setting is kept
    assert _blas_threads_in_a_cli_process({"OMP_NUM_THREADS": "2"}) == "2"


def test_analyze_runs_with_the_collector_paused_and_turns_it_on_again(tmp_path, monkeypatch) -> None:
    import gc

    import hiplevel.analysis
    from hiplevel.cli import main
    from hiplevel.imu_csv import write_imu_csv
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], rate_hz=100.0, seed=5))
    path = write_imu_csv(sim.imu, tmp_path / "walk.csv")
    seen = []
    real = hiplevel.analysis.analyze_source

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(hiplevel.analysis, "analyze_source", spy)
    assert gc.isenabled()
    assert main(["analyze", str(path), "--exercise", "walking", "--json", str(tmp_path / "out.json")]) == 0
    assert seen == [False] and gc.isenabled()
    assert main(["analyze", str(tmp_path / "nope.csv"), "--exercise", "walking"]) == 1  # an error: on again too
    assert gc.isenabled()


def test_the_library_analysis_runs_without_a_collection_and_restores_the_collector() -> None:
    """`analyze` called as a library (the bench, `reanalyze`, a notebook) pauses the collector too:
    no collection of any generation while it runs (main: dozens of young ones and a full one an
    hour; here, with a collection due every 50 new objects, hundreds), on again after, and left off when the caller had it off."""
    import gc

    from hiplevel.analysis import analyze
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=40)], rate_hz=100.0, seed=5))
    runs = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.callbacks.append(count)
    try:
        gc.collect()
        runs.clear()
        threshold = gc.get_threshold()
        gc.set_threshold(50, 10, 10)  # a collection every 50 new objects: an unpaused analysis has many
        try:
            res = analyze(sim.imu, "walking", keep_trace=False)
        finally:
            gc.set_threshold(*threshold)
        assert len(res.reps) >= 30
        # At most one, as the pause itself is entered (its context object is an allocation too).
        assert len(runs) <= 1 and gc.isenabled()
        gc.disable()
        try:
            analyze(sim.imu, "walking", keep_trace=False)
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        gc.callbacks.remove(count)


def test_analyze_does_not_start_subprocess_machinery() -> None:
    """`ctypes.util` (for a libc not named libc.so.6) imports subprocess: not on the way of an analysis."""
    code = ("import sys; from hiplevel.analysis import analyze_source; import hiplevel.signal.memory; "
            "print('subprocess' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_free_memory_goes_back_to_the_system_once_it_adds_up(monkeypatch) -> None:
    from hiplevel.signal import memory

    if memory._trim is not None and memory._info is not None:
        assert memory.free_bytes() >= 0
    trims: list[int] = []
    monkeypatch.setattr(memory, "_trim", trims.append)
    for free, trimmed in ((memory.KEEP_FREE_BYTES - 1, 0), (memory.KEEP_FREE_BYTES, 1), (None, 2)):
        monkeypatch.setattr(memory, "free_bytes", lambda free=free: free)
        memory.release_free_memory()
        assert len(trims) == trimmed  # None: glibc cannot tell (no mallinfo2), returned every time


_REUSE_PROBE = """
import resource, sys
import numpy as np
from hiplevel.signal import memory
if sys.argv[1] == "reuse":
    memory.reuse_freed_memory()
    memory.reuse_freed_memory()  # once per process: a second call changes nothing
def faults(n):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    a = np.ones(n)  # every page written
    after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    del a
    return after - before
# 1 MB then 2 MB (below numpy's 4 MB huge-page advice): glibc's default maps each afresh, and
# a block as large as the freed ones comes from fresh heap pages; reused, the heap holds them.
faults(1 << 17), faults(1 << 18)
print(faults(1 << 18))
"""


def test_an_analysis_reuses_freed_memory_for_large_arrays() -> None:
    """After `reuse_freed_memory` (as `build_long_trace` starts) a 2 MB array freed and made again
    is served from the heap, not faulted in page by page (a first analysis paid ~17,000 faults)."""
    from hiplevel.signal import memory

    if memory._mallopt is None or memory._trim is None or memory._info is None:
        pytest.skip("not glibc >= 2.33")
    def faults(how: str) -> int:
        return int(subprocess.run([sys.executable, "-c", _REUSE_PROBE, how], capture_output=True, text=True,
                                  check=True).stdout)

    pages = (1 << 21) // 4096
    assert faults("reuse") < pages // 10
    assert faults("default") > pages // 2  # glibc's default, as before: fresh pages


@pytest.mark.parametrize("exercise", ["walking", "band-walk", "single-leg-stance", "step-down", "single-leg-squat",
                                      "clamshell"])
def test_an_analysis_does_not_import_numpy_ma(exercise: str, tmp_path) -> None:
    """numpy.ma costs ~16 ms of CPU to import (numpy pulls it in lazily from np.unique's and
    np.median's NaN checks), more than some of these analyses' own work: the walking, step-down and
    squat paths take their unique values and medians without it. In a fresh process (the simulator
    imports numpy.ma itself)."""
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    imu = simulate_session(SessionSpec([ExerciseSpec(exercise, reps=6, sets=2, weak_side="left")], seed=3)).imu
    path = tmp_path / "set.npz"
    np.savez(path, t_s=imu.t_s, acc_g=imu.acc_g, gyro_dps=imu.gyro_dps)
    code = ("import sys, numpy as np; from hiplevel.analysis import analyze; from hiplevel.samples import ImuSeries; "
            f"z = np.load({str(path)!r}); r = analyze(ImuSeries(z['t_s'], z['acc_g'], z['gyro_dps']), {exercise!r}); "
            "print(len(r.reps), 'numpy.ma' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) > 0 and out[1] == "False"
