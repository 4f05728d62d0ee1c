"""Mounting alignment: turn the sensor frame into the pelvis frame.

A belt clip sits a few degrees off. Two rotations fix it:
- **level** (vertical from quiet standing): the smallest rotation that brings the standing up-vector to
  +z. It removes the mount's roll and pitch together with the person's standing posture, so angles
  afterwards are relative to that standing pose (which is what a drop below neutral needs).
- **yaw** (forward axis): a sensor turned by psi about the vertical mixes pitch into roll
  (sin(psi) * pitch: 2.6 deg of false roll for a 5 deg yaw error in a 30 deg hip hinge). Pitch
  excursions (hinge, squat) happen about the pelvis' left-right axis, so the dominant direction of
  the horizontal tilt of the up-vector is the forward axis. When the set has too little pitch for that
  (walking, single-leg stance: pitch stays within a few deg, so the cross-talk is < 0.2 deg), the
  documented mount (psi = 0) is used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

from hiplevel.signal.exact_median import median_of_chunks

# Below this RMS tilt from standing, the tilt direction is not a usable forward-axis reference.
YAW_MIN_TILT_DEG = 6.0
# The dominant tilt direction must explain this many times the energy of the other (pitch >> roll).
YAW_MIN_AXIS_RATIO = 4.0
# A belt clip is "a few degrees off"; beyond this the estimate is more likely a fault than a mount.
YAW_MAX_ABS_DEG = 30.0
# Samples tilted further than this from standing are not upright work (lying down, getting up).
YAW_MAX_TILT_DEG = 45.0


def level_rotation(up_standing: np.ndarray) -> np.ndarray:
    """3x3 rotation R (smallest angle, no yaw) with R @ up_standing = [0, 0, 1]."""
    u = np.asarray(up_standing, float)
    u = u / np.linalg.norm(u)
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(u, z)
    s, c = np.linalg.norm(axis), float(np.dot(u, z))
    if s < 1e-12:
        return np.eye(3) if c > 0 else np.diag([1.0, -1.0, -1.0])
    k = axis / s
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + s * kx + (1 - c) * kx @ kx


def yaw_rotation(psi_deg: float) -> np.ndarray:
    """Rotation by psi_deg about +z (vertical)."""
    p = math.radians(psi_deg)
    c, s = math.cos(p), math.sin(p)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def estimate_mount_yaw_deg(up_levelled: np.ndarray) -> float:
    """Yaw of the sensor's forward axis relative to the pelvis', deg, from levelled up-vectors (N,3).

    Returns the correction psi for `yaw_rotation(psi) @ v`; 0 (the documented mount) when the
    tilt excursions of the upright samples (tilt <= YAW_MAX_TILT_DEG) are too small or not
    dominated by one axis. Exercises whose drop grows with their pitch (single-leg squat,
    step-down) read as a yaw here; their detectors re-align to the sideways weight shift."""
    u = np.asarray(up_levelled, float)
    return mount_yaw_from_chunks(lambda: (u,))


def mount_yaw_from_chunks(levelled: Callable[[], Iterable[np.ndarray]]) -> float:
    """`estimate_mount_yaw_deg` of the concatenation of the levelled up-vector arrays (N_i,3) that
    `levelled()` yields (called once per pass, the same arrays each time): a long recording in
    bounded memory, with the same result as on all samples at once (`exact_median`)."""
    cos_max = math.cos(math.radians(YAW_MAX_TILT_DEG))

    def upright() -> Iterable[np.ndarray]:
        for u in levelled():
            # np.compress copies the kept rows in blocks (a boolean index on (N,3) rows, one call a row).
            yield np.compress(u[:, 2] > cos_max, u[:, :2], axis=0)

    # Side-lying (clamshell) puts gravity along the body's y axis: a 90 deg "tilt" that is not a
    # hinge, and would outweigh every hinge of a whole-session recording. Upright samples only.
    m, count = np.zeros((2, 2)), 0
    for h in upright():
        m += h.T @ h  # uncentred: a held hinge counts, not only its changes
        count += len(h)
    if count == 0:
        return 0.0
    m /= count
    evals, evecs = np.linalg.eigh(m)
    tilt_rms_deg = math.degrees(math.asin(min(1.0, math.sqrt(max(evals.sum(), 0.0)))))
    if tilt_rms_deg < YAW_MIN_TILT_DEG or evals[1] < YAW_MIN_AXIS_RATIO * max(evals[0], 1e-12):
        return 0.0
    # Direction: the median tilt of the clearly tilted samples. Drops come and go within a step
    # (less than half the time), so the median ignores them where a mean or PCA would lean toward
    # a one-sided drop pattern.
    ax = evecs[:, 1]
    thr = math.sin(math.radians(YAW_MIN_TILT_DEG))

    def tilted(sgn: float = 0.0) -> Iterable[np.ndarray]:
        for h in upright():
            proj = h @ ax
            sel = np.abs(proj) > thr
            if sgn:
                sel &= sgn * proj > 0
            yield np.compress(sel, h, axis=0) if sgn else proj[sel]

    sgn = 1.0 if median_of_chunks(tilted) >= 0 else -1.0
    dx = sgn * median_of_chunks(lambda: (h[:, 0] for h in tilted(sgn)))
    dy = sgn * median_of_chunks(lambda: (h[:, 1] for h in tilted(sgn)))
    # Pitch about the pelvis y axis puts the tilt on the pelvis x axis: sensor sees it at -psi.
    psi = math.degrees(math.atan2(sgn * dy, -sgn * dx))
    psi = (psi + 90.0) % 180.0 - 90.0  # a backward tilt gives the same axis
    return psi if abs(psi) <= YAW_MAX_ABS_DEG else 0.0


def alignment_rotation(up_standing: np.ndarray, up_sensor: np.ndarray) -> tuple[np.ndarray, float]:
    """Sensor-to-pelvis rotation (3x3) and the yaw correction used, deg.

    up_standing: mean up-vector during quiet standing (sensor frame); up_sensor: (N,3) up-vectors
    over the movement used to find the forward axis."""
    r_level = level_rotation(up_standing)
    psi = estimate_mount_yaw_deg(np.asarray(up_sensor) @ r_level.T)
    return yaw_rotation(psi) @ r_level, psi
