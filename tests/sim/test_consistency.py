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


def test_belt_slip_turns_the_sensor_after_the_standing_and_the_gyro_sees_it():
    """SessionSpec.mount_slip_deg: the belt slips after the standing calibration (issue 14). Before the
    first set starts the sensor reads the mount alone; after it, the roll reads the slip higher; the
    gyro's x rate integrates to the slip over the turn (a fusion does not see a jump)."""
    kw = dict(seed=4, noise=False, standing_s=3.0, rest_s=2.0)
    ex = [ExerciseSpec("single-leg-stance", reps=1, hold_s=3.0)]
    plain = simulate_session(SessionSpec(ex, **kw))
    slipped = simulate_session(SessionSpec(ex, mount_slip_deg=1.5, **kw))
    t_set = slipped.sets[0].start_s

    def acc_roll(sim, t0, t1):
        i = (sim.imu.t_s >= t0) & (sim.imu.t_s < t1)
        a = sim.imu.acc_g[i]
        return float(np.degrees(np.arctan2(a[:, 1], a[:, 2])).mean())

    assert acc_roll(slipped, 0.5, t_set - 0.2) == pytest.approx(acc_roll(plain, 0.5, t_set - 0.2), abs=0.01)
    end = plain.imu.t_s[-1]
    assert acc_roll(slipped, end - 1.5, end) - acc_roll(plain, end - 1.5, end) == pytest.approx(1.5, abs=0.05)
    # The gyro's extra rate about x over the slip's turn is the slip (the body's own rates cancel).
    w1 = slipped.sensor_1k.gyro_dps[:, 0] - plain.sensor_1k.gyro_dps[:, 0]
    assert float(np.sum(w1)) / 1000.0 == pytest.approx(1.5, abs=0.05)
    assert np.array_equal(slipped.truth.roll_deg, plain.truth.roll_deg)


def test_belt_slip_is_bounded():
    with pytest.raises(ValueError, match="mount_slip_deg"):
        SessionSpec([ExerciseSpec("walking")], mount_slip_deg=15.0)
