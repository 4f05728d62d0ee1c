"""The pelvis pose trajectory and the ground truth the physics generator hands to the judge."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GRID_HZ = 1000.0  # the pose is built on a fine grid so two numerical derivatives stay exact to < 0.1 %


@dataclass
class Pose:
    """Pelvis centre position (m, world: x forward, y left, z up) and attitude (deg) on a regular
    grid `t_s` (GRID_HZ). roll = obliquity about +x (positive = left side higher), pitch about +y
    (positive = front down, hip hinge), yaw about +z; the attitude is R = Rz(yaw) Ry(pitch) Rx(roll)."""

    t_s: np.ndarray
    pos_m: np.ndarray  # (N, 3)
    roll_deg: np.ndarray
    pitch_deg: np.ndarray
    yaw_deg: np.ndarray

    @classmethod
    def still(cls, duration_s: float) -> Pose:
        """A pose standing still, level, facing +x, for duration_s."""
        t = np.arange(int(round(duration_s * GRID_HZ)) + 1) / GRID_HZ
        z = np.zeros(len(t))
        return cls(t, np.zeros((len(t), 3)), z.copy(), z.copy(), z.copy())


@dataclass
class TrueRep:
    """One rep as performed (times on the recording's clock, s). side: the stance leg ("left" /
    "right"); drop_deg: the unsupported side's drop below neutral (negative: hip hike); params: what
    was drawn for it (the bins); direction: a band-walk step's direction of travel (the lead leg),
    else None; hold_s: a single-leg-stance hold's length (foot off to foot down), else None."""

    start_s: float
    end_s: float
    side: str
    drop_deg: float
    params: dict = field(default_factory=dict)
    direction: str | None = None
    hold_s: float | None = None


def roll_sign_of_drop(stance: str) -> float:
    """The sign of the roll when the side opposite `stance` drops: the right side dropping (left
    stance) leaves the left side higher, positive roll."""
    return 1.0 if stance == "left" else -1.0


def lateral_sign(side: str) -> float:
    """+1 for a move toward the left (+y), -1 toward the right."""
    return 1.0 if side == "left" else -1.0


def other(side: str) -> str:
    return "right" if side == "left" else "left"


# The pelvis centre is the midpoint of the hip joint centres; in single support the pelvis tilts about
# the stance hip, this far to the side (half the inter-hip distance, ~17 cm between hip centres in adults).
HIP_HALF_WIDTH_M = 0.085


def add_drop(pose: Pose, stance: str, drop_deg: np.ndarray, pivot: bool = True) -> None:
    """In place: the unsupported side drops by drop_deg (array on the pose's grid; negative = hike):
    roll by drop_deg toward the unsupported side; with pivot, about the stance hip: the centre
    (medial of the pivot) also sinks by HIP_HALF_WIDTH_M sin(drop) and swings out by
    HIP_HALF_WIDTH_M (1 - cos(drop)) toward the unsupported side (< 1.5 mm). Without: the caller's
    centre trajectory already holds that share (walking's measured bounce)."""
    pose.roll_deg += roll_sign_of_drop(stance) * drop_deg
    if not pivot:
        return
    a = np.radians(drop_deg)
    pose.pos_m[:, 2] -= HIP_HALF_WIDTH_M * np.sin(a)
    pose.pos_m[:, 1] -= lateral_sign(stance) * HIP_HALF_WIDTH_M * (1.0 - np.cos(a))
