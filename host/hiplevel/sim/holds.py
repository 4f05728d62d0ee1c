"""Single-leg exercises (one set each): single-leg stance holds, lateral step-down, single-leg squat.

In single-leg support the pelvis pivots about the stance hip, so a drop of the other side also
lowers the pelvis centre (pivot offset HIP_HALF_WIDTH_M).
"""

from __future__ import annotations

import numpy as np

from hiplevel.constants import Side, other_side
from hiplevel.sim.gait import _rep_drop
from hiplevel.sim.motion import (FS_INTERNAL_HZ, RepPlan, Segment, drop_roll_deg, even_ramp, plateau, ramp, side_sign,
                                 sway, time_axis)
from hiplevel.sim.spec import ExerciseSpec
from hiplevel.sim.strategies import HoldStrategy, LoweringStrategy

HIP_HALF_WIDTH_M = 0.09  # half the distance between the hip joint centres
WEIGHT_SHIFT_M = 0.08  # lateral shift of the pelvis over the stance foot (single-leg squat)
NORMAL_STANCE_DROP_DEG = 1.0  # a good hold keeps the pelvis about level
NORMAL_STEPDOWN_DROP_DEG = 1.5
NORMAL_SQUAT_DROP_DEG = 5.0  # healthy single-leg squat, below Nakagawa 2012 controls (7.4 +- 3.8)
STANCE_SWAY_BASE_DEG = 0.15  # roll sway SD of quiet standing, which sway_gain scales
# The pelvis' sideways sway on one leg stays within 5-10 mm SD even when its roll sways a lot (the
# base of support is one foot): the position sway gain stops at 2.5 (7.5 mm; quiet standing 3 mm).
HOLD_POS_SWAY_GAIN_MAX = 2.5
# The slow sideways wander of the pelvis on one leg (`HoldStrategy.wander_mm`): the band of the
# physics check's (bench.physics.stance) and issue 14's 6-10 mm wanders.
HOLD_WANDER_HZ = (0.05, 0.4)


def _stance_side(ex: ExerciseSpec, index: int) -> Side:
    if ex.side is not None:
        return ex.side
    return "left" if index % 2 == 0 else "right"


def _pivot_z(roll_rel_deg: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """Vertical shift (m) of the pelvis centre when it rolls about the stance hip.

    stance: +1 left stance, -1 right stance, 0 double support (weights in between allowed)."""
    return -HIP_HALF_WIDTH_M * np.sin(np.radians(roll_rel_deg)) * stance


def single_leg_stance(ex: ExerciseSpec, rng: np.random.Generator, set_index: int = 0) -> Segment:
    """ex.reps holds of about ex.hold_s, stance leg alternating per hold unless ex.side is set; the
    weight shift, foot lift and landing as ex.strategy (`HoldStrategy`, default: the classic person)."""
    st = ex.strategy if isinstance(ex.strategy, HoldStrategy) else HoldStrategy()
    sway_sd = ex.sway_deg if ex.sway_deg is not None else float(rng.uniform(0.3, 0.6))
    shift_s, lift_s, pause_s = st.shift_s, st.lift_s, st.pause_s
    lag = max(st.lift_lag_s, -shift_s)  # the foot leaves at the earliest as the shift starts
    plan, cursor = [], 0.5
    for k in range(ex.reps):
        hold = ex.hold_s * (1.0 + rng.normal(0.0, 0.05))
        plan.append((cursor, hold, _stance_side(ex, k)))
        cursor += 2 * (shift_s + lag) + hold + pause_s
    t = time_axis(cursor)
    roll, pitch, yaw = np.zeros_like(t), np.zeros_like(t), np.zeros_like(t)
    pos, gain, stance_w = np.zeros((len(t), 3)), np.ones_like(t), np.zeros_like(t)
    reps: list[RepPlan] = []
    for s, hold, stance in plan:
        lift0 = s + shift_s + lag
        down1 = lift0 + hold  # the hold runs from foot-off to foot-down
        back0 = down1 + lag  # the shift back starts lag_s after foot-down (before it, when negative)
        sgn = side_sign(stance)
        loaded = plateau(t, lift0, lift0 + lift_s, down1 - lift_s, down1)
        amp = _rep_drop(rng, ex, stance, NORMAL_STANCE_DROP_DEG, 0.7)
        fatigue = 1.0 + (0.2 if ex.weak_side == stance else 0.05) * np.clip((t - lift0) / (down1 - lift0), 0, 1)
        roll += drop_roll_deg(other_side(stance), amp) * loaded * fatigue
        if st.lift_roll_deg:
            peak = lift0 + 0.4 * st.lift_roll_s
            roll += drop_roll_deg(other_side(stance), st.lift_roll_deg) * plateau(t, lift0, peak, peak, lift0 + st.lift_roll_s)
        curve = even_ramp if st.shift_profile == "even" else ramp
        pos[:, 1] += sgn * st.shift_m * (curve(t, s, s + shift_s) - curve(t, back0, back0 + shift_s))
        if st.landing_mm:
            pos[:, 2] -= 1e-3 * st.landing_mm * plateau(t, down1, down1 + 0.1, down1 + 0.1, down1 + 0.25)
        if st.lift_mm:
            pos[:, 2] += 1e-3 * st.lift_mm * plateau(t, lift0 - 0.1, lift0 + 0.05, lift0 + 0.05, lift0 + 0.3)
        if st.balance_mg:
            # Its own generator (seeded by the hold's time), so the classic draws stay as they were.
            own = np.random.default_rng([int(round(s * 1000)), int(round(hold * 1000))])
            # From foot-off over balance_fade_s if given (the movement strategy), else with the load.
            fade = loaded if st.balance_fade_s is None else plateau(
                t, lift0, lift0 + st.balance_fade_s, down1 - st.balance_fade_s, down1)
            pos[:, 1] += _balance_m(len(t), own, st.balance_mg) * fade
        if st.wander_mm:
            # Its own generator too (classic draws unchanged); slow enough that no anchor sees it move.
            own = np.random.default_rng([int(round(s * 1000)), int(round(hold * 1000)), 1])
            pos[:, 1] += sway(len(t), own, 1e-3 * st.wander_mm, *HOLD_WANDER_HZ) * loaded
        pitch += rng.normal(0.0, 1.5) * loaded
        gain += (sway_sd / STANCE_SWAY_BASE_DEG - 1.0) * loaded
        stance_w += sgn * loaded
        i0, i1 = int(round(lift0 * FS_INTERNAL_HZ)), int(round(down1 * FS_INTERNAL_HZ))
        win = (int(round((lift0 + lift_s) * FS_INTERNAL_HZ)), int(round((down1 - lift_s) * FS_INTERNAL_HZ)))
        reps.append(RepPlan(i0, i1, stance, other_side(stance), win, robust=True, extras={"hold_s": down1 - lift0}))
    pos[:, 2] += _pivot_z(roll, stance_w)
    return Segment(roll, pitch, yaw, pos, gain, reps, kind="holds", pos_sway_gain=np.minimum(gain, HOLD_POS_SWAY_GAIN_MAX))


def _balance_m(n: int, rng: np.random.Generator, rms_mg: float) -> np.ndarray:
    """Sideways balance corrections on one leg (m, 0.5-3 Hz) whose acceleration RMS is rms_mg."""
    x = sway(n, rng, 1.0, 0.5, 3.0)
    acc = np.gradient(np.gradient(x)) * FS_INTERNAL_HZ**2
    return x * (rms_mg * 1e-3 * 9.80665 / max(float(np.sqrt(np.mean(acc**2))), 1e-12))


def _one_side_reps(ex: ExerciseSpec, set_index: int) -> Side:
    # Single-sided exercises alternate the working leg per set unless told.
    return ex.side if ex.side is not None else ("left" if set_index % 2 == 0 else "right")


def _lowering(ex: ExerciseSpec) -> LoweringStrategy:
    return ex.strategy if isinstance(ex.strategy, LoweringStrategy) else LoweringStrategy()


def _pick(value: float | None, drawn: float) -> float:
    """The strategy's value, else the classic draw (always drawn, so the classic seeds stay)."""
    return drawn if value is None else float(value)


def _shift_spans(plan: list[tuple[float, float, float]], st: LoweringStrategy
                 ) -> list[tuple[float, float, float, float]] | None:
    """The step-down's spans on the stance leg as (shift starts, is over, shift back starts, is
    over), s, when the strategy moves them out of the reps (`LoweringStrategy.hover`, `shift_s`,
    `balance_mg`); None: the classic shift within each rep's first and last 0.3 s."""
    if not (st.hover or st.shift_s is not None or st.balance_mg):
        return None
    shift_s = 0.3 if st.shift_s is None else st.shift_s
    ends = [(s, s + dn + 0.3 + up) for s, dn, up in plan]
    if st.hover:
        ends = [(ends[0][0], ends[-1][1])]
    return [(s - shift_s, s, e, e + shift_s) for s, e in ends]


def step_down(ex: ExerciseSpec, rng: np.random.Generator, set_index: int = 0) -> Segment:
    """Lateral step-down: on the step on the stance leg, lower the other foot toward the floor and back
    (shift, depth, pitch and speed as ex.strategy, a `LoweringStrategy`; None fields: classic draws)."""
    stance = _one_side_reps(ex, set_index)
    st = _lowering(ex)
    down_s, up_s, pause_s = float(rng.uniform(1.6, 2.4)), float(rng.uniform(1.4, 2.0)), 1.2
    if st.down_s is not None:
        down_s, up_s = st.down_s, 0.85 * st.down_s
    shift_s = st.shift_s or 0.0  # the shift onto the stance foot before the first rep, and back
    plan, cursor = [], 0.8 + shift_s
    for _ in range(ex.reps):
        v = 1.0 + rng.normal(0.0, ex.variation / 2, 2)
        plan.append((cursor, down_s * v[0], up_s * v[1]))
        cursor += down_s * v[0] + 0.3 + up_s * v[1] + pause_s + (0.0 if st.hover else 2 * shift_s)
    t = time_axis(cursor + shift_s)
    roll, pitch, yaw = np.zeros_like(t), np.zeros_like(t), np.zeros_like(t)
    pos, stance_w = np.zeros((len(t), 3)), np.zeros_like(t)
    reps: list[RepPlan] = []
    sgn = side_sign(stance)
    shifts = _shift_spans(plan, st)
    for k, (s, dn, up) in enumerate(plan):
        bottom0, e = s + dn, s + dn + 0.3 + up
        depth = plateau(t, s, bottom0, bottom0 + 0.3, e)
        if st.wobble_deg and k % 2 == 1:
            roll += drop_roll_deg(other_side(stance), st.wobble_deg) * plateau(t, e - 0.3, e, e, e + 0.6)
        loaded = plateau(t, s, s + 0.3, e - 0.3, e)
        amp = _rep_drop(rng, ex, stance, NORMAL_STEPDOWN_DROP_DEG, 0.7)
        roll += drop_roll_deg(other_side(stance), amp) * depth
        pitch += _pick(st.pitch_deg, rng.uniform(6.0, 12.0)) * depth
        pos[:, 2] -= _pick(st.depth_m, rng.uniform(0.10, 0.14)) * depth
        if shifts is None:
            pos[:, 1] += sgn * _pick(st.shift_m, 0.04) * loaded
        stance_w += sgn * loaded
        i0, i1 = int(round(s * FS_INTERNAL_HZ)), int(round(e * FS_INTERNAL_HZ))
        reps.append(RepPlan(i0, i1, stance, other_side(stance), (i0, i1)))
    for a, b, c, d in shifts or ():
        on_leg = plateau(t, a, b, c, d)
        pos[:, 1] += sgn * _pick(st.shift_m, 0.04) * on_leg
        if st.balance_mg:  # its own generator (seeded by the span's time): the classic draws stay
            pos[:, 1] += _balance_m(len(t), np.random.default_rng([int(round(a * 1000)), 2]), st.balance_mg) * on_leg
    pos[:, 2] += _pivot_z(roll, stance_w)
    return Segment(roll, pitch, yaw, pos, np.full(len(t), 1.5), reps)


def single_leg_squat(ex: ExerciseSpec, rng: np.random.Generator, set_index: int = 0) -> Segment:
    """Single-leg squat to 60-80 deg knee flexion: lift the free foot, squat, rise, put it down
    (shift, depth, pitch and speed as ex.strategy, a `LoweringStrategy`; None fields: classic draws)."""
    stance = _one_side_reps(ex, set_index)
    st = _lowering(ex)
    lift_s, down_s, up_s, pause_s = 0.8, float(rng.uniform(1.3, 1.8)), float(rng.uniform(1.2, 1.6)), 1.5
    if st.down_s is not None:
        down_s, up_s = st.down_s, 0.9 * st.down_s
    plan, cursor = [], 0.8
    for _ in range(ex.reps):
        v = 1.0 + rng.normal(0.0, ex.variation / 2, 2)
        plan.append((cursor, down_s * v[0], up_s * v[1]))
        cursor += 2 * lift_s + down_s * v[0] + up_s * v[1] + 0.2 + pause_s
    t = time_axis(cursor)
    roll, pitch, yaw = np.zeros_like(t), np.zeros_like(t), np.zeros_like(t)
    pos, stance_w = np.zeros((len(t), 3)), np.zeros_like(t)
    reps: list[RepPlan] = []
    sgn = side_sign(stance)
    for s, dn, up in plan:
        sq0 = s + lift_s
        bottom0 = sq0 + dn
        sq1 = bottom0 + 0.2 + up
        e = sq1 + lift_s
        depth = plateau(t, sq0, bottom0, bottom0 + 0.2, sq1)
        loaded = plateau(t, s, sq0, sq1, e)
        if not st.hover:
            pos[:, 1] += sgn * _pick(st.shift_m, WEIGHT_SHIFT_M) * plateau(t, s - 0.6, s, e, e + 0.6)
        amp = _rep_drop(rng, ex, stance, NORMAL_SQUAT_DROP_DEG, 1.5)
        roll += drop_roll_deg(other_side(stance), amp) * (0.2 * loaded + 0.8 * depth)
        pitch += _pick(st.pitch_deg, rng.uniform(20.0, 30.0)) * depth
        pos[:, 2] -= _pick(st.depth_m, rng.uniform(0.15, 0.22)) * depth
        yaw += rng.normal(0.0, 2.0) * depth
        stance_w += sgn * loaded
        i0, i1 = int(round(s * FS_INTERNAL_HZ)), int(round(e * FS_INTERNAL_HZ))
        reps.append(RepPlan(i0, i1, stance, other_side(stance), (i0, i1)))
    if st.hover and plan:  # the free foot stays up between the reps: one shift onto the leg, one back
        s0 = plan[0][0]  # e: the last rep's end (foot down)
        pos[:, 1] += sgn * _pick(st.shift_m, WEIGHT_SHIFT_M) * plateau(t, s0 - 0.6, s0, e, e + 0.6)
    pos[:, 2] += _pivot_z(roll, stance_w)
    return Segment(roll, pitch, yaw, pos, np.full(len(t), 1.5), reps)
