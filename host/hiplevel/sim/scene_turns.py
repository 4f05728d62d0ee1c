"""The pelvis turning while people stand (`Scene.yaw_deg`, issue 14: "your simulator is not the world").

Real standing turns the pelvis: hapt-dev's standing (3 s windows inside the standing labels, 225
of them) turns 1.3 deg in the median window, 2.8 at the 75th percentile, 6.4 at the 90th, 22 at the
99th, up to 26 deg, at up to 46 deg/s (40 at the 99th percentile): people look round, turn to
reach, shuffle round. The classic scenes turned the pelvis by at most 0.11 deg within a weight
shift. A turn is not a spin about the pelvis' own centre: people turn about a point within their
base of support (a foot, a hip), so the pelvis moves a few cm with it (an assumption: a pivot
5-15 cm away moves it 1.7-5 cm in a 20 deg turn). hapt-dev's standing windows (2 s) that turn over
5 deg move the pelvis by 18-75 mg (10th-90th percentile), 240-480 deg/s of gyro per g (median 330);
the simulated ones 360-800 (median 530; 330-870, median 540, without the pivot): the real pelvis jostles more
as it turns, a turn here is the cleaner of the two.
"""

from __future__ import annotations

import numpy as np

from hiplevel.sim.motion import FS_INTERNAL_HZ, MIN_JERK_PEAK_RATE, Segment, plateau, ramp, sway

YAW_RATE_MAX_DPS = 40.0  # no turn faster than this at its peak (hapt-dev standing: 99th percentile 40)
YAW_TURN_MAX = 4.0  # no turn larger than this many yaw_deg
YAW_TURN_GAP_S = (3.0, 10.0)  # standing still between two turns
YAW_TURN_S = (0.6, 1.5)  # a turn's duration before the rate limit lengthens it
YAW_LOOK_HOLD_S = (0.3, 3.0)  # a look round: held this long, then back
YAW_PER_SHIFT = 1.0 / 3.0  # turn with a full sideways shift of the weight, SD in yaw_deg
YAW_WANDER = 0.1  # slow wander, SD in yaw_deg
# The vertical axis a turn pivots about: this far from the pelvis' centre, m (a hip joint ~9 cm
# to the side, a foot under it or a little in front), in any horizontal direction.
PIVOT_M = (0.05, 0.15)


def turn_size_deg(yaw_deg: float, rng: np.random.Generator) -> float:
    """A turn's size, deg: Laplace (scale yaw_deg), at most YAW_TURN_MAX x yaw_deg either way: mostly
    small turns and now and then a large one, as in hapt-dev (its 99th percentile 3 s window turns
    17x its median)."""
    return float(np.clip(rng.laplace(0.0, yaw_deg), -YAW_TURN_MAX * yaw_deg, YAW_TURN_MAX * yaw_deg))


def turn_duration_s(size_deg: float, turn_s: float) -> float:
    """How long a smooth (minimum-jerk) turn of size_deg (deg) takes, s: turn_s, or longer when its
    peak rate would pass YAW_RATE_MAX_DPS."""
    return max(turn_s, MIN_JERK_PEAK_RATE * abs(size_deg) / YAW_RATE_MAX_DPS)


def rate_capped_deg(size_deg: float, turn_s: float) -> float:
    """size_deg (deg) cut so that a smooth (minimum-jerk) turn over turn_s (s) peaks at no more
    than YAW_RATE_MAX_DPS: for turns whose time is set by another move (a weight shift's)."""
    cap = YAW_RATE_MAX_DPS * turn_s / MIN_JERK_PEAK_RATE
    return float(np.clip(size_deg, -cap, cap))


def draw_pivot(rng: np.random.Generator) -> np.ndarray:
    """Where a turn's vertical axis stands from the pelvis' centre, m (x forward, y left): PIVOT_M
    away in any horizontal direction."""
    pivot_m, pivot_dir = float(rng.uniform(*PIVOT_M)), float(rng.uniform(0.0, 2.0 * np.pi))
    return pivot_m * np.array([np.cos(pivot_dir), np.sin(pivot_dir)])


def pivot_move_m(turn_deg: np.ndarray, pivot: np.ndarray) -> np.ndarray:
    """(N, 2) horizontal move of the pelvis' centre, m, as it turns by turn_deg (deg, (N,)) about a
    vertical axis at pivot (m, from `draw_pivot`)."""
    # The pelvis' centre sits at -pivot from the axis and turns with it: it moves by (Rz - I) (-pivot).
    c, s = np.cos(np.radians(turn_deg)), np.sin(np.radians(turn_deg))
    return np.column_stack([-(c - 1.0) * pivot[0] + s * pivot[1], -s * pivot[0] - (c - 1.0) * pivot[1]])


def _turns(yaw_deg: float, t: np.ndarray, end_s: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(yaw, deg; horizontal position change, m, (N, 2)) of the pelvis turning while standing: to look
    round or reach (turned, held, back) or to a new heading, at random times, each about its own
    pivot; each turn smooth (minimum-jerk) and over by end_s, sized by `turn_size_deg`."""
    yaw, pos = np.zeros(len(t)), np.zeros((len(t), 2))
    cursor = float(rng.uniform(0.0, YAW_TURN_GAP_S[1]))
    while True:
        size = turn_size_deg(yaw_deg, rng)
        turn_s = turn_duration_s(size, float(rng.uniform(*YAW_TURN_S)))
        look, hold_s = rng.random() < 0.5, float(rng.uniform(*YAW_LOOK_HOLD_S))
        pivot = draw_pivot(rng)
        span = 2 * turn_s + hold_s if look else turn_s
        if cursor + span > end_s:
            return yaw, pos
        turn = size * (plateau(t, cursor, cursor + turn_s, cursor + turn_s + hold_s, cursor + span) if look
                       else ramp(t, cursor, cursor + turn_s))
        pos += pivot_move_m(turn, pivot)
        yaw += turn
        cursor += span + float(rng.uniform(*YAW_TURN_GAP_S))


def with_turns(seg: Segment, yaw_deg: float, shift_m: float, end_s: float, rng: np.random.Generator) -> Segment:
    """seg (a scene) with the pelvis turning while standing, in place: independent turns (`_turns`),
    a turn with each sideways shift of the weight (one part with its direction, one part the same
    way for either foot: turning to the side loaded, or toward something watched; N(0, yaw_deg *
    YAW_PER_SHIFT) per full shift_m, m), and a slow wander (SD yaw_deg * YAW_WANDER, 0.05-0.5 Hz).
    Every move is over by end_s (s). rng: the turns' own stream."""
    t = np.arange(len(seg)) / FS_INTERNAL_HZ
    shift = seg.pos[:, 1] / shift_m  # the scene's own sideways shifts, in full shifts
    with_dir, same_way = (float(x) for x in rng.normal(0.0, YAW_PER_SHIFT * yaw_deg, 2))
    turns, moved = _turns(yaw_deg, t, end_s, rng)
    seg.yaw += with_dir * shift + same_way * np.abs(shift) + turns
    seg.pos[:, :2] += moved
    wander = sway(len(t), rng, YAW_WANDER * yaw_deg, 0.05, 0.5)
    seg.yaw += wander * ramp(t, 0.0, 1.0) * (1.0 - ramp(t, end_s - 1.0, end_s))
    return seg
