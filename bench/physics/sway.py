"""Postural sway laid over a pose: quiet standing everywhere, more where a stretch asks for it."""

from __future__ import annotations

import numpy as np

from bench.physics.pose import GRID_HZ, Pose
from bench.physics.profiles import band_noise

# Quiet standing (Prieto et al. 1996 order of magnitude): the pelvis wanders a few mm at 0.1-0.7 Hz and
# tilts a few tenths of a degree; slow enough that the gyro stays under 1 deg/s.
STANDING_POS_SD_M = (0.002, 0.0015, 0.0005)
STANDING_TILT_SD_DEG = (0.12, 0.15, 0.2)  # roll, pitch, yaw
STANDING_BAND_HZ = (0.1, 0.7)


def add_standing_sway(pose: Pose, rng: np.random.Generator) -> None:
    """Add quiet-standing sway over the whole pose (in place)."""
    n = len(pose.t_s)
    for k, sd in enumerate(STANDING_POS_SD_M):
        pose.pos_m[:, k] += band_noise(n, GRID_HZ, *STANDING_BAND_HZ, sd, rng)
    for arr, sd in zip((pose.roll_deg, pose.pitch_deg, pose.yaw_deg), STANDING_TILT_SD_DEG):
        arr += band_noise(n, GRID_HZ, *STANDING_BAND_HZ, sd, rng)


def windowed_noise(pose: Pose, envelope: np.ndarray, band_hz: tuple[float, float], sd: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Band-limited noise of SD sd where envelope is 1, faded with it (envelope smooth, 0..1)."""
    return envelope * band_noise(len(pose.t_s), GRID_HZ, band_hz[0], band_hz[1], sd, rng)
