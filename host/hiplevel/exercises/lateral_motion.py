"""The sideways pelvis acceleration a single-leg hold's weight shifts are measured on, with the two
errors of the levelled linear acceleration that matter for slow, small shifts removed:

- the fusion trusts the accelerometer within 0.5 s whenever the pelvis looks at rest, and a slow
  shift (2-3 s, 5-10 mg) looks at rest: a third to all of its acceleration is taken for tilt
  (`gyro_levelled_g` carries the roll by the gyro over such moves);
- the accelerometer's scale and cross-axis errors (1-3 %) leave gravity's sideways share slightly
  wrong: a few mg for as long as the pelvis holds a 5-10 deg roll on one leg, which the velocity's
  straight-line drift correction turns into a 3-8 cm hump at foot-off and foot-down (`roll_offset_g`).

And the sensor is not the pelvis: it sits above and behind the hips, so rolling and turning swing
it sideways (`swing_mps`): a 6-10 deg drop at foot-off moves it 1-2 cm toward the dropping side
in half a second, a "shift" the wrong way if left in.
"""

from __future__ import annotations

import numpy as np

from hiplevel.exercises.base import Motion, cumtrapz0
from hiplevel.signal.filters import zero_phase_lowpass
from hiplevel.signal.neutral import runs

# The belt sensor over the sacrum sits about this far above the hip joint centres (the pelvis' roll
# pivot), so a pelvic drop swings it sideways: 8 deg of drop moves it ~1 cm, a third of a band
# walk's shuffle trailing move.
SENSOR_ABOVE_HIP_M = 0.08
# ...and this far behind them: turning the pelvis (yaw) swings it sideways (a 25 deg turn, 5 cm).
SENSOR_BEHIND_HIP_M = 0.12


def gyro_levelled_g(acc_lin_y_g: np.ndarray, roll_deg: np.ndarray, roll_rate_dps: np.ndarray, rate_hz: float,
                    tilt_hz: float) -> np.ndarray:
    """The levelled sideways acceleration acc_lin_y_g (N,), g, re-levelled with a roll that follows
    the fused roll_deg below tilt_hz and the gyro's integral (roll_rate_dps, bias-free) above it: a
    residual gyro bias of 0.1 deg/s tilts it by ~0.15 deg, a slow offset the velocity's anchors
    remove. Returned as is when too short or tilt_hz <= 0."""
    if len(acc_lin_y_g) <= 30 or tilt_hz <= 0:
        return acc_lin_y_g
    gyro = cumtrapz0(roll_rate_dps, 1.0 / rate_hz)
    roll = zero_phase_lowpass(roll_deg, tilt_hz, rate_hz) + gyro - zero_phase_lowpass(gyro, tilt_hz, rate_hz)
    return acc_lin_y_g + np.sin(np.radians(roll_deg)) - np.sin(np.radians(roll))


def roll_offset_g(acc_g: np.ndarray, roll_deg: np.ndarray, anchors: np.ndarray, rate_hz: float,
                  min_run_s: float = 0.5, min_span_deg: float = 3.0, max_gain: float = 0.1) -> np.ndarray:
    """The part of the levelled sideways acceleration acc_g (N,), g, that follows the roll (0.14 g
    of gravity's sideways share at 8 deg, 1-3 % of it wrong): c0 + c1 sin(roll), fitted to the
    mean acceleration of each run of `anchors` (the pelvis put: its mean is zero) of at least
    min_run_s, weighted by length. Zero when those runs span less than min_span_deg of roll
    (standing only: nothing to fit) or |c1| exceeds max_gain (no plausible sensor error)."""
    n = int(min_run_s * rate_hz)
    parts = [(b - a, float(np.mean(acc_g[a:b])), float(np.mean(np.sin(np.radians(roll_deg[a:b])))))
             for a, b in runs(anchors) if b - a >= n]
    zero = np.zeros(len(acc_g))
    if len(parts) < 2:
        return zero
    w, y, x = (np.array(c) for c in zip(*parts))
    if np.degrees(np.arcsin(x.max()) - np.arcsin(x.min())) < min_span_deg:
        return zero
    sw = np.sqrt(w)
    c0, c1 = np.linalg.lstsq(np.column_stack([sw, sw * x]), sw * y, rcond=None)[0]
    if abs(c1) > max_gain:
        return zero
    return c0 + c1 * np.sin(np.radians(roll_deg))


def swing_mps(m: Motion, roll_deg: np.ndarray | None = None, turning: bool = True) -> np.ndarray:
    """The sensor's sideways velocity about the hips (N,), m/s, to add to its own for the pelvis's:
    rolling swings it (SENSOR_ABOVE_HIP_M above them), turning too (SENSOR_BEHIND_HIP_M behind).
    roll_deg: the roll that gives the sideways axis (default m.roll_deg; the step-down's is
    re-aligned to the axis of its weight shifts, `lowering_axis.realigned_roll_pitch`); turning: take
    the turning swing off as well, from the gyro's z rate (the pelvis frame's: a turn's rate only
    while the pelvis is about upright; pitched forward 6-35 deg in a lowering it carries a share of
    the roll rate, and the step-down leaves it out: `step_down.lateral_acc_g`)."""
    roll = m.roll_deg if roll_deg is None else roll_deg
    # Roll swings the sensor by -h sin(roll) sideways (+ roll = left side up = sensor to the right).
    swing = SENSOR_ABOVE_HIP_M * np.gradient(np.sin(np.radians(roll))) * m.rate_hz
    if turning and m.gyro_dps is not None:  # turning swings the sensor, behind the hips, sideways
        swing = swing + SENSOR_BEHIND_HIP_M * np.radians(m.gyro_dps[:, 2])
    return swing
