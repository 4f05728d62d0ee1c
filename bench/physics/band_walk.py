"""Lateral band walks from physics: steps sideways in a hip hinge, the pelvis carried over in one
move, in a lead then a trail move, or after a counter-shift toward the trailing leg; pauses between
steps; the unsupported side drops in each single-support phase (more over the weak leg)."""

from __future__ import annotations

import numpy as np

from bench.physics.pose import Pose, TrueRep, add_drop, lateral_sign, other
from bench.physics.profiles import bump, dip, transition
from bench.physics.sway import add_standing_sway, windowed_noise

STEP_PROFILES = ("one", "lead-trail", "counter")
STEPS_EACH_WAY = 10
LEAD_IN_S = (5.0, 8.0)
HINGE_S = 1.5  # bending into (out of) the hip hinge
TURNAROUND_S = (2.0, 3.0)  # standing in the hinge between the two runs
STEP_JITTER = 0.1  # each step's time and size within +-10 % of the set's
# The pelvis wobbles in the hinge while stepping (pitch 0.2-2 Hz, yaw 0.1-1 Hz), by a factor drawn per
# set in WOBBLE_SCALE: at 1, gyro SD ~8 deg/s (3-axis norm) in the pauses, at 0.36 ~3 deg/s (a person
# swaying standing: 2.6-3.3 deg/s on ipol-dev, docs/analysis.md), never "still" to the analysis' rest
# test (1.5 deg/s). An assumption, not a measurement: hence drawn and binned.
PITCH_WOBBLE_DEG = 0.7
YAW_WOBBLE_DEG = 1.5
WOBBLE_SCALE = (0.25, 1.25)
LEAD_MOVE_SHARE_OF_TIME = 0.45  # lead-trail: the lead move takes 45 % of the step, a 10 % halt, the trail 45 %


def draw_set(rng: np.random.Generator) -> dict:
    """One set's parameters across the human ranges (issue 14)."""
    u = rng.uniform
    return {
        "profile": str(rng.choice(STEP_PROFILES)), "step_m": u(0.10, 0.45), "step_s": u(0.6, 2.5),
        "pause_s": 0.0 if rng.random() < 0.3 else u(0.0, 1.5), "lead_share": u(0.4, 0.9),
        "counter_m": u(0.01, 0.03), "counter_frac": u(0.2, 0.3), "hinge_deg": u(15.0, 30.0),
        "weak": str(rng.choice(["left", "right"])), "drop_weak_deg": u(4.0, 9.0), "drop_other_deg": u(0.0, 2.0),
        "bob_mm": u(2.0, 10.0), "landing_mm": u(1.0, 3.0), "first_way": str(rng.choice(["left", "right"])),
        "wobble": u(*WOBBLE_SCALE),
    }


def _step(pose: Pose, p: dict, t0: float, dur: float, size: float, way: str) -> tuple[float, float]:
    """Lay one step starting at t0 on the pose; returns (lift-off, middle) times."""
    t = pose.t_s
    lat = lateral_sign(way)
    if p["profile"] == "one":
        pose.pos_m[:, 1] += lat * size * transition(t, t0, dur)
        lift, mid = t0, t0 + 0.5 * dur
    elif p["profile"] == "lead-trail":
        m = LEAD_MOVE_SHARE_OF_TIME * dur
        pose.pos_m[:, 1] += lat * size * (p["lead_share"] * transition(t, t0, m)
                                          + (1 - p["lead_share"]) * transition(t, t0 + dur - m, m))
        lift, mid = t0, t0 + 0.5 * dur
    else:  # counter-shift toward the trailing leg, then the whole way over
        c_end = t0 + p["counter_frac"] * dur
        pose.pos_m[:, 1] += lat * (-p["counter_m"] * transition(t, t0, c_end - t0)
                                   + (size + p["counter_m"]) * transition(t, c_end, t0 + dur - c_end))
        lift, mid = c_end, 0.5 * (c_end + t0 + dur)
    return lift, mid


def band_walk_set(rng: np.random.Generator, params: dict | None = None) -> tuple[Pose, list[TrueRep]]:
    """STEPS_EACH_WAY steps one way, a stand in the hinge, as many back (`draw_set` parameters,
    drawn unless given); truth in true time."""
    p = params if params is not None else draw_set(rng)
    n = 2 * STEPS_EACH_WAY
    durs = p["step_s"] * rng.uniform(1 - STEP_JITTER, 1 + STEP_JITTER, n)
    sizes = p["step_m"] * rng.uniform(1 - STEP_JITTER, 1 + STEP_JITTER, n)
    pauses = p["pause_s"] * rng.uniform(1 - 2 * STEP_JITTER, 1 + 2 * STEP_JITTER, n)
    lead_in, turn = rng.uniform(*LEAD_IN_S), rng.uniform(*TURNAROUND_S)
    first_step = lead_in + HINGE_S + 1.0
    length = first_step + durs.sum() + pauses.sum() + turn + HINGE_S + 4.0
    pose = Pose.still(length)
    t = pose.t_s
    add_standing_sway(pose, rng)
    reps = []
    t0 = first_step
    for k in range(n):
        way = p["first_way"] if k < STEPS_EACH_WAY else other(p["first_way"])
        if k == STEPS_EACH_WAY:
            t0 += turn
        dur = durs[k]
        lift, mid = _step(pose, p, t0, dur, sizes[k], way)
        end = t0 + dur
        # Lead swing (lift-off to the middle): the trailing leg stands; trail swing: the lead leg stands.
        for stance, a, b in ((other(way), lift, mid), (way, mid, end)):
            d = p["drop_weak_deg"] if stance == p["weak"] else p["drop_other_deg"]
            ph = b - a
            add_drop(pose, stance, d * bump(t, a, 0.4 * ph, 0.4 * ph, 0.2 * ph))
        # Landings: the lead foot at the middle, the trailing foot at the end; the head bobs a little.
        for at in (mid, end):
            pose.pos_m[:, 2] -= 1e-3 * p["landing_mm"] * dip(t, at + 0.05, 0.12)
        pose.pos_m[:, 2] -= 1e-3 * p["bob_mm"] * dip(t, 0.5 * (t0 + end), dur)
        reps.append(TrueRep(t0, end, p["weak"], p["drop_weak_deg"], direction=way,
                            params={**p, "step_s_drawn": dur, "step_m_drawn": sizes[k], "index": k, "way": way}))
        t0 = end + pauses[k]
    hinge_out = t0 + 1.0
    hinge = transition(t, lead_in, HINGE_S) - transition(t, hinge_out, HINGE_S)
    pose.pitch_deg += p["hinge_deg"] * hinge
    env = transition(t, first_step, 0.5) - transition(t, t0, 0.5)
    pose.yaw_deg += windowed_noise(pose, env, (0.1, 1.0), p.get("wobble", 1.0) * YAW_WOBBLE_DEG, rng)
    pose.pitch_deg += windowed_noise(pose, env, (0.2, 2.0), p.get("wobble", 1.0) * PITCH_WOBBLE_DEG, rng)
    return pose, reps
