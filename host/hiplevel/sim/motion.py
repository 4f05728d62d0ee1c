"""Building blocks of pelvis kinematics on the 1 kHz internal grid: smooth ramps and bumps,
band-limited sway, and the `Segment` every exercise generator returns.

A segment starts and ends in the standing posture at rest: roll and pitch relative to the
person's standing neutral (deg), yaw relative to the heading at the segment's start (deg), and
position (m) in that heading's frame (x forward, y left, z up) starting at 0 with zero velocity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hiplevel.constants import Side

FS_INTERNAL_HZ = 1000.0


# `min_jerk`'s peak rate (at x = 0.5: 30 x^2 (1 - x)^2 = 1.875) over its mean rate (1): a smooth move's
# peak speed is this many times its size over its duration.
MIN_JERK_PEAK_RATE = 1.875


def min_jerk(x: np.ndarray) -> np.ndarray:
    """Minimum-jerk ramp 0 -> 1 for x in [0, 1] (clipped outside); zero rate and acceleration at both ends."""
    x = np.clip(x, 0.0, 1.0)
    return x**3 * (10.0 - 15.0 * x + 6.0 * x**2)


def ramp(t: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """0 before t0, smooth rise, 1 after t1 (s)."""
    return min_jerk((t - t0) / max(t1 - t0, 1e-6))


def even_ramp(t: np.ndarray, t0: float, t1: float, edge: float = 0.15) -> np.ndarray:
    """0 before t0, 1 after t1 (s), at a constant rate in between except the first and last `edge`
    of the span, where the rate rises and falls smoothly (minimum-jerk): a move at even speed."""
    x = np.clip((t - t0) / max(t1 - t0, 1e-6), 0.0, 1.0)

    def area(y: np.ndarray) -> np.ndarray:  # integral of min_jerk from 0 to y in [0, 1]
        return y**4 * (2.5 - 3.0 * y + y**2)

    rise = edge * area(np.clip(x / edge, 0.0, 1.0)) + np.maximum(0.0, x - edge)
    fall = edge * area(np.clip((x - 1.0 + edge) / edge, 0.0, 1.0))
    return (rise - fall) / (1.0 - edge)


def plateau(t: np.ndarray, t0: float, t_up: float, t_down: float, t1: float) -> np.ndarray:
    """Smooth 0 -> 1 over [t0, t_up], 1 until t_down, back to 0 at t1 (s). t_up == t_down: a peak."""
    return ramp(t, t0, t_up) - ramp(t, t_down, t1)


def sway(n: int, rng: np.random.Generator, sd: float, f_lo_hz: float = 0.08, f_hi_hz: float = 1.2) -> np.ndarray:
    """Smooth band-limited noise (sum of 24 sinusoids, 1/sqrt(f) amplitudes) with the given SD."""
    t = np.arange(n) / FS_INTERNAL_HZ
    freqs = np.exp(rng.uniform(np.log(f_lo_hz), np.log(f_hi_hz), 24))
    amps = 1.0 / np.sqrt(freqs)
    phases = rng.uniform(0, 2 * np.pi, 24)
    out = np.zeros(n)
    for f, a, ph in zip(freqs, amps, phases):
        out += a * np.sin(2 * np.pi * f * t + ph)
    return out * (sd / max(float(np.std(out)), 1e-12)) if n > 1 else out


@dataclass
class RepPlan:
    """A rep as planned by a generator; sample indices are relative to the segment.

    measure_side: the side whose drop below neutral is the rep's drop (None: clamshell rollback).
    win: (i0, i1) window over which the drop is measured; robust: 95th percentile instead of max.
    phases: [(stance, measure_side, win)] of a rep with several single-support phases (band walk,
        lead swing first); the labels measure each and give the rep its worse phase.
    """

    start_i: int
    end_i: int
    side: Side
    measure_side: Side | None
    win: tuple[int, int]
    robust: bool = False
    extras: dict = field(default_factory=dict)
    phases: list[tuple[Side, Side, tuple[int, int]]] = field(default_factory=list)


@dataclass
class Segment:
    """Kinematics of one part of the session (see module docstring for frames)."""

    roll: np.ndarray
    pitch: np.ndarray
    yaw: np.ndarray
    pos: np.ndarray
    sway_gain: np.ndarray
    reps: list[RepPlan] = field(default_factory=list)
    impacts_i: list[int] = field(default_factory=list)
    # Size of each heel-strike transient relative to a straight step's (empty: all 1): a pivot
    # step in a turn lands flat and soft.
    impact_scale: list[float] = field(default_factory=list)
    kind: str = "exercise"
    pos_sway_gain: np.ndarray | None = None  # position sway gain when not sway_gain (e.g. holds)

    @staticmethod
    def still(n: int, gain: float = 1.0, kind: str = "standing") -> "Segment":
        """n samples of quiet standing."""
        return Segment(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros((n, 3)), np.full(n, gain), kind=kind)

    def __len__(self) -> int:
        return len(self.roll)


def time_axis(duration_s: float) -> np.ndarray:
    """Sample times of a segment of this duration at the internal rate, s."""
    return np.arange(int(round(duration_s * FS_INTERNAL_HZ))) / FS_INTERNAL_HZ


def side_sign(side: Side) -> float:
    """+1 for left, -1 for right: roll sign of a drop of the *other* side, lateral (y) sign of the side."""
    return 1.0 if side == "left" else -1.0


def drop_roll_deg(dropping_side: Side, drop_deg: float | np.ndarray) -> np.ndarray | float:
    """Roll (deg, + = left side up) that puts `dropping_side` drop_deg below level."""
    return -side_sign(dropping_side) * drop_deg
