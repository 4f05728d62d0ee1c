"""Single-leg stance holds from physics: shift the weight over the stance foot, lift the other foot,
hold with postural sway and balance corrections while the unsupported side drops (or hikes), put
the foot down (a vertical jolt) and shift back. Ranges: issue 14's human ranges."""

from __future__ import annotations

import numpy as np

from bench.physics.pose import Pose, TrueRep, add_drop, lateral_sign
from bench.physics.profiles import PROFILES, bump, dip, transition
from bench.physics.sway import add_standing_sway, windowed_noise

HOLDS_PER_SET = 4
LEAD_IN_S = (5.0, 8.0)  # quiet standing first: the analysis takes its neutral there
REST_S = (3.0, 6.0)  # standing on both feet between holds
FADE_S = 0.5  # the hold's extra sway fades in and out over this


def draw_hold(rng: np.random.Generator) -> dict:
    """One hold's parameters across the human ranges (units in the names)."""
    u = rng.uniform
    hike = rng.random() < 0.25
    return {
        "shift_s": u(0.5, 2.0), "shift_m": u(0.03, 0.12), "profile": str(rng.choice(PROFILES)),
        "hold_s": u(5.0, 30.0), "sway_deg": u(0.2, 1.5), "balance_mm": u(0.5, 3.0), "wander_mm": u(0.0, 10.0),
        "fault": "hike" if hike else "drop", "drop_deg": -u(1.5, 4.0) if hike else u(0.0, 10.0),
        "drop_onset_s": u(0.3, 0.8), "transient_deg": u(1.0, 3.0) if rng.random() < 0.5 else 0.0,
        "lift_delay_s": u(0.0, 0.3), "down_delay_s": u(0.0, 0.3), "back_s_ratio": u(0.8, 1.2),
        "jolt_mm": u(2.0, 6.0), "jolt_width_s": u(0.12, 0.25), "rest_s": u(*REST_S),
    }


def stance_set(rng: np.random.Generator, holds: list[dict] | None = None,
               first: str | None = None) -> tuple[Pose, list[TrueRep]]:
    """A set of holds (HOLDS_PER_SET drawn unless given as `draw_hold` dicts), legs alternating from
    `first` (drawn unless given); truth times are true time."""
    first = first or str(rng.choice(["left", "right"]))
    holds = holds if holds is not None else [draw_hold(rng) for _ in range(HOLDS_PER_SET)]
    lead_in = rng.uniform(*LEAD_IN_S)
    length = lead_in + sum(h["shift_s"] * (1 + h["back_s_ratio"]) + h["lift_delay_s"] + h["hold_s"]
                           + h["down_delay_s"] + h["rest_s"] for h in holds) + 1.0
    pose = Pose.still(length)
    t = pose.t_s
    add_standing_sway(pose, rng)
    reps = []
    t0 = lead_in
    for k, h in enumerate(holds):
        stance = first if k % 2 == 0 else ("right" if first == "left" else "left")
        lat = lateral_sign(stance)
        t_off = t0 + h["shift_s"] + h["lift_delay_s"]
        t_down = t_off + h["hold_s"]
        back_at, back_s = t_down + h["down_delay_s"], h["shift_s"] * h["back_s_ratio"]
        # The weight shift over the stance foot and back (the pelvis travels toward the stance leg).
        pose.pos_m[:, 1] += lat * h["shift_m"] * (transition(t, t0, h["shift_s"], h["profile"])
                                                  - transition(t, back_at, back_s, h["profile"]))
        # On one foot: the unsupported side drops (or hikes) after the lift, level again as the foot lands.
        drop = h["drop_deg"] * (transition(t, t_off, h["drop_onset_s"]) - transition(t, t_down - 0.15, 0.35))
        if h["transient_deg"]:  # the foot leaving the floor unloads that side for a moment
            drop = drop + h["transient_deg"] * bump(t, t_off, 0.15, 0.35)
        add_drop(pose, stance, drop)
        env = transition(t, t_off, FADE_S) - transition(t, t_down - FADE_S, FADE_S)
        pose.roll_deg += windowed_noise(pose, env, (0.2, 2.0), h["sway_deg"], rng)
        pose.pitch_deg += windowed_noise(pose, env, (0.2, 2.0), 0.5 * h["sway_deg"], rng)
        pose.pos_m[:, 1] += windowed_noise(pose, env, (1.0, 3.0), 1e-3 * h["balance_mm"], rng)
        pose.pos_m[:, 1] += windowed_noise(pose, env, (0.05, 0.4), 1e-3 * h["wander_mm"], rng)
        pose.pos_m[:, 0] += windowed_noise(pose, env, (0.2, 1.0), 0.003, rng)
        # The foot landing: the pelvis sinks a few mm and is caught.
        pose.pos_m[:, 2] -= 1e-3 * h["jolt_mm"] * dip(t, t_down + 0.5 * h["jolt_width_s"], h["jolt_width_s"])
        reps.append(TrueRep(t_off, t_down, stance, h["drop_deg"], hold_s=h["hold_s"], params=dict(h)))
        t0 = back_at + back_s + h["rest_s"]
    return pose, reps
