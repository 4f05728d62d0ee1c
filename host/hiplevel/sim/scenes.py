"""Scenes in which nobody exercises (`Scene` strategy): what a band-walk or single-leg-stance
detector must not count. Each returns a `Segment` with no reps, standing at rest at both ends.

    ExerciseSpec("single-leg-stance", strategy=Scene("weight-shift", duration_s=40.0))
"""

from __future__ import annotations

import numpy as np

from hiplevel.constants import Side
from hiplevel.sim.motion import Segment, drop_roll_deg, plateau, ramp, side_sign, time_axis
from hiplevel.sim.scene_turns import draw_pivot, pivot_move_m, rate_capped_deg, turn_duration_s, turn_size_deg, with_turns
from hiplevel.sim.spec import ExerciseSpec
from hiplevel.sim.strategies import SCENE_YAW_RANGE, Scene

STAND_SWAY_DEG = 0.15  # as session.STAND_ROLL_SWAY_DEG: sway_gain 1
STAND_POS_SWAY_GAIN_MAX = 2.5  # x 3 mm (session.STAND_POS_SWAY_M): 7.5 mm SD
# Every move of a scene is over this long before the scene ends, s: the next part of the session
# starts from standing at rest, and a move cut at the join jumped there (a weight-shift scene cut
# mid-hold: 1.25 deg of roll in one sample and a ~1 g sideways spike).
SCENE_END_REST_S = 0.5
FIDGET_MOVE_MIN_S = 0.6  # a fidgeting move's quickest way there or back, s


def _fits(sc: Scene, cursor_s: float, span_s: float) -> bool:
    """Whether a move starting at cursor_s and lasting span_s (s) is over SCENE_END_REST_S before the end."""
    return cursor_s + span_s <= sc.duration_s - SCENE_END_REST_S


def _segment(t: np.ndarray, gain: float, kind: str) -> Segment:
    n = len(t)
    return Segment(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros((n, 3)), np.full(n, gain), kind=kind)


def _weight_shift(sc: Scene, rng: np.random.Generator) -> Segment:
    """The weight moved onto one foot and held, without lifting the other: sometimes straight to
    the other foot, sometimes back to both feet first (the pattern of a hold, minus the lift). The
    unloaded hip may hang a little (its side drops 0-1.5 deg)."""
    t = time_axis(sc.duration_s)
    seg = _segment(t, float(rng.uniform(1.0, 1.4)), "scene")
    cursor, pos, k = 1.0, 0.0, 0
    while cursor < sc.duration_s - 3.0:
        loaded: Side = "left" if k % 2 == 0 else "right"
        target = side_sign(loaded) * sc.shift_m * float(rng.uniform(0.7, 1.3))
        move_s = float(rng.uniform(0.6, 2.0))
        hold = sc.hold_s * float(rng.uniform(0.6, 1.4))
        if not _fits(sc, cursor, move_s + hold + max(move_s, 1.0)):  # the shift, its hold and the way back
            break
        seg.pos[:, 1] += (target - pos) * ramp(t, cursor, cursor + move_s)
        hang = float(rng.uniform(0.0, 1.5))
        seg.roll += drop_roll_deg("right" if loaded == "left" else "left", hang) * plateau(
            t, cursor, cursor + move_s, cursor + move_s + hold, cursor + 2 * move_s + hold)
        pos, cursor = target, cursor + move_s + hold
        if rng.random() < 0.5:  # back to both feet for a while
            seg.pos[:, 1] += -pos * ramp(t, cursor, cursor + move_s)
            pos, cursor = 0.0, cursor + move_s + float(rng.uniform(1.0, 4.0))
        k += 1
    seg.pos[:, 1] += -pos * ramp(t, cursor, cursor + 1.0)
    return seg


def _bending(sc: Scene, rng: np.random.Generator) -> Segment:
    """Bending over to pick something up (hips back and down, the pelvis pitched 50-90 deg), a
    little to one side now and then, and up again."""
    t = time_axis(sc.duration_s)
    seg = _segment(t, 1.2, "scene")
    cursor = 1.0
    while cursor < sc.duration_s - 6.0:
        down, hold = float(rng.uniform(0.8, 1.8)), float(rng.uniform(0.5, 3.0))
        bend = plateau(t, cursor, cursor + down, cursor + down + hold, cursor + 2 * down + hold)
        seg.pitch += float(rng.uniform(50.0, 90.0)) * bend
        seg.pos[:, 0] -= 0.12 * bend
        seg.pos[:, 2] -= float(rng.uniform(0.05, 0.25)) * bend
        seg.pos[:, 1] += float(rng.normal(0.0, 0.05)) * bend
        seg.roll += float(rng.normal(0.0, 4.0)) * bend
        seg.yaw += float(rng.normal(0.0, 10.0)) * bend
        cursor += 2 * down + hold + float(rng.uniform(1.5, 4.0))
    return seg


def _sit_to_stand(sc: Scene, rng: np.random.Generator) -> Segment:
    """Sitting down on a chair (trunk forward, then the pelvis tilted back 10-25 deg, hips 45 cm
    lower and 25 cm back), sitting for a while, standing up again."""
    t = time_axis(sc.duration_s)
    seg = _segment(t, 1.0, "scene")
    cursor = 1.0
    while cursor < sc.duration_s - 10.0:
        move, sit = float(rng.uniform(1.2, 2.5)), float(rng.uniform(3.0, 8.0))
        if not _fits(sc, cursor, 2 * move + sit):
            break
        seated = plateau(t, cursor, cursor + move, cursor + move + sit, cursor + 2 * move + sit)
        lean = (plateau(t, cursor, cursor + 0.5 * move, cursor + 0.5 * move, cursor + move)
                + plateau(t, cursor + move + sit, cursor + 1.5 * move + sit, cursor + 1.5 * move + sit, cursor + 2 * move + sit))
        seg.pitch += -float(rng.uniform(10.0, 25.0)) * seated + float(rng.uniform(20.0, 40.0)) * lean
        seg.pos[:, 2] -= 0.45 * seated
        seg.pos[:, 0] -= 0.25 * seated
        seg.roll += float(rng.normal(0.0, 2.0)) * seated
        cursor += 2 * move + sit + float(rng.uniform(2.0, 5.0))
    return seg


def _fidgeting(sc: Scene, rng: np.random.Generator) -> Segment:
    """Standing restlessly: small weight shifts (1-4 cm, the pelvis rolling 1-3 deg and turning a
    few degrees with them: people move with 50-200 deg/s of rotation per g, `signal.units`),
    turning to look around (about a pivot beside the pelvis, `scene_turns`), a shuffle of the feet
    (a small sideways step and back), each at a random time. No turn faster than real standing's
    (`scene_turns.YAW_RATE_MAX_DPS`)."""
    t = time_axis(sc.duration_s)
    seg = _segment(t, 1.5, "scene")
    cursor = 1.0
    while cursor < sc.duration_s - 4.0:
        kind = rng.integers(3)
        dur = float(rng.uniform(0.6, 1.5))
        if not _fits(sc, cursor, 3 * dur):  # the longest of the three moves (a look: at least)
            break
        if kind == 0:
            sign = float(rng.choice([-1.0, 1.0]))
            # The way back takes what is left of 2.5 dur after the hold, and at least
            # FIDGET_MOVE_MIN_S: a hold past 1.5 dur ended it before it began, and the pelvis
            # jumped back (up to 4 cm and 3 deg in one sample, a spike of 8 g).
            down = cursor + dur + float(rng.uniform(0.3, 2.0))
            span = max(2.5 * dur, down + FIDGET_MOVE_MIN_S - cursor)
            if not _fits(sc, cursor, span):
                break
            bump = plateau(t, cursor, cursor + dur, down, cursor + span)
            seg.pos[:, 1] += sign * float(rng.uniform(0.01, 0.04)) * bump
            seg.roll += sign * float(rng.uniform(1.0, 3.0)) * bump  # the pelvis rolls and turns with it
            seg.yaw += rate_capped_deg(float(rng.normal(0.0, 5.0)), min(dur, cursor + span - down)) * bump
        elif kind == 1:
            # A look round (turned, held dur, back) as the turning scenes' (`scene_turns`): sized as
            # real standing's turns at the top of their range, at most YAW_RATE_MAX_DPS, about a
            # pivot beside the pelvis. The old look (N(0, 25 deg) in 0.6-1.5 s, about the pelvis'
            # own centre: up to 150 deg/s) gave 1,000 deg/s of gyro per g, which no person does and
            # the units check refuses (hapt-dev standing: under 46 deg/s, 240-480 per g).
            size = turn_size_deg(SCENE_YAW_RANGE.hi, rng)
            turn_s, pivot = turn_duration_s(size, dur), draw_pivot(rng)
            span = 2 * turn_s + dur
            if not _fits(sc, cursor, span):
                break
            look = size * plateau(t, cursor, cursor + turn_s, cursor + turn_s + dur, cursor + span)
            seg.yaw += look
            seg.pos[:, :2] += pivot_move_m(look, pivot)
        else:
            # A shuffle of the feet: the pelvis steps aside and back, rolling and turning with it.
            sign = float(rng.choice([-1.0, 1.0]))
            span = 2 * dur + 0.5
            bump = plateau(t, cursor, cursor + dur, cursor + dur + 0.5, cursor + span)
            seg.pos[:, 1] += sign * float(rng.uniform(0.03, 0.08)) * bump
            seg.roll += sign * float(rng.uniform(1.0, 3.0)) * bump
            seg.yaw += rate_capped_deg(float(rng.normal(0.0, 6.0)), dur) * bump
        cursor += max(3 * dur, span) + float(rng.uniform(0.5, 3.0))
    return seg


def _stepping_about(sc: Scene, rng: np.random.Generator) -> Segment:
    """Moving about on the spot (at a counter, before sitting or lying down): a step aside to one
    side, 8-15 cm (the lead foot, then the trailing foot: two moves of the pelvis), and straight
    back in one move, again and again, the pelvis rolling a little with each step. Every step
    aside goes one way, as a band walk's, but the pelvis comes back between them."""
    t = time_axis(sc.duration_s)
    seg = _segment(t, 1.5, "scene")
    sign = float(rng.choice([-1.0, 1.0]))
    cursor = 1.0
    while True:
        lead_s, trail_s, back_s = (float(x) for x in rng.uniform([0.4, 0.4, 0.6], [0.7, 0.7, 1.0]))
        halt_s, stay_s = float(rng.uniform(0.1, 0.4)), float(rng.uniform(0.2, 0.8))
        back0 = cursor + lead_s + halt_s + trail_s + stay_s
        if not _fits(sc, cursor, back0 + back_s - cursor):
            break
        d, lead = sign * float(rng.uniform(0.08, 0.15)), float(rng.uniform(0.5, 0.7))
        aside = lead * ramp(t, cursor, cursor + lead_s) + (1.0 - lead) * ramp(t, cursor + lead_s + halt_s, back0 - stay_s)
        seg.pos[:, 1] += d * (aside - ramp(t, back0, back0 + back_s))
        seg.roll += float(rng.uniform(0.5, 2.0)) * np.sign(d) * plateau(t, cursor, cursor + lead_s, back0, back0 + back_s)
        cursor = back0 + back_s + float(rng.uniform(0.2, 1.0))
    return seg


_SCENES = {"weight-shift": _weight_shift, "bending": _bending, "sit-to-stand": _sit_to_stand, "fidgeting": _fidgeting,
           "stepping-about": _stepping_about}


def scene(ex: ExerciseSpec, rng: np.random.Generator, set_index: int = 0) -> Segment:
    """The scene of ex.strategy (a `Scene`): a segment with no reps."""
    sc = ex.strategy
    assert isinstance(sc, Scene)
    # The yaw's own stream, spawned before the scene draws: the scene's draws (and all after it in
    # the session) are those of the same scene without yaw.
    yaw_rng = rng.spawn(1)[0] if sc.yaw_deg else None
    if sc.kind == "quiet-standing":
        seg = _segment(time_axis(sc.duration_s), sc.sway_deg / STAND_SWAY_DEG, "scene")
        # The pelvis' sideways sway on both feet stays within a few mm (5-8 mm SD even in people
        # who sway a lot) however much it rolls.
        seg.pos_sway_gain = np.minimum(seg.sway_gain, STAND_POS_SWAY_GAIN_MAX)
    else:
        seg = _SCENES[sc.kind](sc, rng)
    if yaw_rng is not None:
        with_turns(seg, sc.yaw_deg, sc.shift_m, sc.duration_s - SCENE_END_REST_S, yaw_rng)
    return seg
