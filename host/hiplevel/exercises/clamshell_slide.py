"""The clamshell's slide test (`ClamshellDetector.detect`): how fast the lying pelvis moved
horizontally over one roll-back bump beyond what its roll about the floor contact explains (a rep
turns the pelvis where it lies; a fidget slides it)."""

from __future__ import annotations

import numpy as np

from hiplevel.constants import STANDARD_GRAVITY_MS2
from hiplevel.exercises.base import velocity_mps

# Horizontal velocity of the pelvis for the slide test: high-passed here (tilt errors leak gravity
# below it; a fidget's slide lasts 0.5-1.2 s).
SLIDE_HP_HZ = 0.2
# Side-lying, the pelvis rolls back about its floor contact (the lower greater trochanter), not about
# its centre: the belt, at the back of the pelvis about as high as its centre, moves backward by
# ~h * roll-back. h = the belt's height above that contact: half the hip width less what the mat and
# soft tissue give, 0.10-0.20 m (the bench's physics draws 0.10-0.15). The slide test judges only the
# motion that a pivot no higher than this does not explain (margin above the tallest pelvis).
MAX_PIVOT_HEIGHT_M = 0.25


def roll_pivot_mps(rollback_deg: np.ndarray, rate_hz: float) -> np.ndarray:
    """Forward velocity, m/s per m of pivot height, of a point above a floor pivot as the pelvis
    rolls back by rollback_deg (negative: rolling back carries it backward), band-limited as
    `ClamshellDetector.slide_mps` so that the two compare sample by sample."""
    x = -np.sin(np.radians(rollback_deg))
    acc_g = np.gradient(np.gradient(x)) * rate_hz**2 / STANDARD_GRAVITY_MS2
    return velocity_mps(acc_g, rate_hz, hp_hz=SLIDE_HP_HZ)


def unexplained_slide_mps(velocity_mps: np.ndarray, pivot_mps: np.ndarray,
                          max_pivot_m: float = MAX_PIVOT_HEIGHT_M) -> float:
    """Peak horizontal speed, m/s, of the pelvis over one bump that its roll about a floor pivot does
    not explain. velocity_mps: (N,2) heading-frame velocity (`slide_mps`); pivot_mps: the forward
    velocity per m of pivot height (`roll_pivot_mps`). The pivot height is the least-squares fit of
    the forward velocity on pivot_mps, kept within [0, max_pivot_m]: a roll-back moves the belt
    backward along the forward axis only, so a slide along the body, sideways to the roll or beyond
    a pelvis' height is left whole."""
    u = pivot_mps
    uu = float(np.dot(u, u))
    h = float(np.clip(np.dot(velocity_mps[:, 0], u) / uu, 0.0, max_pivot_m)) if uu > 0.0 else 0.0
    rest = np.column_stack([velocity_mps[:, 0] - h * u, velocity_mps[:, 1]])
    return float(np.max(np.linalg.norm(rest, axis=1)))
