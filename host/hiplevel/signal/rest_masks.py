"""Which samples are at rest and which are quiet: the moving spread of the gyro and the
accelerometer against the limits of `fusion.FusionSettings` (rest: still enough to take the
gyro bias and trust gravity; quiet: standing with its sway, sitting, lying; no steps, no turns).
The spread, not the magnitude, of the gyro is tested, so an uncalibrated bias does not hide rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hiplevel.signal.contiguous import contiguous

if TYPE_CHECKING:
    from hiplevel.signal.fusion import FusionSettings


def rest_mask(acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float, settings: FusionSettings) -> np.ndarray:
    """Boolean (N,) "at rest": centred-window std of gyro and accelerometer below the thresholds.

    gyro_dps is the rate to judge, deg/s: the gyro's three axes (N,3), or one rate (N,) such as
    the pelvis' roll rate alone (`band_moves.unturning`: the hinge's pitch and yaw wobble is no
    move of the pelvis along its path). Uses the spread, not the magnitude, of the rate so an
    uncalibrated bias does not hide rest."""
    g_std, a_std = _spreads(acc_g, gyro_dps, rate_hz, settings.rest_window_s)
    return (g_std < settings.rest_gyro_std_dps) & (a_std < settings.rest_acc_std_g)


def quiet_mask(acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float, settings: FusionSettings) -> np.ndarray:
    """Boolean (N,) "quiet": as `rest_mask` with the looser quiet_* limits (standing with its sway,
    sitting, lying; no steps, no turns); includes every rest sample."""
    return rest_and_quiet_masks(acc_g, gyro_dps, rate_hz, settings)[1]


def rest_and_quiet_masks(acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float,
                         settings: FusionSettings) -> tuple[np.ndarray, np.ndarray]:
    """(`rest_mask`, `quiet_mask`) from one computation of the moving spreads."""
    g_std, a_std = _spreads(acc_g, gyro_dps, rate_hz, settings.rest_window_s)
    rest = (g_std < settings.rest_gyro_std_dps) & (a_std < settings.rest_acc_std_g)
    return rest, ((g_std < settings.quiet_gyro_std_dps) & (a_std < settings.quiet_acc_std_g)) | rest


def _spreads(acc_g, gyro_dps, rate_hz, window_s) -> tuple[np.ndarray, np.ndarray]:
    """Centred-window std of the gyro (deg/s) and accelerometer (g) over window_s, their three
    axes combined (axis by axis: the same sums as on all three at once, a third of the memory);
    a single rate (N,) is its own std."""
    from hiplevel._native import rest_kernel
    from hiplevel.signal.filters import moving_std

    win = max(3, int(round(window_s * rate_hz)))
    kernel = rest_kernel()

    def spread(x: np.ndarray) -> np.ndarray:
        if x.ndim == 1:  # one rate: its std (the sqrt of its square, to the bit)
            return moving_std(x, win)
        if kernel is not None:  # the compiled loop: the same sums in the same order, to the bit
            out = np.empty(len(x))
            kernel.spread(contiguous(x, dtype=np.float64), win, out)
            return out
        total = moving_std(x[:, 0], win) ** 2
        for c in (1, 2):
            total += moving_std(x[:, c], win) ** 2
        return np.sqrt(total)

    return spread(gyro_dps), spread(acc_g)
