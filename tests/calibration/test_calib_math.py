"""Pure pieces with known answers: mounting presets, face detection, the |a| = 1 g fit, roll."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.calibration import (
    MOUNT_PRESETS,
    AccelCalibrator,
    CalibrationError,
    chip_from_mounted,
    face_of,
    mount_matrix,
    roll_pitch_deg,
)

UP, LEFT, BACKWARD = np.array([0, 0, 1.0]), np.array([0, 1.0, 0]), np.array([-1.0, 0, 0])


@pytest.mark.parametrize(
    ("mount", "chip_x", "chip_y"),
    [("standard", UP, LEFT), ("usb_up", -UP, -LEFT), ("usb_left", -LEFT, UP), ("usb_right", LEFT, -UP)],
)
def test_presets_match_the_drawings(mount: str, chip_x: np.ndarray, chip_y: np.ndarray) -> None:
    m = mount_matrix(mount)  # columns: chip axes in body coordinates
    assert np.array_equal(m[:, 0], chip_x) and np.array_equal(m[:, 1], chip_y)
    assert np.array_equal(m[:, 2], BACKWARD)  # component side always faces backward
    assert np.allclose(chip_from_mounted(m @ [0.1, 0.2, 0.3], mount), [0.1, 0.2, 0.3])


def test_every_preset_is_a_proper_rotation_and_bad_mounts_are_refused() -> None:
    for name in MOUNT_PRESETS:
        m = mount_matrix(name)
        assert np.allclose(m @ m.T, np.eye(3)) and np.linalg.det(m) == pytest.approx(1.0)
    for bad in (["x", "x", "z"], ["x", "y", "-z"], ["x", "y", "w"], "sideways"):
        with pytest.raises(CalibrationError):
            mount_matrix(bad)


def test_face_of() -> None:
    assert face_of(np.array([0.02, -0.98, 0.1]))[:2] == (1, -1)
    axis, sign, tilt = face_of(np.array([0.0, np.sin(np.radians(10)), np.cos(np.radians(10))]))
    assert (axis, sign) == (2, 1) and tilt == pytest.approx(10.0)


def _poses(offset: np.ndarray, k_true: np.ndarray) -> np.ndarray:
    ups = [[0, 0, 1], [0, 0, -1], [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [1, 1, 1], [1, -1, 0.3], [-0.5, 1, -1], [0.2, 0.7, -1]]
    ups = np.array(ups, dtype=float)
    ups /= np.linalg.norm(ups, axis=1)[:, None]
    return ups @ np.linalg.inv(k_true).T + offset


def test_accel_fit_recovers_noise_free_parameters_exactly() -> None:
    offset, scale = np.array([0.03, -0.045, 0.07]), np.array([1.02, 0.975, 1.01])
    fit = AccelCalibrator().fit(_poses(offset, np.diag(1 / scale)))
    assert np.allclose(fit.offset_g_, offset, atol=1e-9) and np.allclose(fit.scale_, scale, atol=1e-9)
    assert fit.dof_ == 4 and fit.rms_residual_mg_ < 1e-6
    k = np.diag(1 / scale)
    k[0, 1], k[0, 2], k[1, 2] = 0.01, -0.008, 0.015
    cross = AccelCalibrator(cross_axis=True).fit(_poses(offset, k))
    assert np.allclose(cross.matrix_, k, atol=1e-8) and cross.rms_residual_mg_ < 1e-6
    per_axis = AccelCalibrator().fit(_poses(offset, k))
    assert per_axis.rms_residual_mg_ > 1.0  # unmodelled coupling shows in the residuals


def test_accel_fit_needs_all_six_faces() -> None:
    poses = _poses(np.zeros(3), np.eye(3))
    with pytest.raises(CalibrationError, match=r"chip -y up"):
        AccelCalibrator().fit(np.delete(poses, 5, axis=0))


@pytest.mark.parametrize(("roll", "pitch"), [(5.0, 0.0), (-7.0, 20.0), (0.0, -10.0)])
def test_roll_pitch_signs(roll: float, pitch: float) -> None:
    r, p = np.radians(roll), np.radians(pitch)
    # Up seen from a pelvis rolled (left side up) then pitched (front down): ZYX, yaw 0.
    up_body = np.array([-np.sin(p), np.cos(p) * np.sin(r), np.cos(p) * np.cos(r)])
    got_r, got_p = roll_pitch_deg(up_body)
    assert got_r[0] == pytest.approx(roll) and got_p[0] == pytest.approx(pitch)
