"""Stance side of step-downs and single-leg squats done on one leg through the set (the test
protocol: five reps without putting the free foot down), built by the physics generator
(bench/physics, issue 14): the pelvis' roll swings a belt sensor above the hips toward the dropping
free side within each rep, which read as a weight shift onto the other foot."""

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


def _hover_set(exercise: str, shift_s: float, drop_deg: float):
    params = {"mode": "hover", "first": "left", "shift_m": 0.04, "shift_s": shift_s, "shift_profile": "cosine",
              "lift_s": 0.4, "pause_s": 0.8, "base_drop_deg": 1.5, "sway_deg": 0.0, "balance_mm": 0.0, "rest_s": 4.0}
    rep = {"descent_m": 0.15, "pitch_deg": 15.0, "back_m": 0.04, "lateral_m": 0.0, "fault": "drop",
           "drop_deg": drop_deg, "rep_s": 2.8, "down_share": 0.5, "bottom_s": 0.2, "profile": "minjerk", "knee_deg": 70.0}
    return make_case(exercise, 2, 0, sensor=SensorSpec.ideal(lever_m=(-0.10, 0.0, 0.08)), params=params,
                     reps=[rep] * 10)


@pytest.mark.parametrize("exercise", ["step-down", "single-leg-squat"])
@pytest.mark.parametrize("shift_s", [0.6, 1.3])
def test_reps_on_one_leg_with_a_drop_keep_their_stance_leg(exercise, shift_s):
    # Main: a 7 deg drop carried the sensor (8 cm above the hips) ~1 cm toward the free side and back
    # in each rep; with one 4 cm shift per leg in 1.3 s, the step-downs on the right leg all went to
    # the left, their drops read as 8.4-8.7 deg hikes (the 0.6 s shifts and the squats held).
    case = _hover_set(exercise, shift_s, 7.0)
    reps = analyze(case.series(), exercise).reps
    assert len(reps) == 10
    assert [r.side for r in reps] == ["left"] * 5 + ["right"] * 5
    assert [r.drop_deg for r in reps] == pytest.approx([8.5] * 10, abs=1.5)
