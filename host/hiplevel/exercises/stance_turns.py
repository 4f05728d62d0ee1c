"""A turn of the standing pelvis taken for a weight shift (`single_leg_stance.SingleLegStanceDetector`,
issue 14: no holds while standing people turn).

People turn about a point within their base of support, a foot or a hip, not about the pelvis'
centre, so the pelvis moves with the turn: a turn of theta rad about an axis d m away moves it by
up to d * theta (hiplevel.sim's standing, `sim.scene_turns`: a pivot 5-15 cm away, 1.7-5 cm in a
20 deg turn), sideways when the axis is in front or behind. The velocity of the weight shifts
takes the sensor's own swing off (`lateral_motion.swing_mps`) but not this move, and a look round
of 20 deg in quiet standing moved the pelvis 2.7 cm: a "shift back" paired with a sway move
seconds before (bench seed 67224). A weight shift onto a leg moves the pelvis 3-12 cm while it
turns a few degrees at most (the weight-shift scene's turn with a full shift: SD 2 deg at yaw_deg 6).
"""

from __future__ import annotations

import numpy as np

from hiplevel.exercises.base import Hump

# The farthest a turn's vertical axis stands from the pelvis' centre, m: a foot or a hip within the
# base of support (hiplevel.sim: 5-15 cm). A sideways move no larger than this times the turn over
# it (rad) may be the turn alone.
TURN_LEVER_M = 0.15


def turned_move(yaw_rate_dps: np.ndarray, move: Hump, size_m: float, rate_hz: float) -> bool:
    """Whether a sideways move (a hump of the velocity, samples move.onset to move.offset; size_m,
    m) may be the pelvis turning about a point off its centre, no weight shift: the turn over it
    (yaw_rate_dps (N,), deg/s, the pelvis' vertical rate, integrated) moves a pelvis TURN_LEVER_M
    from the axis at least as far."""
    turn_rad = np.radians(abs(float(np.sum(yaw_rate_dps[move.onset : move.offset + 1]))) / rate_hz)
    return TURN_LEVER_M * turn_rad >= size_m
