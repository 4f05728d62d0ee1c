"""Single-leg lowerings from physics, the set shared by the lateral step-down (`step_down`) and the
single-leg squat (`single_leg_squat`): what differs between the two is only the ranges of each rep's
depth, pitch and drop, drawn in those modules.

A set (textbook protocol, e.g. Piva et al. 2006 step-down test, Crossley et al. 2011 single-leg squat:
"5 consecutive reps on one leg"): quiet standing on both feet (the analysis' neutral), then per leg a
weight shift of 3-10 cm over the stance foot in 0.5-1.5 s (the stance module's shapes) and the free
foot lifted; REPS_PER_LEG reps; the foot put down and the weight shifted back; rest; the other leg.
The rep time is the set's (drawn in the exercise's range), each rep within +-15 %.
Between reps a person either stays on the stance leg ("hover", the test's protocol) or puts the free
foot down and shifts back to both feet ("touch", what tired or unsure people do): drawn per set, so
half the sets give the analysis one weight shift per leg, not one per rep.

A rep: the stance knee and hip flex, the pelvis centre sinks `descent_m`, pitches forward `pitch_deg`
(hip flexion with the trunk's forward lean), moves back `back_m` (the hips go back as the knee goes
forward) and sideways `lateral_m` (positive toward the free side: the knee's valgus carries the hip
medially, a trunk lean over the stance leg moves the pelvis the other way to keep the centre of mass
over the foot; both directions drawn), while the free side drops `drop_deg` (negative: hip hike) in
proportion to the depth; at the bottom a pause of `bottom_s`, then back up. On one leg the pelvis also
sways in roll (knee and ankle corrections, 0.2-2 Hz) and the free side sits `base_drop_deg` lower than
standing (a person's single-leg stance drop, 0-3 deg). Truth: start of the descent to the end of the
ascent, side = the stance leg, drop = the free side's peak drop below the standing neutral.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bench.physics.pose import Pose, TrueRep, add_drop, lateral_sign, other
from bench.physics.profiles import PROFILES, transition
from bench.physics.sway import add_standing_sway, windowed_noise

REPS_PER_LEG = 5
LEAD_IN_S = (5.0, 8.0)  # quiet standing first: the analysis takes its neutral there
REST_S = (3.0, 6.0)  # on both feet between the two legs
END_S = 3.0
FADE_S = 0.3
REP_JITTER = 0.15
HIKE_SHARE = 0.2  # one rep in five a hip hike instead of a drop  # single-support sway fades in and out over this


def draw_set(rng: np.random.Generator) -> dict:
    """A set's parameters shared by both lowering exercises (units in the names)."""
    u = rng.uniform
    return {
        "mode": "hover" if rng.random() < 0.5 else "touch", "first": str(rng.choice(["left", "right"])),
        "shift_m": u(0.03, 0.10), "shift_s": u(0.5, 1.5), "shift_profile": str(rng.choice(PROFILES)),
        "lift_s": u(0.2, 0.6),  # shift done to the first descent (and last ascent to the foot down)
        "pause_s": u(0.3, 2.0),  # between reps (at the top)
        "base_drop_deg": u(0.0, 3.0), "sway_deg": u(0.2, 1.0), "balance_mm": u(0.5, 3.0),
        "rest_s": u(*REST_S),
    }


def rep_params(rng: np.random.Generator, hike: bool, descent_m: float, pitch_deg: float, back_m: float,
               max_drop_deg: float, max_bottom_s: float) -> dict:
    """A rep's parameters once its exercise has drawn the depth, pitch and hips-back (m, deg) and
    whether it hikes (`is_hike`): the free side drops 0..max_drop_deg, or hikes 1.5-4 deg; sideways
    -3..+3 cm; 1.5-4 s (40-60 % going down, 0..max_bottom_s at the bottom); a transition shape."""
    u = rng.uniform
    return {"descent_m": descent_m, "pitch_deg": pitch_deg, "back_m": back_m, "lateral_m": u(-0.03, 0.03),
            "fault": "hike" if hike else "drop", "drop_deg": -u(1.5, 4.0) if hike else u(0.0, max_drop_deg),
            "rep_s": u(1.5, 4.0), "down_share": u(0.4, 0.6), "bottom_s": u(0.0, max_bottom_s),
            "profile": str(rng.choice(PROFILES))}


def is_hike(rng: np.random.Generator) -> bool:
    """Whether a rep hikes the free side instead of dropping it (HIKE_SHARE of reps)."""
    return bool(rng.random() < HIKE_SHARE)


def depth_shape(t: np.ndarray, t0: float, rep: dict) -> np.ndarray:
    """0 standing -> 1 at the bottom -> 0: the rep's descent, pause at the bottom and ascent."""
    down = rep["down_share"] * (rep["rep_s"] - rep["bottom_s"])
    up = rep["rep_s"] - rep["bottom_s"] - down
    return (transition(t, t0, down, rep["profile"])
            - transition(t, t0 + down + rep["bottom_s"], up, rep["profile"]))


def _lay_rep(pose: Pose, stance: str, t0: float, rep: dict) -> None:
    t = pose.t_s
    s = depth_shape(t, t0, rep)
    pose.pos_m[:, 2] -= rep["descent_m"] * s
    pose.pos_m[:, 0] -= rep["back_m"] * s
    pose.pos_m[:, 1] -= lateral_sign(stance) * rep["lateral_m"] * s  # positive: toward the free side
    pose.pitch_deg += rep["pitch_deg"] * s
    add_drop(pose, stance, rep["drop_deg"] * s)


def _single_support(pose: Pose, stance: str, a: float, b: float, p: dict, rng: np.random.Generator) -> None:
    """On one leg from a to b: the free side sits base_drop_deg lower, with roll sway and balance moves."""
    t = pose.t_s
    env = transition(t, a, FADE_S) - transition(t, b - FADE_S, FADE_S)
    add_drop(pose, stance, p["base_drop_deg"] * env)
    pose.roll_deg += windowed_noise(pose, env, (0.2, 2.0), p["sway_deg"], rng)
    pose.pos_m[:, 1] += windowed_noise(pose, env, (1.0, 3.0), 1e-3 * p["balance_mm"], rng)


def _shift(pose: Pose, stance: str, t0: float, p: dict, back: bool) -> None:
    sign = -1.0 if back else 1.0
    pose.pos_m[:, 1] += sign * lateral_sign(stance) * p["shift_m"] * transition(pose.t_s, t0, p["shift_s"],
                                                                                  p["shift_profile"])


def lowering_set(rng: np.random.Generator, draw_rep: Callable[[np.random.Generator], dict],
                 params: dict | None = None, reps: list[dict] | None = None) -> tuple[Pose, list[TrueRep]]:
    """REPS_PER_LEG reps on each leg (`draw_set` / `draw_rep` parameters, drawn unless given; `reps`:
    2 x REPS_PER_LEG rep dicts); truth in true time."""
    p = params if params is not None else draw_set(rng)
    if reps is None:  # a person keeps a pace: each rep's time within +-REP_JITTER of the set's
        reps = [draw_rep(rng) for _ in range(2 * REPS_PER_LEG)]
        reps = [{**r, "rep_s": reps[0]["rep_s"] * rng.uniform(1.0 - REP_JITTER, 1.0 + REP_JITTER)} for r in reps]
    reps_p = reps
    lead_in = rng.uniform(*LEAD_IN_S)
    per_rep = [r["rep_s"] + p["pause_s"] for r in reps_p]
    per_touch = 2 * (p["shift_s"] + p["lift_s"])
    length = (lead_in + sum(per_rep) + 2 * len(reps_p) * per_touch + 2 * p["rest_s"] + END_S)
    pose = Pose.still(length)
    t = pose.t_s
    add_standing_sway(pose, rng)
    truth: list[TrueRep] = []
    t0 = lead_in
    for leg in range(2):
        stance = p["first"] if leg == 0 else other(p["first"])
        block = reps_p[leg * REPS_PER_LEG:(leg + 1) * REPS_PER_LEG]
        groups = [block] if p["mode"] == "hover" else [[r] for r in block]
        for g in groups:
            _shift(pose, stance, t0, p, back=False)
            lift = t0 + p["shift_s"]
            start = lift + p["lift_s"]
            for k, r in enumerate(g):
                _lay_rep(pose, stance, start, r)
                peak = p["base_drop_deg"] + r["drop_deg"]
                truth.append(TrueRep(start, start + r["rep_s"], stance, peak,
                                     params={**p, **r, "leg": leg, "index": len(truth)}))
                start += r["rep_s"] + (p["pause_s"] if k < len(g) - 1 else 0.0)
            down = start + p["lift_s"]
            _single_support(pose, stance, lift, down, p, rng)
            _shift(pose, stance, down, p, back=True)
            t0 = down + p["shift_s"] + p["pause_s"]
        t0 += p["rest_s"]
    return pose, truth
