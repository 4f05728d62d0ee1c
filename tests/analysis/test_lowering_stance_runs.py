"""Stance side of step-downs and single-leg squats from the displacement of the weight shifts
(`exercises.lowering_side`, issue 14), on sets built by the physics generator (bench/physics): a
slow shift onto the stance leg, balance corrections on one leg and a sideways move within each rep
toward the free side (knee valgus), with the free foot kept up through the set (the test protocol:
one shift per five reps) or put down between reps."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.physics.cases import make_case  # noqa: E402
from bench.physics.imu import SensorSpec  # noqa: E402
from hiplevel.analysis import analyze  # noqa: E402


def _set(exercise: str, mode: str, lateral_m: float):
    params = {"mode": mode, "first": "left", "shift_m": 0.08, "shift_s": 1.25, "shift_profile": "cosine",
              "lift_s": 0.4, "pause_s": 1.0, "base_drop_deg": 1.5, "sway_deg": 0.3, "balance_mm": 2.0, "rest_s": 4.0}
    rep = {"descent_m": 0.15, "pitch_deg": 12.0, "back_m": 0.04, "lateral_m": lateral_m, "fault": "drop",
           "drop_deg": 5.0, "rep_s": 2.6, "down_share": 0.5, "bottom_s": 0.2, "profile": "minjerk", "knee_deg": 70.0}
    return make_case(exercise, 3, 0, sensor=SensorSpec.ideal(lever_m=(-0.10, 0.0, 0.08)), params=params,
                     reps=[rep] * 10)


@pytest.mark.parametrize("exercise", ["step-down", "single-leg-squat"])
@pytest.mark.parametrize("mode", ["hover", "touch"])
def test_a_slow_shift_decides_over_the_moves_within_the_reps(exercise, mode):
    # An 8 cm shift in 1.25 s peaks at 0.1 m/s but reads ~0.04 m/s through the lateral filters; the
    # 2.5 cm move toward the free side within each rep and back passes whole and read as the shift.
    case = _set(exercise, mode, 0.025)
    reps = analyze(case.series(), exercise).reps
    assert len(reps) == 10
    assert [r.side for r in reps] == ["left"] * 5 + ["right"] * 5
