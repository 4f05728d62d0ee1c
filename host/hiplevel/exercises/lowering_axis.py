"""The forward axis of a single-leg lowering set (step-down, single-leg squat), from its sideways
weight shifts (`step_down`'s module docstring, "Forward axis"): the set's own drop grows with the
depth of each rep, so the tilt direction (which the session alignment takes as the pitch axis) mixes
the drop into the yaw; the weight shift onto the stance foot, a horizontal move along the pelvis'
left-right axis, is a cue independent of the drop, and the roll is re-aligned to it."""

from __future__ import annotations

import math

import numpy as np

from hiplevel.exercises.base import Motion, highpass, world_acc_g
from hiplevel.signal.filters import zero_phase_lowpass

# Weight-shift axis: only samples this close to upright (the shift comes before or at the very start
# of the descent; deeper, the pitch lever of the sensor moves it forward and back).
SHIFT_MAX_PITCH_DEG = 3.0
# Band of a weight shift (a 4-8 cm move in 0.3-0.6 s has its energy around 1 Hz); below it, tilt
# errors leak gravity into the horizontal acceleration.
SHIFT_BAND_HZ = (0.2, 3.0)
# The horizontal acceleration's dominant axis must carry this many times the energy of the other.
SHIFT_MIN_AXIS_RATIO = 4.0
# A belt clip is a few degrees off and the session alignment may have added ~20 deg from the drop:
# a larger correction is more likely a fault (e.g. no weight shift, walking) than a mount.
SHIFT_MAX_YAW_DEG = 40.0


def shift_yaw_deg(m: Motion) -> float:
    """Yaw, deg, that turns the aligned frame's y axis onto the axis of the sideways weight shifts
    (for `realigned_roll_pitch`); 0 for a roll stream or when the horizontal acceleration of the
    upright samples is not dominated by one axis."""
    if m.acc_lin_g is None or len(m.t_s) < 3 * m.rate_hz:
        return 0.0
    h = world_acc_g(m)[:, :2]
    lo, hi = SHIFT_BAND_HZ
    h = highpass(zero_phase_lowpass(h, hi, m.rate_hz), lo, m.rate_hz)
    h = h[np.abs(m.pitch_deg) < SHIFT_MAX_PITCH_DEG]
    if len(h) < m.rate_hz:
        return 0.0
    evals, evecs = np.linalg.eigh(h.T @ h)
    if evals[1] < SHIFT_MIN_AXIS_RATIO * max(evals[0], 1e-12):
        return 0.0
    ax = evecs[:, 1] if evecs[1, 1] >= 0 else -evecs[:, 1]
    # The pelvis' y axis in the aligned frame is (sin d, cos d): yaw(d) maps it onto +y.
    d = math.degrees(math.atan2(ax[0], ax[1]))
    return d if abs(d) <= SHIFT_MAX_YAW_DEG else 0.0


def realigned_roll_pitch(m: Motion, yaw_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """The set's roll and pitch, deg, after turning the frame by yaw_deg about the vertical (exact:
    the up-vectors are rotated, so large corrections keep roll and pitch apart)."""
    if yaw_deg == 0.0:
        return m.roll_deg, m.pitch_deg
    r, p, c, s = np.radians(m.roll_deg), np.radians(m.pitch_deg), math.cos(math.radians(yaw_deg)), math.sin(math.radians(yaw_deg))
    ux, uy, uz = -np.sin(p), np.cos(p) * np.sin(r), np.cos(p) * np.cos(r)
    vx, vy = c * ux - s * uy, s * ux + c * uy
    return np.degrees(np.arctan2(vy, uz)), np.degrees(np.arctan2(-vx, np.hypot(vy, uz)))
