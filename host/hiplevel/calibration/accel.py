"""Accelerometer offset and scale from static poses: least-squares fit of |a| = 1 g.

Model (chip frame): a_true = K @ (a_meas - offset). Per-axis: K = diag(1 / scale), so
`scale` is the sensitivity ratio measured/true (1.002 = reads 0.2 % high). Cross-axis: K upper
triangular (6 terms); the rotation part of a full 3x3 is not observable from |a| and is left to the
sensor-to-pelvis alignment. Six faces fix the 6 per-axis parameters exactly (their residuals are
zero by construction), so the guided procedure fits the six faces and checks the result on extra
slanted poses the fit did not see (`AccelFit.residuals_mg`): a bad face, a bump or a large
cross-axis coupling shows there. Fitting all poses together instead would spread the unmodelled
cross-axis coupling (datasheet +-2 %) into the scales: on the simulator that moved the scales by
up to 0.3 % against 0.01 % for the six-face fit (docs/calibration.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.optimize import least_squares

from hiplevel.calibration.errors import CalibrationError, PoseRejectedError

AXIS_NAMES: Final[tuple[str, str, str]] = ("x", "y", "z")
# The six faces in the order the procedure asks for them: (chip axis index, sign) that points up.
SIX_FACES: Final[tuple[tuple[int, int], ...]] = ((2, 1), (2, -1), (0, 1), (0, -1), (1, 1), (1, -1))


def face_name(axis: int, sign: int) -> str:
    """'+z', '-x', ...: the chip axis that points up (reads +1 g) in a face pose."""
    return ("+" if sign > 0 else "-") + AXIS_NAMES[axis]


def face_of(mean_acc_g: np.ndarray) -> tuple[int, int, float]:
    """(axis, sign, tilt_deg): the chip axis closest to straight up for a mean acceleration (g,
    chip frame) and its angle from vertical, deg."""
    a = np.asarray(mean_acc_g, dtype=float)
    axis = int(np.argmax(np.abs(a)))
    sign = 1 if a[axis] > 0 else -1
    tilt = float(np.degrees(np.arccos(np.clip(abs(a[axis]) / np.linalg.norm(a), -1.0, 1.0))))
    return axis, sign, tilt


def check_face(mean_acc_g: np.ndarray, axis: int, sign: int, max_tilt_deg: float) -> float:
    """Tilt (deg) of a pose meant to have chip axis `axis` pointing `sign` up; raises
    PoseRejectedError naming the face that is actually up, or the tilt, when it is not that face."""
    got_axis, got_sign, tilt = face_of(mean_acc_g)
    want = face_name(axis, sign)
    if (got_axis, got_sign) != (axis, sign):
        raise PoseRejectedError(
            f"Expected chip {want} up, but chip {face_name(got_axis, got_sign)} is up. "
            "Check the drawing for this step and turn the sensor."
        )
    if tilt > max_tilt_deg:
        raise PoseRejectedError(
            f"Chip {want} is up but tilted {tilt:.0f} deg (limit {max_tilt_deg:.0f}). Lay it flat on that face."
        )
    return tilt


@dataclass(frozen=True)
class AccelCalibrator:
    """Fits offset (g) and scale (ratio) per chip axis to the mean accelerations of static poses.

    cross_axis: also fit the 3 upper-triangular cross-axis terms (needs >= 9 poses). Default False:
        the firmware applies per-axis offset and scale only.
    min_poses: fewest poses accepted, default 6 (the six faces).
    """

    cross_axis: bool = False
    min_poses: int = 6

    def fit(self, pose_means_g: np.ndarray) -> AccelFit:
        """Fit to (N, 3) pose means, g, chip frame. The poses must include all six faces (each
        axis seen up and down), or the offsets are not observable."""
        a = np.asarray(pose_means_g, dtype=float)
        n_params = 9 if self.cross_axis else 6
        if a.ndim != 2 or a.shape[1] != 3:
            raise ValueError(f"expected (N, 3) pose means, got {a.shape}")
        if len(a) < max(self.min_poses, n_params):
            raise CalibrationError(f"{len(a)} poses: need at least {max(self.min_poses, n_params)}")
        faces = {face_of(p)[:2] for p in a}
        missing = [face_name(ax, s) for ax, s in SIX_FACES if (ax, s) not in faces]
        if missing:
            raise CalibrationError(f"no pose with chip {', '.join(missing)} up: offsets not observable")
        # Start from the opposite-face estimate: offset = mid-point, scale = half the span.
        up = np.array([max(a[:, i]) for i in range(3)])
        down = np.array([min(a[:, i]) for i in range(3)])
        x0 = np.concatenate([(up + down) / 2, 2 / (up - down)])
        if self.cross_axis:
            x0 = np.concatenate([x0, np.zeros(3)])
        sol = least_squares(_residuals, x0, args=(a,), method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
        if not sol.success:
            raise CalibrationError(f"accelerometer fit did not converge: {sol.message}")
        offset, k = _unpack(sol.x)
        if np.any(np.diag(k) <= 0):
            raise CalibrationError("accelerometer fit gave a negative scale: the poses are inconsistent")
        residuals = _residuals(sol.x, a)
        k_rel = k / np.diag(k)[:, None]
        return AccelFit(
            offset_g_=offset,
            scale_=1.0 / np.diag(k),
            cross_=(k_rel - np.eye(3)) if self.cross_axis else None,
            matrix_=k,
            residuals_mg_=residuals * 1000.0,
            rms_residual_mg_=float(np.sqrt(np.mean(residuals**2)) * 1000.0),
            max_residual_mg_=float(np.max(np.abs(residuals)) * 1000.0),
            fit_error_mg_=float(np.sqrt(np.sum(residuals**2) / (len(a) - n_params)) * 1000.0) if len(a) > n_params else float("nan"),
            dof_=len(a) - n_params,
        )


@dataclass(frozen=True)
class AccelFit:
    """Result of AccelCalibrator.fit (chip frame).

    offset_g_ (3,): reading at zero acceleration, g. scale_ (3,): sensitivity ratio measured/true.
    cross_ (3, 3) or None: upper-triangular cross-axis terms of K relative to its diagonal.
    matrix_ (3, 3): K, a_true = K @ (a_meas - offset). residuals_mg_ (N,): |a_cal| - 1 g per
    pose, mg. fit_error_mg_: residual standard error sqrt(SSR / dof), mg, the quality figure (NaN
    when dof_ = 0). dof_: poses minus parameters (0 = residuals carry no information).
    """

    offset_g_: np.ndarray
    scale_: np.ndarray
    cross_: np.ndarray | None
    matrix_: np.ndarray
    residuals_mg_: np.ndarray
    rms_residual_mg_: float
    max_residual_mg_: float
    fit_error_mg_: float
    dof_: int

    def residuals_mg(self, pose_means_g: np.ndarray) -> np.ndarray:
        """|a_cal| - 1 g, mg, of (N, 3) pose means (g, chip frame), e.g. check poses not fitted."""
        return (np.linalg.norm(self.correct(pose_means_g), axis=1) - 1.0) * 1000.0

    def correct(self, acc_g: np.ndarray) -> np.ndarray:
        """(N, 3) raw accelerations, g, chip frame -> calibrated, g, chip frame."""
        return (np.asarray(acc_g, dtype=float) - self.offset_g_) @ self.matrix_.T


def _unpack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = np.diag(x[3:6])
    if len(x) == 9:
        k[0, 1], k[0, 2], k[1, 2] = x[6], x[7], x[8]
    return x[:3], k


def _residuals(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    offset, k = _unpack(x)
    return np.linalg.norm((a - offset) @ k.T, axis=1) - 1.0
