"""The physics generator (bench/physics) against known answers: gravity, the gyro's integral, the lever
arm, and the analysis' own sign conventions on clean sets (the side it reports is the side drawn)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.physics.cases import make_case  # noqa: E402
from bench.physics.imu import STANDARD_GRAVITY_MS2, SensorSpec, ideal_signals, record, rotation  # noqa: E402
from bench.physics.pose import GRID_HZ, Pose  # noqa: E402
from bench.physics.profiles import transition  # noqa: E402

IDEAL = SensorSpec.ideal()


def _pose(roll=0.0, pitch=0.0, yaw=0.0, duration_s: float = 2.0) -> Pose:
    p = Pose.still(duration_s)
    p.roll_deg[:], p.pitch_deg[:], p.yaw_deg[:] = roll, pitch, yaw
    return p


def test_static_roll_of_10_deg_reads_0_174_g_sideways_toward_the_higher_left_side():
    f, w = ideal_signals(_pose(roll=10.0), IDEAL)
    assert f[500] == pytest.approx([0.0, np.sin(np.radians(10.0)), np.cos(np.radians(10.0))], abs=1e-6)
    assert f[500, 1] == pytest.approx(0.174, abs=5e-4)
    assert np.abs(w).max() < 1e-9


def test_static_pitch_forward_reads_gravity_toward_minus_x():
    f, _ = ideal_signals(_pose(pitch=20.0), IDEAL)
    assert f[500] == pytest.approx([-np.sin(np.radians(20.0)), 0.0, np.cos(np.radians(20.0))], abs=1e-6)


def test_integrating_the_gyro_returns_the_pose():
    p = Pose.still(4.0)
    t = p.t_s
    p.roll_deg[:] = 12.0 * np.sin(2.1 * t)
    p.pitch_deg[:] = 25.0 * transition(t, 0.5, 1.5) + 5.0 * np.sin(3.3 * t)
    p.yaw_deg[:] = 90.0 * transition(t, 1.0, 2.0)
    _, w = ideal_signals(p, IDEAL)
    R = rotation(p.roll_deg[0], p.pitch_deg[0], p.yaw_deg[0])
    dt = 1.0 / GRID_HZ
    for k in range(len(t) - 1):  # R' = R [w]x, midpoint rate, exact exponential of each step
        v = np.radians(0.5 * (w[k] + w[k + 1])) * dt
        a = np.linalg.norm(v)
        K = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]]) / (a or 1.0)
        R = R @ (np.eye(3) + np.sin(a) * K + (1 - np.cos(a)) * K @ K)
    truth = rotation(p.roll_deg[-1], p.pitch_deg[-1], p.yaw_deg[-1])
    err_deg = np.degrees(np.arccos(np.clip((np.trace(truth.T @ R) - 1) / 2, -1, 1)))
    assert err_deg < 0.05


def test_lever_arm_turning_on_the_spot_reads_centripetal_forward():
    # Yawing at a steady 90 deg/s about the pelvis centre, a sensor 10 cm behind it is pulled toward the
    # axis, i.e. forward: w^2 d / g = 0.0252 g along +x.
    p = Pose.still(3.0)
    p.yaw_deg[:] = 90.0 * p.t_s
    f, w = ideal_signals(p, SensorSpec.ideal(lever_m=(-0.10, 0.0, 0.0)))
    assert f[1500, 0] == pytest.approx(np.radians(90.0) ** 2 * 0.10 / STANDARD_GRAVITY_MS2, rel=1e-3)
    assert w[1500] == pytest.approx([0.0, 0.0, 90.0], abs=1e-6)


def test_chip_rounding_and_clock():
    spec = SensorSpec(clock_error=0.003, wobble_hz=0.0, lowpass=False)
    t, acc, gyr = record(_pose(roll=10.0, duration_s=10.0), spec, np.random.default_rng(0))
    assert np.allclose(acc * 16384, np.round(acc * 16384)) and np.allclose(gyr * 131, np.round(gyr * 131))
    t0, _, _ = record(_pose(roll=10.0, duration_s=10.0), SensorSpec(wobble_hz=0.0, lowpass=False),
                      np.random.default_rng(0))
    assert len(t) - len(t0) == pytest.approx(3, abs=1)  # a clock 0.3 % fast ticks 3 more times in 10 s


@pytest.mark.parametrize("stance", ["left", "right"])
def test_a_clean_hold_is_reported_on_the_stance_leg_with_its_drop(stance):
    from hiplevel.analysis import analyze

    hold = {"shift_s": 0.8, "shift_m": 0.08, "profile": "minjerk", "hold_s": 12.0, "sway_deg": 0.3,
            "balance_mm": 1.5, "wander_mm": 0.0, "fault": "drop", "drop_deg": 7.0, "drop_onset_s": 0.5,
            "transient_deg": 2.0, "lift_delay_s": 0.1, "down_delay_s": 0.1, "back_s_ratio": 1.0,
            "jolt_mm": 5.0, "jolt_width_s": 0.15, "rest_s": 5.0}
    case = make_case("single-leg-stance", 1, 0, sensor=SensorSpec.ideal(), holds=[hold], first=stance)
    reps = analyze(case.series(), "single-leg-stance").reps
    assert [r.side for r in reps] == [stance]
    assert reps[0].drop_deg == pytest.approx(7.0, abs=1.0)


def test_a_clean_walk_gives_each_step_its_stance_leg_and_the_weak_legs_hike():
    from hiplevel.analysis import analyze

    params = {"cadence_spm": 100.0, "fault": "hike", "fault_deg": -2.5, "normal_deg": 4.0, "weak": "left",
              "first_stance": "right", "steps": 16, "step_len_ratio": 1.0, "sway_m": 0.02, "bounce_m": 0.02,
              "strike_mm": 0.5, "strike_width_s": 0.08, "pitch_deg": 1.5, "yaw_deg": 4.0, "surge_m": 0.006}
    case = make_case("walking", 1, 0, sensor=SensorSpec.ideal(), params=params)
    reps = analyze(case.series(), "walking").reps
    assert len(reps) == len(case.reps)
    for t, r in zip(case.reps, reps):
        assert r.side == t.side
        assert abs(0.5 * (r.start_s + r.end_s) - 0.5 * (t.start_s + t.end_s)) < 0.1
    left = [r.drop_deg for r in reps if r.side == "left"]
    right = [r.drop_deg for r in reps if r.side == "right"]
    assert max(left) < 0.0 < min(right)  # the hike over the weak left leg reads negative, the normal drop positive


def test_a_clean_band_walk_gives_each_step_its_direction_and_the_weak_leg():
    from hiplevel.analysis import analyze

    params = {"profile": "one", "step_m": 0.25, "step_s": 1.2, "pause_s": 0.3, "lead_share": 0.7,
              "counter_m": 0.02, "counter_frac": 0.25, "hinge_deg": 20.0, "weak": "right", "drop_weak_deg": 7.0,
              "drop_other_deg": 1.0, "bob_mm": 4.0, "landing_mm": 1.0, "first_way": "left", "wobble": 1.0}
    case = make_case("band-walk", 1, 0, sensor=SensorSpec.ideal(), params=params)
    reps = analyze(case.series(), "band-walk").reps
    assert len(reps) == len(case.reps) == 20
    for t, r in zip(case.reps, reps):
        assert (r.details.get("direction"), r.side) == (t.direction, "right")
        assert r.drop_deg == pytest.approx(7.0, abs=1.5)
