"""Gyroscope bias at rest: mean rate over the still parts of a recording, moving parts rejected."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.calibration.errors import PoseRejectedError
from hiplevel.calibration.stillness import StillnessCriteria


@dataclass(frozen=True)
class GyroBiasEstimator:
    """Gyro bias (deg/s, chip frame) from a recording of the sensor lying still.

    The recording is cut into windows; a window counts when its gyro and accelerometer SDs are
    within `criteria` and its mean rate is within `criteria.gyro_rate_max_dps` of the median of
    the still windows (a slow steady turn has a small SD but a shifted mean). The bias is the mean
    over the kept samples.

    window_s: window length, s. Default 0.5 (long enough for an SD, short enough to cut out a bump).
    min_still_s: still time needed, s. Default 5.0: at 0.05 deg/s noise the standard error of
        the mean is then below 0.003 deg/s, far inside the 0.05 deg/s tolerance.
    criteria: stillness limits (StillnessCriteria).

    After `fit`: bias_dps_ (3,), noise_dps_ (3,) SD of the kept samples, stderr_dps_ (3,) standard
    error of the bias, still_s_ kept time, still_fraction_ of windows kept.
    """

    window_s: float = 0.5
    min_still_s: float = 5.0
    criteria: StillnessCriteria = StillnessCriteria()

    def fit(self, gyro_dps: np.ndarray, acc_g: np.ndarray, rate_hz: float) -> GyroBiasResult:
        """Estimate the bias from (N, 3) rates (deg/s) and accelerations (g) sampled at rate_hz.

        Raises PoseRejectedError when less than `min_still_s` of the recording is still."""
        gyro = np.asarray(gyro_dps, dtype=float)
        acc = np.asarray(acc_g, dtype=float)
        if gyro.ndim != 2 or gyro.shape[1] != 3 or acc.shape != gyro.shape:
            raise ValueError(f"expected two (N, 3) arrays, got {gyro.shape} and {acc.shape}")
        if rate_hz <= 0:
            raise ValueError("rate_hz must be positive")
        n_win = max(int(round(self.window_s * rate_hz)), 2)
        n_windows = len(gyro) // n_win
        if n_windows == 0:
            raise PoseRejectedError(
                f"Only {len(gyro) / rate_hz:.1f} s of data; keep the sensor still for {self.min_still_s:.0f} s."
            )
        g = gyro[: n_windows * n_win].reshape(n_windows, n_win, 3)
        a = acc[: n_windows * n_win].reshape(n_windows, n_win, 3)
        quiet = (g.std(axis=1).max(axis=1) <= self.criteria.gyro_std_max_dps) & (
            a.std(axis=1).max(axis=1) <= self.criteria.acc_std_max_g
        )
        if quiet.any():
            means = g.mean(axis=1)
            centre = np.median(means[quiet], axis=0)
            steady = np.linalg.norm(means - centre, axis=1) <= self.criteria.gyro_rate_max_dps
            quiet &= steady
        still_s = float(quiet.sum() * n_win / rate_hz)
        if still_s < self.min_still_s:
            raise PoseRejectedError(
                f"The sensor was still for only {still_s:.1f} s of {len(gyro) / rate_hz:.1f} s "
                f"(need {self.min_still_s:.0f} s). Put it on the table, let go and do not touch it or the table."
            )
        kept = g[quiet].reshape(-1, 3)
        noise = kept.std(axis=0)
        return GyroBiasResult(
            bias_dps_=kept.mean(axis=0),
            noise_dps_=noise,
            stderr_dps_=noise / np.sqrt(len(kept)),
            still_s_=still_s,
            still_fraction_=float(quiet.mean()),
        )


@dataclass(frozen=True)
class GyroBiasResult:
    """Result of GyroBiasEstimator.fit (see there): deg/s, chip frame."""

    bias_dps_: np.ndarray
    noise_dps_: np.ndarray
    stderr_dps_: np.ndarray
    still_s_: float
    still_fraction_: float
