"""Lateral band walk kinematics (one set): the first half of the steps lead left, the rest right.

Each lateral step has two single-support phases: the lead leg lifts and steps out while the
trailing leg holds the pelvis (the lead side may drop), then the trailing leg lifts and comes in
while the lead leg holds it (the trailing side may drop). How the pelvis travels in the step is the
person's strategy (`BandStepStrategy.profile`): with the lead leg then with the trailing leg (two
moves the same way, the classic), in one smooth move, or after a small counter-shift toward the
trailing leg. Each rep carries both phases (lead swing first) with their own drop windows.
"""

from __future__ import annotations

import numpy as np

from hiplevel.constants import Side, other_side
from hiplevel.sim.gait import BAND_BOB_FAULT_M, BAND_BOB_NORMAL_M, NORMAL_BAND_DROP_DEG, _rep_drop
from hiplevel.sim.motion import (FS_INTERNAL_HZ, RepPlan, Segment, drop_roll_deg, plateau, ramp, side_sign, sway,
                                 time_axis)
from hiplevel.sim.spec import ExerciseSpec
from hiplevel.sim.strategies import BandStepStrategy

# Single-support phases as fractions of the step: (lift, roll peak start, roll peak end, landing).
LEAD_SWING = (0.0, 0.15, 0.25, 0.42)
TRAIL_SWING = (0.55, 0.68, 0.75, 0.9)
# After a counter-shift the lead leg lifts later.
COUNTER_END = 0.25
LEAD_SWING_COUNTER = (0.25, 0.36, 0.43, 0.55)
TRAIL_SWING_COUNTER = (0.62, 0.72, 0.78, 0.92)


def _path(profile: str, t: np.ndarray, s: float, d: float, step: float, share: float, counter: float,
          halt: float = 0.0) -> np.ndarray:
    """Lateral pelvis travel (m, in the direction of the step) over one step starting at s, d long
    (halt: lead-trail's halt between its moves, a share of d)."""
    if profile == "one-move":
        return step * ramp(t, s + 0.05 * d, s + 0.95 * d)
    if profile == "counter-shift":
        return -counter * ramp(t, s, s + COUNTER_END * d) + (step + counter) * ramp(t, s + COUNTER_END * d, s + 0.95 * d)
    lead_end, trail_start = s + (0.5 - 0.5 * halt) * d, s + (0.5 + 0.5 * halt) * d
    return step * (share * ramp(t, s + 0.05 * d, lead_end) + (1.0 - share) * ramp(t, trail_start, s + 0.95 * d))


def _bump(t: np.ndarray, s: float, d: float, phase: tuple[float, float, float, float]) -> np.ndarray:
    a, b, c, e = phase
    return plateau(t, s + a * d, s + b * d, s + c * d, s + e * d)


def band_walk(ex: ExerciseSpec, rng: np.random.Generator) -> Segment:
    """One set of ex.reps lateral steps as ex.strategy (`BandStepStrategy`, default: the classic)."""
    st = ex.strategy if isinstance(ex.strategy, BandStepStrategy) else BandStepStrategy()
    hinge = ex.hinge_deg if ex.hinge_deg is not None else float(rng.uniform(15.0, 30.0))
    step_m = ex.step_m if ex.step_m is not None else float(rng.uniform(0.25, 0.4))
    bob_m = BAND_BOB_FAULT_M if ex.bobbing else BAND_BOB_NORMAL_M
    n_left = (ex.reps + 1) // 2
    leads: list[Side] = ["left"] * n_left + ["right"] * (ex.reps - n_left)
    step_s = float(rng.uniform(1.2, 1.6))
    if st.step_s is not None:
        step_s = st.step_s
    hinge_in_s, turn_pause_s, out_s = 1.5, 1.0, 1.5
    starts, durs, cursor = [], [], hinge_in_s + 0.3
    for k, lead in enumerate(leads):
        if k > 0 and lead != leads[k - 1]:
            cursor += turn_pause_s  # stop and change direction
        starts.append(cursor)
        durs.append(step_s * (1.0 + rng.normal(0.0, 0.05)))
        cursor += durs[-1] + st.pause_s
    if st.pause_s > 0:
        ends = [s + d for s, d in zip(starts, durs)]
    else:  # the classic: a step lasts until the next one starts
        ends = [min(e, s + step_s * 1.2) for s, e in zip(starts, starts[1:] + [cursor])]
    t = time_axis(cursor + 0.3 + out_s)
    hinge_env = ramp(t, 0.0, hinge_in_s) - ramp(t, cursor + 0.3, cursor + 0.3 + out_s)

    roll, yaw, pitch = np.zeros_like(t), np.zeros_like(t), hinge * hinge_env
    pos = np.zeros((len(t), 3))
    pos[:, 2] = -0.05 * hinge_env  # athletic stance: knees and hips bend
    counter = st.profile == "counter-shift"
    lead_phase, trail_phase = (LEAD_SWING_COUNTER, TRAIL_SWING_COUNTER) if counter else (LEAD_SWING, TRAIL_SWING)
    reps: list[RepPlan] = []
    for s, e, lead in zip(starts, ends, leads):
        d = e - s
        trail = other_side(lead)
        # Lead lifted: the trailing leg is the stance leg under test, the lead side may drop.
        a_lead = _rep_drop(rng, ex, trail, NORMAL_BAND_DROP_DEG, 0.5)
        roll += drop_roll_deg(lead, a_lead) * _bump(t, s, d, lead_phase)
        # Trailing leg lifted: the lead leg holds the pelvis, the trailing side may drop.
        a_trail = _rep_drop(rng, ex, lead, NORMAL_BAND_DROP_DEG * 0.7, 0.4)
        roll += drop_roll_deg(trail, a_trail) * _bump(t, s, d, trail_phase)
        step = step_m * (1.0 + rng.normal(0.0, ex.variation / 2))
        pos[:, 1] += side_sign(lead) * _path(st.profile, t, s, d, step, st.lead_share, st.counter_m, st.lead_halt_share)
        bob = bob_m * (1.0 + rng.normal(0.0, ex.variation))
        pos[:, 2] -= bob * plateau(t, s, s + 0.5 * d, s + 0.5 * d, s + d)
        if st.landing_mm:
            for land in (lead_phase[3], trail_phase[3]):
                tl = s + land * d
                pos[:, 2] -= 1e-3 * st.landing_mm * plateau(t, tl, tl + 0.1, tl + 0.1, tl + 0.25)
        yaw += rng.normal(0.0, 1.5) * plateau(t, s, s + 0.3 * d, s + 0.6 * d, s + d)
        pitch += rng.normal(0.0, 1.0) * plateau(t, s, s + 0.4 * d, s + 0.6 * d, s + d)
        i0, i1 = int(round(s * FS_INTERNAL_HZ)), int(round(e * FS_INTERNAL_HZ))

        def at(frac: float, s: float = s, d: float = d) -> int:
            return int(round((s + frac * d) * FS_INTERNAL_HZ))

        lead_win = (at(lead_phase[0]), at(lead_phase[3] + 0.03))
        trail_win = (at(trail_phase[0] - 0.05), at(min(1.0, trail_phase[3] + 0.05)))
        # The rep's own side and window are the lead swing's until the labels pick the worse phase.
        reps.append(RepPlan(i0, i1, trail, lead, lead_win, extras={"step_m": abs(step), "direction": lead},
                            phases=[(trail, lead, lead_win), (lead, trail, trail_win)]))
    if st.hinge_wobble_deg:  # drawn last: sets without it keep their draws
        yaw += hinge_env * sway(len(t), rng, st.hinge_wobble_deg, 0.1, 1.0)
        pitch += hinge_env * sway(len(t), rng, 0.5 * st.hinge_wobble_deg, 0.2, 2.0)
    return Segment(roll, pitch, yaw, pos, np.full(len(t), 0.5), reps)
