"""Clamshell (level 1, side-lying) kinematics: lie down on one side, hold still (the side-lying
neutral), open the top knee ex.reps times, get up again. See docs/simulator.md, "Clamshell".

Side-lying with the working (top) leg up: the pelvis is rolled about its forward axis by about 90 deg
(roll -90 = right side up, so the right leg works; +90 = left side up), so gravity lies along the
body y axis. The fault, the pelvis rolling back, is a rotation about the body's long axis (body z,
cranial): the front of the pelvis turns toward the ceiling. With R = Rz(yaw) Ry(pitch) Rx(+-90), a
rotation about body z by phi is Ry(-+phi) in the world, i.e. the ZYX *pitch* of the lying pelvis is
the elevation of its forward axis: rolling back by phi deg = pitch decreasing by phi (pitch + = front
down). So the truth (and the analysis) measure the roll-back as -(pitch - lying-neutral pitch).

A clean rep still moves the pelvis a little: the hip external rotators that lift the top knee pull
on the pelvis, which counter-rotates backward by about a degree (NORMAL_ROLLBACK_DEG). A pelvis-worn
sensor sees a rep only through that motion.
"""

from __future__ import annotations

import numpy as np

from hiplevel.constants import Side
from hiplevel.sim.motion import FS_INTERNAL_HZ, RepPlan, Segment, plateau, ramp, sway, time_axis
from hiplevel.sim.spec import ExerciseSpec
from hiplevel.sim.strategies import ClamshellStrategy

LIE_DOWN_S = 3.5  # standing -> side-lying (kneel, sit, lie down), s
GET_UP_S = 3.5
PAUSE_S = 1.0  # rest between reps, knee closed (ClamshellStrategy.pause_s), s
LYING_STILL_S = 3.0  # quiet side-lying before the first rep: the clamshell neutral, s
# With less quiet lying than this before the first rep, the truth's neutral is the pause after it.
MIN_NEUTRAL_STILL_S = 1.0
FIDGET_BAND_HZ = (0.1, 1.0)  # the lying pelvis' slow roll-back wander (ClamshellStrategy.fidget_deg)
HIP_HEIGHT_LYING_M = 0.18  # hip-centre height above the floor while side-lying (about half pelvis width)
STANDING_HIP_HEIGHT_M = 0.9  # as in session._compose
LYING_TILT_SD_DEG = 3.0  # long axis not quite horizontal (pillow, waist): roll off +-90
LYING_STACK_SD_DEG = 4.0  # pelvis not perfectly stacked at rest: pitch (= roll-back) offset
LYING_SWAY_GAIN = 0.3  # side-lying is quieter than standing (sway_gain 1 = quiet standing)
NORMAL_ROLLBACK_DEG = 1.2  # a clean rep: the pelvis counter-rotates ~1 deg (reaction of the rotators)
NORMAL_ROLLBACK_SD_DEG = 0.3
MIN_NORMAL_ROLLBACK_DEG = 0.8
REP_NUDGE_M = 0.004  # the top leg's weight shifting moves the pelvis a few mm


def working_side(ex: ExerciseSpec, set_index: int) -> Side:
    """The top (working) leg of a set: ex.side, else alternating per set starting left."""
    return ex.side if ex.side is not None else ("left" if set_index % 2 == 0 else "right")


def _rollback_deg(rng: np.random.Generator, ex: ExerciseSpec, side: Side, st: ClamshellStrategy) -> float:
    """Peak roll-back of one rep, deg: ex.drop_deg on a weak working leg, else a small normal one
    (st.rollback_deg +- 10 % when the strategy sets it)."""
    if ex.weak_side == side:
        return float(ex.drop_deg * (1.0 + rng.normal(0.0, ex.variation)))
    normal = float(max(MIN_NORMAL_ROLLBACK_DEG, rng.normal(NORMAL_ROLLBACK_DEG, NORMAL_ROLLBACK_SD_DEG)))
    return normal if st.rollback_deg is None else st.rollback_deg * (1.0 + 0.1 * (normal - NORMAL_ROLLBACK_DEG))


def clamshell(ex: ExerciseSpec, rng: np.random.Generator, set_index: int = 0) -> Segment:
    """One clamshell set on the top leg `working_side(ex, set_index)`; starts and ends standing.

    Rep: the knee opens (0.8-1.2 s), holds (0.3-0.6 s), closes (1.0-1.4 s), pause 0.8-1.2 s (`pause_s`); the
    pelvis rolls back in phase with the knee. weak_side == the working leg: roll-back ex.drop_deg."""
    side = working_side(ex, set_index)
    st = ex.strategy if isinstance(ex.strategy, ClamshellStrategy) else ClamshellStrategy()
    top = -1.0 if side == "right" else 1.0  # roll sign of the lying pose: right side up = roll -90
    lying_roll = top * (90.0 - abs(float(rng.normal(0.0, LYING_TILT_SD_DEG))))
    lying_pitch = float(rng.normal(0.0, LYING_STACK_SD_DEG))
    still_s = LYING_STILL_S if st.still_s is None else st.still_s
    plan, cursor = [], LIE_DOWN_S + still_s
    for _ in range(ex.reps):
        v = 1.0 + rng.normal(0.0, ex.variation / 2, 4)
        open_s = 1.0 if st.open_s is None else st.open_s
        pause_s = PAUSE_S if st.pause_s is None else st.pause_s
        op, hold, close, pause = open_s * v[0], 0.45 * v[1], 1.2 * open_s * v[2], pause_s * v[3]
        plan.append((cursor, op, hold, close))
        cursor += op + hold + close + pause
    lying_end = cursor + 0.5
    t = time_axis(lying_end + GET_UP_S)
    down = ramp(t, 0.0, LIE_DOWN_S) - ramp(t, lying_end, lying_end + GET_UP_S)
    # Getting down and up: the trunk leans forward mid-way (kneel/sit), then lies with the pelvis as it is.
    lean = 20.0 * (plateau(t, 0.0, 0.5 * LIE_DOWN_S, 0.5 * LIE_DOWN_S, LIE_DOWN_S)
                   + plateau(t, lying_end, lying_end + 0.5 * GET_UP_S, lying_end + 0.5 * GET_UP_S, lying_end + GET_UP_S))
    roll = lying_roll * down
    pitch = lying_pitch * down + lean
    yaw = np.zeros_like(t)
    pos = np.zeros((len(t), 3))
    pos[:, 2] = -(STANDING_HIP_HEIGHT_M - HIP_HEIGHT_LYING_M) * down
    pos[:, 0] = -0.25 * down  # the pelvis ends up behind where the feet stood
    gain = 1.0 + (LYING_SWAY_GAIN - 1.0) * down
    reps: list[RepPlan] = []
    still = (int(round(LIE_DOWN_S * FS_INTERNAL_HZ)), int(round((LIE_DOWN_S + still_s) * FS_INTERNAL_HZ)))
    if still_s < MIN_NEUTRAL_STILL_S and len(plan) > 1:
        # No quiet lying before the set: the truth's neutral is the lying between its first two reps.
        still = (int(round(sum(plan[0]) * FS_INTERNAL_HZ)), int(round(plan[1][0] * FS_INTERNAL_HZ)))
    rollback = np.zeros_like(t)
    for s, op, hold, close in plan:
        e = s + op + hold + close
        knee = plateau(t, s, s + op, s + op + hold, e)
        amp = _rollback_deg(rng, ex, side, st)
        rollback += amp * knee
        pitch -= amp * knee  # rolling back: the front of the pelvis turns up (pitch + = front down)
        pos[:, 2] += REP_NUDGE_M * knee
        i0, i1 = int(round(s * FS_INTERNAL_HZ)), int(round(e * FS_INTERNAL_HZ))
        reps.append(RepPlan(i0, i1, side, None, (i0, i1), extras={"neutral_win": still}))
    if st.fidget_deg is not None:
        # Drawn last, so that a set without it keeps the classic draws.
        pitch += st.fidget_deg * down * sway(len(t), rng, 1.0, *FIDGET_BAND_HZ)
    if st.pivot_m is not None:
        # About the floor contact: the centre moves backward, along the lying forward axis (world +x).
        pos[:, 0] -= st.pivot_m * np.sin(np.radians(rollback))
    return Segment(roll, pitch, yaw, pos, gain, reps, kind="side-lying")
