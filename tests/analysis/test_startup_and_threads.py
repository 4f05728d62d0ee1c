"""The speed-ups around the analysis that must not change its behaviour: the detectors made on first
use (`hiplevel.exercises.DETECTORS` still reads as the dict it was) and one OpenBLAS thread while
the analysis runs (restored after; nothing happens without OpenBLAS)."""

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
