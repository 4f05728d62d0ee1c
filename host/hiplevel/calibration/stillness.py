"""Is a block of samples still enough to be a calibration pose?"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StillnessCriteria:
    """Limits for a pose to count as held still.

    gyro_std_max_dps: largest per-axis SD of the angular rate, deg/s. MPU6050 gyro noise is
        0.005 deg/s/sqrt(Hz) (datasheet PS-MPU-6000A 6.1), about 0.05 deg/s RMS at 100 Hz with the
        42 Hz DLPF; a hand-held or touched sensor shows 1-5 deg/s. Default 0.5.
    acc_std_max_g: largest per-axis SD of the acceleration, g. Noise 400 ug/sqrt(Hz) (datasheet
        6.2), about 4 mg RMS; default 0.01 g (10 mg).
    gyro_rate_max_dps: largest |mean rate - gyro bias|, deg/s, once the bias is known: catches a
        slow steady turn that has a small SD. Default 1.0.
    min_duration_s: shortest usable block after the settling time, s. Default 2.0.
    """

    gyro_std_max_dps: float = 0.5
    acc_std_max_g: float = 0.01
    gyro_rate_max_dps: float = 1.0
    min_duration_s: float = 2.0


@dataclass(frozen=True)
class StillnessCheck:
    """Outcome of a stillness check: figures, a verdict and a message for the person."""

    still: bool
    duration_s: float
    gyro_std_dps: float
    acc_std_g: float
    gyro_rate_dps: float
    message: str


def check_still(
    acc_g: np.ndarray,
    gyro_dps: np.ndarray,
    rate_hz: float,
    criteria: StillnessCriteria = StillnessCriteria(),
    gyro_bias_dps: np.ndarray | None = None,
) -> StillnessCheck:
    """Judge (N, 3) acceleration (g) and angular rate (deg/s) samples, any frame, at rate_hz.

    gyro_bias_dps: known gyro bias (3,), deg/s, enables the steady-turn check; None skips it."""
    acc = np.asarray(acc_g, dtype=float)
    gyro = np.asarray(gyro_dps, dtype=float)
    duration_s = len(acc) / rate_hz
    if len(acc) < 2:
        return StillnessCheck(False, duration_s, math.nan, math.nan, math.nan, "no samples arrived")
    gyro_std = float(np.max(np.std(gyro, axis=0)))
    acc_std = float(np.max(np.std(acc, axis=0)))
    rate = math.nan
    if gyro_bias_dps is not None:
        rate = float(np.linalg.norm(np.mean(gyro, axis=0) - np.asarray(gyro_bias_dps, dtype=float)))
    problems = []
    if duration_s < criteria.min_duration_s:
        problems.append(f"only {duration_s:.1f} s of data (need {criteria.min_duration_s:.1f} s)")
    if gyro_std > criteria.gyro_std_max_dps:
        problems.append(f"it rotated (rate varied by {gyro_std:.2f} deg/s, limit {criteria.gyro_std_max_dps:.2f})")
    if acc_std > criteria.acc_std_max_g:
        problems.append(f"it shook (acceleration varied by {acc_std * 1000:.0f} mg, limit {criteria.acc_std_max_g * 1000:.0f})")
    if not math.isnan(rate) and rate > criteria.gyro_rate_max_dps:
        problems.append(f"it was turning slowly ({rate:.2f} deg/s, limit {criteria.gyro_rate_max_dps:.2f})")
    if problems:
        message = "The sensor was not still: " + "; ".join(problems) + ". Keep it still and try again."
    else:
        message = f"Still for {duration_s:.1f} s."
    return StillnessCheck(not problems, duration_s, gyro_std, acc_std, rate, message)
