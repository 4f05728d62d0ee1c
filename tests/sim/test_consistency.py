"""Physical consistency of the simulator: gyro vs orientation, a reference filter vs truth."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session
from hiplevel.sim.rotation import euler_to_matrix, integrate_body_rate, matrix_to_euler


@pytest.fixture(scope="module")
def clean_sim():
    spec = SessionSpec(
        exercises=[
            ExerciseSpec("walking", reps=12, weak_side="left", drop_deg=9.0, turn_every_steps=6),
            ExerciseSpec("band-walk", reps=4),
            ExerciseSpec("single-leg-stance", reps=1, hold_s=8.0),
        ],
        rate_hz=100.0, seed=3, noise=False, rest_s=5.0, standing_s=3.0,
    )
    return simulate_session(spec)


def _wrap_deg(x: np.ndarray) -> np.ndarray:
    return (x + 180.0) % 360.0 - 180.0


def test_gyro_integrates_to_orientation(clean_sim):
    k, tr = clean_sim.kinematic_1k, clean_sim.truth_1k
    m0 = euler_to_matrix(tr.roll_deg[:1], tr.pitch_deg[:1], tr.yaw_deg[:1])[0]
    roll, pitch, yaw = matrix_to_euler(integrate_body_rate(m0, np.radians(k.gyro_dps), 1e-3))
    assert np.max(np.abs(roll - tr.roll_deg)) < 0.01
    assert np.max(np.abs(pitch - tr.pitch_deg)) < 0.01
    assert np.max(np.abs(_wrap_deg(yaw - tr.yaw_deg))) < 0.01
    # The turns are really there (two 180 deg turns in the walk), so the check is not trivial.
    assert np.ptp(np.unwrap(np.radians(tr.yaw_deg))) > np.radians(170)


def test_accelerometer_at_rest_is_gravity(clean_sim):
    k, tr = clean_sim.kinematic_1k, clean_sim.truth_1k
    i = slice(100, 2000)  # quiet standing at the start
    expected_ay = np.sin(np.radians(tr.roll_deg[i])) * np.cos(np.radians(tr.pitch_deg[i]))
    assert np.allclose(k.acc_g[i, 1], expected_ay, atol=2e-3)
    assert np.allclose(np.linalg.norm(k.acc_g[i], axis=1), 1.0, atol=2e-3)


def test_reference_filter_recovers_roll(clean_sim):
    imufusion = pytest.importorskip("imufusion")
    settings = imufusion.AhrsSettings()
    settings.convention = imufusion.CONVENTION_NWU
    settings.gain = 0.1
    settings.gyroscope_range = 500.0
    settings.sample_rate = int(clean_sim.spec.rate_hz)
    ahrs = imufusion.Ahrs()
    ahrs.set_settings(settings)
    imu = clean_sim.imu
    roll = np.empty(len(imu))
    for i in range(len(imu)):
        ahrs.update_no_magnetometer(imu.gyro_dps[i], imu.acc_g[i])
        roll[i] = imufusion.quaternion_to_euler(ahrs.get_quaternion())[0]
    err = roll[300:] - clean_sim.truth.roll_deg[300:]  # after 3 s of convergence
    assert np.sqrt(np.mean(err**2)) < 0.3
    # and the roll it tracks moves by several degrees (weak-side walking drops ~9 deg)
    assert np.ptp(clean_sim.truth.roll_deg) > 10.0


def test_mount_offset_shows_in_sensor_frame():
    spec = SessionSpec([ExerciseSpec("single-leg-stance", reps=1, hold_s=3.0)], seed=4, noise=False,
                       mount_offset_deg=(0.0, 5.0, 0.0), standing_s=2.0, rest_s=2.0)
    sim = simulate_session(spec)
    still = slice(20, 180)
    pitch_meas = np.degrees(np.arcsin(-np.mean(sim.imu.acc_g[still, 0])))
    assert pitch_meas == pytest.approx(np.mean(sim.truth.pitch_deg[still]) + 5.0, abs=0.1)
