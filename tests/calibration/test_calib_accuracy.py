"""Calibration recovers known sensor errors (synthetic MPU6050, calib_synth.py) within the
tolerances of docs/calibration.md, and roll after calibration matches the truth when still."""

from __future__ import annotations

import numpy as np
import pytest
from calib_run import calibrate
from calib_synth import SynthImu

from hiplevel.calibration import ProcedureSettings, mount_matrix, roll_pitch_deg

BIAS_TOL_DPS = 0.05
SCALE_TOL = 0.003
OFFSET_TOL_G = 0.005
ALIGN_TOL_DEG = 0.5
ROLL_TOL_DEG = 0.5


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1))))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_biases_scales_offsets_and_alignment(seed: int) -> None:
    imu = SynthImu.typical(seed, mount_offset_deg=(3.0, 8.0, -12.0))
    cal = calibrate(imu, seed)
    assert np.abs(np.array(cal.gyro.bias_dps) - imu.gyro_bias_dps).max() < BIAS_TOL_DPS
    assert np.abs(np.array(cal.accel.scale) / imu.acc_scale - 1).max() < SCALE_TOL
    assert np.abs(np.array(cal.accel.offset_g) - imu.acc_offset_g).max() < OFFSET_TOL_G
    # Alignment: where the calibrated device puts the pelvis axes, in chip coordinates.
    est, true = cal.body_from_chip_matrix(), imu.sensor_from_body().T
    for axis in range(3):
        assert _angle_deg(est[axis], true[axis]) < ALIGN_TOL_DEG
    assert cal.accel.checks == 3 and cal.accel.check_error_mg < 10.0
    assert 5.0 < cal.alignment.tilt_deg < 12.0  # clip pitched 8 deg, rolled 3 deg


@pytest.mark.parametrize("mount", ["standard", "usb_up", "usb_left", "usb_right"])
def test_roll_after_calibration_within_half_a_degree_when_still(mount: str) -> None:
    imu = SynthImu.typical(7, mount_offset_deg=(-4.0, 10.0, 15.0))
    imu.mount = mount
    cal = calibrate(imu, 7, ProcedureSettings(mount=mount))
    rng = np.random.default_rng(70)
    errors = []
    for roll in (-8.0, -3.0, 0.0, 4.0, 9.0):
        for pitch in (0.0, 15.0, 30.0):  # upright to a band-walk hip hinge
            n = 200
            blk = imu.worn(np.full(n, roll), np.full(n, pitch), np.full(n, 40.0), np.zeros((n, 3)), rng)
            got_roll, got_pitch = roll_pitch_deg(cal.acc_to_body(blk.acc_g).mean(axis=0))
            errors.append(got_roll[0] - roll)
            assert got_pitch[0] == pytest.approx(pitch, abs=1.0)
    assert np.abs(errors).max() < ROLL_TOL_DEG


def test_uncalibrated_roll_is_off_by_more_than_the_tolerance() -> None:
    imu = SynthImu.typical(7, mount_offset_deg=(-4.0, 10.0, 15.0))
    rng = np.random.default_rng(71)
    n = 200
    blk = imu.worn(np.full(n, 0.0), np.full(n, 30.0), np.zeros(n), np.zeros((n, 3)), rng)
    roll, _ = roll_pitch_deg((blk.acc_g @ mount_matrix("standard").T).mean(axis=0))
    assert abs(roll[0]) > 3 * ROLL_TOL_DEG


def test_cross_axis_fit_reports_coupling() -> None:
    imu = SynthImu.typical(4)
    imu.acc_cross = np.eye(3) + np.array([[0, 0.015, -0.01], [0, 0, 0.012], [0, 0, 0]])
    cal = calibrate(imu, 4, ProcedureSettings(cross_axis=True, tilted_poses=4))
    cross = np.array(cal.accel.cross)
    assert cross.shape == (3, 3)
    assert np.abs(np.tril(cross)).max() == 0.0
    assert np.abs(cross[np.triu_indices(3, 1)]).max() > 0.005
