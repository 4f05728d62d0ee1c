"""Plausibility of IMU units: catch data whose numbers do not fit the unit they were declared in.

A file that says g but holds m/s^2, or says deg/s but holds rad/s, analyses without an error and
gives wrong results (a rad/s gyro read as deg/s turns 57x too slowly: every rep looks level). Two
physical checks, independent of the exercise:

- accelerometer: the median |a| over the recording is about 1 g (gravity; movement averages out):
  0.95-1.06 g in the simulator and the real dev data. Outside `ACC_NORM_RANGE_G` the likely unit is
  named (m/s^2, g, milli-g, raw counts).
- gyroscope: while the pelvis moves, rotation and acceleration come together. Over 2 s windows with
  >= `MOTION_MIN_G` of dynamic acceleration (RMS about the window mean), the median ratio of gyro
  RMS (deg/s) to that acceleration (g) is 52-230 deg/s per g in every simulated exercise (walking,
  band walk, single-leg stance, step-down, single-leg squat, clamshell; 50-200 Hz) and in the 60
  real dev trials (healthy walking, stroke treadmill walking, daily activities). rad/s read as
  deg/s gives 0.9-4.0, deg/s read as rad/s >= 3,000: the limits (15, 800) sit 3.5x from both. Too
  little movement (quiet standing only): no verdict, since sensor noise alone gives about 12.
"""

from __future__ import annotations

import numpy as np

from hiplevel.signal.angle_units import DEG_PER_RAD
from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.exact_median import median

ACC_NORM_RANGE_G = (0.8, 1.25)
MOTION_MIN_G = 0.03
MIN_MOTION_WINDOWS = 3
WINDOW_S = 2.0
GYRO_PER_G_RANGE_DPS = (15.0, 800.0)
# (median |a| in the declared unit converted to g) -> what the numbers probably are.
_ACC_GUESSES = (
    (1.0 * 9.80665, "m/s^2"),
    (1.0 / 9.80665, "g (the values are about 1 at rest, not 9.8)"),
    (1000.0, "milli-g"),
    (2048.0, "raw counts at +-16 g (2048 per g)"),
    (4096.0, "raw counts at +-8 g (4096 per g)"),
    (8192.0, "raw counts at +-4 g (8192 per g)"),
    (16384.0, "raw counts at +-2 g (16384 per g)"),
)


class UnitsError(AnalysisError):
    """IMU values that do not fit their declared unit; the message names the likely one."""


def check_imu_units(acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float, declared: dict | None = None) -> None:
    """Raise UnitsError when the accelerometer (converted to g) or the gyroscope (converted to
    deg/s) does not look like a person's pelvis. `declared`: {"acc": unit, "gyro": unit,
    "columns": [...]} as the source named them, for the message."""
    declared = declared or {}
    acc_unit = declared.get("acc", "g")
    gyro_unit = declared.get("gyro", "deg/s")
    acc = np.asarray(acc_g, float)
    norm = float(median(np.sqrt(np.einsum("ij,ij->i", acc, acc)))) if len(acc) else 1.0
    lo, hi = ACC_NORM_RANGE_G
    if not lo <= norm <= hi:
        guess, likely = _acc_guess(norm, acc_unit)
        raise UnitsError(f"accelerometer values do not fit {acc_unit}: the median |a| is {norm:.3g} g where gravity "
                         f"alone gives 1 g; {guess}{_columns_hint(declared, 'acc', likely)}")
    ratio = gyro_per_g(acc, np.asarray(gyro_dps, float), rate_hz)
    if ratio is None:
        return
    lo, hi = GYRO_PER_G_RANGE_DPS
    if ratio < lo:
        likely = "rad/s" if ratio * DEG_PER_RAD >= lo else "a unit far smaller than deg/s"
        raise UnitsError(f"gyroscope values do not fit {gyro_unit}: while moving, the pelvis turns {ratio:.2g} deg/s per g "
                         f"of acceleration, where people move with {lo:g}-{hi:g}; the values look like {likely}"
                         f"{_columns_hint(declared, 'gyro', likely)}")
    if ratio > hi:
        likely = "deg/s" if ratio / DEG_PER_RAD <= hi else "a unit far larger than deg/s"
        raise UnitsError(f"gyroscope values do not fit {gyro_unit}: while moving, the pelvis turns {ratio:.3g} deg/s per g "
                         f"of acceleration, where people move with {lo:g}-{hi:g}; the values look like {likely}"
                         f"{_columns_hint(declared, 'gyro', likely)}")


def gyro_per_g(acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float) -> float | None:
    """Median over moving 2 s windows of gyro RMS (deg/s) / dynamic acceleration RMS (g), each
    about its window mean; None when fewer than MIN_MOTION_WINDOWS windows move."""
    n = max(2, int(round(WINDOW_S * rate_hz)))
    k = len(acc_g) // n
    if k < MIN_MOTION_WINDOWS:
        return None
    # a.var(axis=1) and (g * g).mean(axis=1) of the (k, n, 3) windows, from (n, k, 3) (`_by_sample`).
    # In place on the copies (the same values as new arrays; two arrays at a time, as numpy's own).
    a = _by_sample(acc_g[: k * n].reshape(k, n, 3))
    a -= a.sum(axis=0) / n
    a *= a
    a_rms = np.sqrt((a.sum(axis=0) / n).sum(axis=1))
    g = _by_sample(gyro_dps[: k * n].reshape(k, n, 3))
    g *= g
    g_rms = np.sqrt((g.sum(axis=0) / n).sum(axis=1))
    moving = a_rms >= MOTION_MIN_G
    if moving.sum() < MIN_MOTION_WINDOWS:
        return None
    return float(median(g_rms[moving] / a_rms[moving]))


def _by_sample(x: np.ndarray) -> np.ndarray:
    """Windows x (k, n, 3) as a new (n, k, 3), C-contiguous, for their sums over the samples (axis 0): numpy
    sums the middle axis of (k, n, 3) in sample order with an inner loop three values long, called
    k x n times (`mean(axis=1)`, `var(axis=1)`: ~5 ms on the 65,536 probe samples); over the first
    axis it makes the same additions in the same order, each inner loop all k x 3 sums at once
    (the same bits: tests compare them)."""
    return x.transpose(1, 0, 2).copy()  # always a new array: the caller works in place


def _acc_guess(norm_g: float, declared: str) -> tuple[str, str | None]:
    """(sentence, likely unit) from how far the median |a| (in g, after the declared conversion) is off."""
    best = min(_ACC_GUESSES, key=lambda g: abs(np.log(max(norm_g, 1e-12) / g[0])))
    if abs(np.log(max(norm_g, 1e-12) / best[0])) >= np.log(1.3):
        return "check the accelerometer's unit and scale", None
    unit = "g" if best[1].startswith("g ") else best[1]
    return f"the values look like {best[1]}", unit


_COLUMNS_FOR = {"m/s^2": "ax_ms2,ay_ms2,az_ms2", "g": "ax_g,ay_g,az_g", "rad/s": "gx_rps,gy_rps,gz_rps",
                "deg/s": "gx_dps,gy_dps,gz_dps"}


def _columns_hint(declared: dict, sensor: str, likely: str | None) -> str:
    """For a CSV (the source named its columns, t first): which header would say the likely unit."""
    cols = declared.get("columns")
    if not cols:
        return ""
    cols = cols[1:4] if sensor == "acc" else cols[4:7]
    rename = f"; if they are {likely}, name the columns {_COLUMNS_FOR[likely]}" if likely in _COLUMNS_FOR else ""
    return f" (columns {', '.join(cols)}){rename}"
