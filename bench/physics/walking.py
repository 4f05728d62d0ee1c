"""Walking from physics: a straight walk from standing and back to standing at 70-130 steps/min;
each step the pelvis sways over the stance foot, is lowest just after each heel strike (with the
strike's jolt), rotates and tilts, and the swing side drops early in single support: normal
(3-5 deg) over one leg, beyond (6-10 deg) or rising (hip hike, 1.5-3.5 deg) over the other."""

from __future__ import annotations

import numpy as np

from bench.physics.pose import GRID_HZ, Pose, TrueRep, add_drop, lateral_sign, other
from bench.physics.profiles import bump, dip, transition
from bench.physics.sway import add_standing_sway

LEAD_IN_S = (5.0, 8.0)
STEPS = (16, 24)
INITIATION_STEPS = 0.8  # lift-off of the first swing foot, in steps before the first heel strike
DROP_PEAK_FRACTION = 0.3  # the swing side's drop peaks 30 % into the step (10-20 % of the gait cycle)


def draw_set(rng: np.random.Generator) -> dict:
    """One walk's parameters (issue 14's ranges; normal drop: domain primer, 3-5 deg)."""
    u = rng.uniform
    fault = str(rng.choice(["drop", "hike"]))
    return {
        "cadence_spm": u(70.0, 130.0), "fault": fault,
        "fault_deg": u(6.0, 10.0) if fault == "drop" else -u(1.5, 3.5), "normal_deg": u(3.0, 5.0),
        "weak": str(rng.choice(["left", "right"])), "first_stance": str(rng.choice(["left", "right"])),
        "steps": int(rng.integers(STEPS[0], STEPS[1] + 1)), "step_len_ratio": u(0.9, 1.1),
        "sway_m": u(0.015, 0.03), "bounce_m": u(0.015, 0.025), "strike_mm": u(0.3, 0.8),
        "strike_width_s": u(0.06, 0.1), "pitch_deg": u(1.0, 2.5), "yaw_deg": u(3.0, 6.0),
        "surge_m": u(0.004, 0.01),
    }


def walking_set(rng: np.random.Generator, params: dict | None = None) -> tuple[Pose, list[TrueRep]]:
    """One straight walk between two standings (`draw_set` parameters, drawn unless given); reps:
    the initiation swing, every step from heel strike to heel strike, and the closing swing (the
    trailing foot landing beside); truth in true time."""
    p = params if params is not None else draw_set(rng)
    ts = 60.0 / p["cadence_spm"]
    lead_in = rng.uniform(*LEAD_IN_S)
    lift = lead_in
    c0 = lift + INITIATION_STEPS * ts
    contacts = c0 + ts * np.arange(p["steps"] + 1)  # the last: the closing foot beside the other
    pose = Pose.still(contacts[-1] + 5.0)
    t = pose.t_s
    add_standing_sway(pose, rng)
    env = transition(t, lift - 0.6 * ts, 0.6 * ts) - transition(t, contacts[-1] - 0.25 * ts, 0.5 * ts)
    # Forward: speed ramps up over the first step and down over the last; a surge at the step rate.
    step_m = 0.65 * np.sqrt(p["cadence_spm"] / 100.0) * p["step_len_ratio"]
    v = step_m / ts * (transition(t, lift - 0.1, 1.2 * ts) - transition(t, contacts[-2], 1.3 * ts))
    pose.pos_m[:, 0] += np.cumsum(v) / GRID_HZ
    pose.pos_m[:, 0] -= env * p["surge_m"] * np.sin(2 * np.pi * (t - c0) / ts)
    foot = [other(p["first_stance"]) if k % 2 == 0 else p["first_stance"] for k in range(p["steps"])]
    # Sideways over the stance foot (a stride-rate sine), lowest just after each strike (step rate).
    pose.pos_m[:, 1] += env * p["sway_m"] * lateral_sign(foot[0]) * np.sin(np.pi * (t - c0) / ts)
    rise = transition(t, lift, 0.7 * ts) - transition(t, contacts[-1] - 0.25 * ts, 0.5 * ts)  # no bounce before lift-off
    pose.pos_m[:, 2] -= rise * p["bounce_m"] * np.cos(2 * np.pi * (t - c0 - 0.08 * ts) / ts)
    for c in contacts:
        pose.pos_m[:, 2] -= 1e-3 * p["strike_mm"] * dip(t, c + 0.5 * p["strike_width_s"], p["strike_width_s"])
    pose.pitch_deg += env * p["pitch_deg"] * np.sin(2 * np.pi * (t - c0) / ts)
    pose.yaw_deg += env * p["yaw_deg"] * lateral_sign(foot[0]) * np.cos(np.pi * (t - c0) / ts)
    reps = []
    spans = [(lift, c0, p["first_stance"])] + [(contacts[k], contacts[k + 1], foot[k]) for k in range(p["steps"])]
    for k, (a, b, stance) in enumerate(spans):
        d = p["fault_deg"] if stance == p["weak"] else p["normal_deg"] * rng.uniform(0.9, 1.1)
        ph = b - a
        rise = DROP_PEAK_FRACTION * ph if k else 0.5 * ph  # the initiation swing lifts off from standing
        add_drop(pose, stance, d * bump(t, a, rise, ph - rise), pivot=False)  # the bounce is the whole height
        reps.append(TrueRep(float(a), float(b), stance, float(d), params={**p, "index": k}))
    return pose, reps
