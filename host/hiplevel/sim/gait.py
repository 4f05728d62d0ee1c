"""Walking kinematics (one set), see docs/simulator.md for the model; the band walk (sim/band_walk.py)
shares the drop draw and its constants.

Walking: one rep per step (stance phase of one leg, from its initial contact to the other's);
the swing side drops from initial contact, peaks early in single support (~15 % of the gait
cycle) and recovers (Bailey; domain primer: ~3-5 deg per step in healthy adults). A walk starts
with a swing (single support on the other foot, ending at the first contact) and ends with one
(the trailing foot closing up after the last contact): both are reps too.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicSpline

from hiplevel.constants import Side, other_side
from hiplevel.sim.motion import (
    FS_INTERNAL_HZ,
    RepPlan,
    Segment,
    drop_roll_deg,
    plateau,
    ramp,
    side_sign,
    time_axis,
)
from hiplevel.sim.spec import ExerciseSpec

NORMAL_WALK_DROP_DEG = 4.0  # healthy contralateral drop per step, domain primer (3-5 deg)
NORMAL_WALK_DROP_SD_DEG = 0.6
WALK_ROTATION_DEG = 5.0  # transverse pelvic rotation amplitude per side
WALK_LATERAL_SWAY_M = 0.03  # pelvis shift toward the stance leg
WALK_BOUNCE_M = 0.0165  # vertical excursion of the pelvis, half peak-to-peak
WALK_STEP_LENGTH_M = 0.65
TURN_LIFT_OFF_AT = 0.5  # a turning step's lift-off jolt: when, after its contact (of the step) ...
TURN_LIFT_OFF_S = 0.07  # ... and how brief (the SD of its dip), s (`turn_lift_off_fraction`)
NORMAL_BAND_DROP_DEG = 1.2  # a controlled band walk keeps the pelvis about level
BAND_BOB_NORMAL_M = 0.01
BAND_BOB_FAULT_M = 0.06


def _rep_drop(rng: np.random.Generator, ex: ExerciseSpec, stance: Side, normal_deg: float, normal_sd_deg: float) -> float:
    """Drop (deg) of the unsupported side on a rep loading `stance`, with rep-to-rep variation."""
    if ex.weak_side == stance:
        return float(ex.drop_deg * (1.0 + rng.normal(0.0, ex.variation)))
    return float(max(0.3, rng.normal(normal_deg, normal_sd_deg)))


def walking(ex: ExerciseSpec, rng: np.random.Generator) -> Segment:
    """One walking bout of ex.reps single supports (from 3 reps on, the first and last are the
    initiation and termination swings around ex.reps - 2 contact-to-contact steps), optional
    180 deg turns every ex.turn_every_steps steps. A weak side with a negative drop_deg is a hip
    hike: its swing side rises; truth drops are signed (`labels.rep_drop_deg`)."""
    edges = ex.reps >= 3
    n_steps = ex.reps - 2 if edges else ex.reps
    cadence = ex.cadence_spm or float(rng.uniform(100.0, 120.0))
    step_s = 60.0 / cadence
    durations = step_s * (1.0 + rng.normal(0.0, 0.03, n_steps))
    turns = range(ex.turn_every_steps, n_steps - 1, ex.turn_every_steps) if ex.turn_every_steps > 0 else range(0)
    # A pivot on both feet: the turn's middle "step" is a double support, no rep (`turn_pivot_fraction`).
    pivots = {k + 1 for k in turns if ex.turn_pivot_fraction > 0 and k + 2 < n_steps}
    for g in pivots:
        durations[g] = ex.turn_pivot_fraction * step_s
    lead_in_s, tail_s = 0.6, 0.8
    ic = lead_in_s + np.concatenate([[0.0], np.cumsum(durations)])  # n_steps + 1 contacts
    t = time_axis(ic[-1] + tail_s)
    first: Side = "left" if rng.random() < 0.5 else "right"
    stances: list[Side] = [first if k % 2 == 0 else other_side(first) for k in range(n_steps)]
    # Gait phase: pi per step, smooth through the contacts, extended linearly before/after.
    knots = np.concatenate([[ic[0] - step_s], ic, [ic[-1] + step_s]])
    phase = CubicSpline(knots, np.pi * np.arange(-1, n_steps + 2))(t)
    envelope = ramp(t, ic[0] - 0.5, ic[0] + 0.3 * step_s) - ramp(t, ic[-1] - 0.3 * step_s, ic[-1] + 0.5)
    sigma = side_sign(first)

    roll = np.zeros_like(t)
    reps: list[RepPlan] = []
    for k, stance in enumerate(stances):
        if k in pivots:
            continue  # no foot swings: no drop, no rep
        amp = _rep_drop(rng, ex, stance, NORMAL_WALK_DROP_DEG, NORMAL_WALK_DROP_SD_DEG)
        if k in (0, n_steps - 1):
            amp *= 0.8  # gait initiation and termination are gentler
        d = durations[k]
        # Rise from 0.15 T before contact, peak at 0.35 T (~17 % of the cycle), back at 0.85 T:
        # a near-sinusoidal obliquity like optical gait data (peak roll rate ~25 deg/s).
        shape = plateau(t, ic[k] - 0.15 * d, ic[k] + 0.35 * d, ic[k] + 0.35 * d, ic[k] + 0.85 * d)
        roll += drop_roll_deg(other_side(stance), amp) * shape
        i0, i1 = int(round(ic[k] * FS_INTERNAL_HZ)), int(round(ic[k + 1] * FS_INTERNAL_HZ))
        reps.append(RepPlan(i0, i1, stance, other_side(stance), (i0, i1), extras={"signed_drop": True}))
    if edges:
        reps = _edge_swings(rng, ex, t, ic, durations, stances, roll) + reps
        reps.append(reps.pop(1))  # order: initiation, steps, termination

    heading = np.zeros_like(t)
    bounce = np.ones_like(t)  # the vertical bounce's scale: flatter in the pivot steps of a turn
    pace = np.ones_like(t)  # the forward speed's scale: slower through a turn
    if ex.turn_every_steps > 0:
        for k in turns:
            turn_end = min(k + 3, n_steps)
            heading += 180.0 * ramp(t, ic[k], ic[turn_end])
            # The contacts inside the turn (after its first step, before its last) land flat; the
            # bounce recovers over the step before and after them.
            bounce -= (1.0 - ex.turn_bounce_fraction) * plateau(t, ic[k] - 0.5 * step_s, ic[k] + 0.8 * step_s,
                                                                ic[turn_end] - 0.8 * step_s, ic[turn_end] + 0.5 * step_s)
            # People brake into a pivot over about a step and speed up out of it.
            pace -= (1.0 - ex.turn_bounce_fraction) * plateau(t, ic[k] - step_s, ic[k] + 0.5 * step_s,
                                                              ic[turn_end] - 0.5 * step_s, ic[turn_end] + step_s)
    if ex.turn_on_spot_deg > 0:
        # Stepping in place through a turn: flat steps all along, no forward speed.
        heading += ex.turn_on_spot_deg * ramp(t, ic[0], ic[-1])
        bounce *= ex.turn_bounce_fraction
        pace *= 0.0
    if ex.stop_contact_fraction < 1.0:
        # Braking into the stop: the last step vaults the pelvis less, so its contact lands soft
        # (`stop_contact_fraction`); the bounce flattens over that step's whole swing (a faster
        # change would itself accelerate the pelvis like a contact).
        bounce -= (1.0 - ex.stop_contact_fraction) * ramp(t, ic[-2], ic[-1])
    # In a pivot on both feet the pelvis stays as low as at the contact that starts it: the vertical
    # rhythm (bounce and pitch rocking) holds its phase through it (its pi of gait phase taken off).
    held = sum((np.clip((t - ic[g]) / (ic[g + 1] - ic[g]), 0.0, 1.0) for g in pivots), np.zeros_like(t))
    vertical = phase - np.pi * held
    # The pelvis' pitch rocking comes with the push-off and loading of each step: a flat pivot
    # step has as little of it as of the bounce.
    pitch = envelope * (1.5 + 1.8 * bounce * np.sin(2 * vertical))
    yaw = -sigma * WALK_ROTATION_DEG * np.cos(phase) * envelope + heading

    speed = WALK_STEP_LENGTH_M / step_s * envelope * pace * (1.0 + 0.1 * np.cos(2 * phase))
    hd = np.radians(heading)
    pos = np.zeros((len(t), 3))
    pos[:, 0] = np.cumsum(speed * np.cos(hd)) / FS_INTERNAL_HZ
    pos[:, 1] = np.cumsum(speed * np.sin(hd)) / FS_INTERNAL_HZ
    sway_m = WALK_LATERAL_SWAY_M if ex.lateral_sway_m is None else ex.lateral_sway_m
    lateral = sigma * sway_m * np.sin(phase) * envelope
    pos[:, 0] += -np.sin(hd) * lateral
    pos[:, 1] += np.cos(hd) * lateral
    pos[:, 2] = -WALK_BOUNCE_M * np.cos(2 * vertical) * envelope * bounce
    if ex.turn_every_steps > 0 and ex.turn_lift_off_fraction > 0:
        # Turning steps: the other foot's push-off lifts the pelvis after a long double support (a
        # brief dip and rebound, its upward acceleration that fraction of a straight contact's).
        peak = ex.turn_lift_off_fraction * WALK_BOUNCE_M * (2 * np.pi / step_s) ** 2
        for k in turns:
            for j in range(k, min(k + 3, n_steps)):
                t0 = ic[j] + TURN_LIFT_OFF_AT * durations[j]
                pos[:, 2] -= peak * TURN_LIFT_OFF_S**2 * np.exp(-0.5 * ((t - t0) / TURN_LIFT_OFF_S) ** 2)
    pos[:, 2] -= pos[0, 2]
    impacts = [int(round(x * FS_INTERNAL_HZ)) for x in ic]
    # The pivot contacts land as flat as the bounce there.
    scale = [float(np.interp(x, t, bounce)) for x in ic]  # the last one is stop_contact_fraction's too
    return Segment(roll, pitch, yaw, pos, np.full(len(t), 0.3), reps, impacts, impact_scale=scale)


def _edge_swings(rng: np.random.Generator, ex: ExerciseSpec, t: np.ndarray, ic: np.ndarray, durations: np.ndarray,
                 stances: list[Side], roll: np.ndarray) -> list[RepPlan]:
    """The initiation swing (the first foot swings to the first contact, `first_swing_fraction` of a step) and the
    termination swing (the trailing foot closes up after the last contact, one step); their gentle
    swing-side drops are added to `roll` in place. Returns [initiation, termination]."""
    out = []
    d0, d1 = durations[0], durations[-1]
    spans = [(ic[0] - ex.first_swing_fraction * d0, ic[0], other_side(stances[0])), (ic[-1], ic[-1] + d1, other_side(stances[-1]))]
    for k, (a, b, stance) in enumerate(spans):
        amp = 0.6 * _rep_drop(rng, ex, stance, NORMAL_WALK_DROP_DEG, NORMAL_WALK_DROP_SD_DEG)
        d = b - a
        shape = plateau(t, a, a + 0.4 * d, a + 0.4 * d, b - 0.05 * d) if k == 0 else \
            plateau(t, a - 0.15 * d, a + 0.35 * d, a + 0.35 * d, a + 0.85 * d)
        roll += drop_roll_deg(other_side(stance), amp) * shape
        i0, i1 = int(round(a * FS_INTERNAL_HZ)), int(round(b * FS_INTERNAL_HZ))
        out.append(RepPlan(i0, i1, stance, other_side(stance), (i0, i1), extras={"signed_drop": True}))
    return out
