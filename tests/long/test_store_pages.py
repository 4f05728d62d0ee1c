"""Memory pages of a long analysis (issue 13 item 2: the hour's system CPU): the allocator set
before the series' times are repaired, and free memory kept between passes up to what glibc keeps
at its heap's top by itself."""

from __future__ import annotations

import pytest

from hiplevel.signal import memory


def test_analyze_sets_the_allocator_before_the_series_times_are_repaired(monkeypatch) -> None:
    # The source repairs the whole series' times (copies of the size of the series) as it is made:
    # with glibc's defaults those were fresh mappings, faulted in page by page and unmapped.
    from hiplevel.analysis import offline
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    if memory._mallopt is None or memory._trim is None or memory._info is None:
        pytest.skip("not glibc >= 2.33")
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(memory, "_reusing", [])  # as in a fresh process
    monkeypatch.setattr(memory, "_mallopt", lambda param, value: calls.append((param, value)))
    set_before: list[bool] = []
    real = offline.series_source
    monkeypatch.setattr(offline, "series_source", lambda *a, **k: set_before.append(bool(calls)) or real(*a, **k))
    imu = simulate_session(SessionSpec([ExerciseSpec("walking", reps=6)], seed=3)).imu
    offline.analyze(imu, "walking", keep_trace=False)
    offline.analyze_sets(imu, [("walking", 0.0, float(imu.t_s[-1]))], keep_trace=False)
    assert set_before == [True, True]
    assert len(calls) == 2  # the two settings, once per process


def test_free_memory_up_to_glibcs_own_limit_is_kept_between_passes(monkeypatch) -> None:
    # At 32 MB the hour's fusion left 32-35 MB free, over the limit or not by a few allocations:
    # over it, the alignment and the detectors faulted 4,800 pages back in.
    trims: list[int] = []
    monkeypatch.setattr(memory, "_trim", trims.append)
    monkeypatch.setattr(memory, "free_bytes", lambda: memory.TRIM_THRESHOLD_BYTES - 1)
    memory.release_free_memory()
    assert trims == []
    monkeypatch.setattr(memory, "free_bytes", lambda: memory.TRIM_THRESHOLD_BYTES)
    memory.release_free_memory()
    assert trims == [0]
