"""Clamshells from physics: lying on one side, hips and knees bent, the top knee opens and closes; the
belt, turned 90 deg to gravity, sees the exercise only through the pelvis' reaction.

A case: quiet standing (5-8 s), getting down onto one side (3-6 s: the pelvis sinks ~0.75 m, pitches
forward 20-40 deg as the person kneels and turns 70-110 deg about the forward axis), settling (2-4 s),
10-15 reps, lying still (1-3 s), getting up the same way, standing (3-6 s), then the other side.

Ranges (textbook descriptions; assumptions named):
- side-lying: the pelvis rolled 80-100 deg (the long axis within 10 deg of level: a pillow, the waist),
  and rolled forward or back by -8..+8 deg from the vertical (how a person settles on the mat);
- knee opening 20-45 deg (the brief; feet together, hips 45 deg flexed: domain primer);
- 1-3 s per rep (the brief): opening 40-60 % of the moving time, 0-0.8 s held at the top; pauses of
  0.2-1.5 s between reps; drawn per set, each rep within +-15 % (a person keeps a pace); 15-20 reps is the primer's dose, 10-15 here to keep sets short;
- the pelvis' reaction in a clean rep: it rolls back by 2-6 % of the opening (assumption: the top
  thigh's weight, ~10 % of the body, swings up and the trunk counters it through the floor contact;
  0.4-2.7 deg, the "~1 deg in a clean rep" of docs/analysis.md), and in one side of three the
  compensation: 2-8 deg more (the fault: the pelvis rolling back instead of the hip rotating);
- the roll-back pivots about the floor contact 10-15 cm below the pelvis centre (the greater
  trochanter), so the centre also moves backward by h sin(roll-back);
- while lying the pelvis still moves a little: breathing (0.2-0.4 Hz, 1 mm) and slow settling in
  roll-back (0.1-1 Hz, SD 0.05-0.2 deg, assumption).
Truth: opening start to closing end, side = the working (top) leg, drop = the peak roll-back below the
lying neutral.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from bench.physics.pose import GRID_HZ, Pose, TrueRep
from bench.physics.profiles import PROFILES, band_noise, bump, transition
from bench.physics.sway import add_standing_sway

LEAD_IN_S = (5.0, 8.0)
GET_DOWN_S = (3.0, 6.0)
SETTLE_S = (2.0, 4.0)
STILL_AFTER_S = (1.0, 3.0)
STAND_BETWEEN_S = (3.0, 6.0)
LYING_DROP_M = 0.75  # pelvis centre from standing (~0.9 m) to side-lying (~0.15 m)
REPS = (10, 15)
COMPENSATION_SHARE = 1.0 / 3.0
REP_JITTER = 0.15  # each rep's tempo and opening within +-15 % of the set's (a steady pace, assumption)


def draw_side(rng: np.random.Generator) -> dict:
    """One side's (set's) parameters; the reps' own draws are in `reps` (units in the names)."""
    u = rng.uniform
    n = int(rng.integers(REPS[0], REPS[1] + 1))
    comp = u(2.0, 8.0) if rng.random() < COMPENSATION_SHARE else 0.0
    # A person keeps a pace through a set: the tempo and the opening are the set's, each rep within
    # +-REP_JITTER of them.
    tempo = {"opening_deg": u(20.0, 45.0), "reaction": u(0.02, 0.06), "rep_s": u(1.0, 3.0),
             "open_share": u(0.4, 0.6), "top_s": u(0.0, 0.8), "pause_s": u(0.2, 1.5)}
    return {
        "roll_deg": u(80.0, 100.0), "lean_deg": u(-8.0, 8.0), "kneel_pitch_deg": u(20.0, 40.0),
        "turn_deg": u(-90.0, 90.0), "get_down_s": u(*GET_DOWN_S), "settle_s": u(*SETTLE_S),
        "still_after_s": u(*STILL_AFTER_S), "stand_s": u(*STAND_BETWEEN_S), "contact_m": u(0.10, 0.15),
        "fidget_deg": u(0.05, 0.2), "breath_mm": u(0.5, 1.5), "compensation_deg": comp,
        "profile": str(rng.choice(PROFILES)),
        "reps": [{k: v * u(1.0 - REP_JITTER, 1.0 + REP_JITTER) for k, v in tempo.items()} for _ in range(n)],
    }


def rep_shape(t: np.ndarray, t0: float, rep: dict, profile: str) -> np.ndarray:
    """0 -> 1 (knee open) -> 0 over rep_s from t0."""
    top = min(rep["top_s"], 0.5 * rep["rep_s"])
    moving = rep["rep_s"] - top
    up = rep["open_share"] * moving
    return transition(t, t0, up, profile) - transition(t, t0 + up + top, moving - up, profile)


def _side_block(t: np.ndarray, t0: float, working: str, s: dict) -> tuple[dict, list[TrueRep], float]:
    """One side: arrays (Euler base, lying weight, roll-back in deg, centre offsets) and the truth."""
    sign = 1.0 if working == "left" else -1.0  # left leg on top: the left side up, roll +90
    down = transition(t, t0, s["get_down_s"])
    start = t0 + s["get_down_s"] + s["settle_s"]
    rollback = np.zeros(len(t))
    truth = []
    for k, r in enumerate(s["reps"]):
        deg = r["opening_deg"] * r["reaction"] + s["compensation_deg"]
        rollback += deg * rep_shape(t, start, r, s["profile"])
        truth.append(TrueRep(start, start + r["rep_s"], working, deg,
                             params={**{k2: v for k2, v in s.items() if k2 != "reps"}, **r, "rollback_deg": deg,
                                     "index": k, "working": working}))
        start += r["rep_s"] + r["pause_s"]
    up_at = start + s["still_after_s"]
    lying = down - transition(t, up_at, s["get_down_s"])
    arrays = {"roll": sign * s["roll_deg"] * lying,
              "pitch": s["kneel_pitch_deg"] * (bump(t, t0, 0.5 * s["get_down_s"], 0.5 * s["get_down_s"])
                                               + bump(t, up_at, 0.5 * s["get_down_s"], 0.5 * s["get_down_s"])),
              "yaw": s["turn_deg"] * lying, "lying": lying, "rollback": rollback, "sign": sign}
    return arrays, truth, up_at + s["get_down_s"] + s["stand_s"]


def clamshell_set(rng: np.random.Generator, sides: list[dict] | None = None,
                  first: str | None = None) -> tuple[Pose, list[TrueRep]]:
    """Clamshells on one side then the other (`draw_side` parameters, drawn unless given); truth in
    true time."""
    first = first or str(rng.choice(["left", "right"]))
    sides = sides if sides is not None else [draw_side(rng), draw_side(rng)]
    lead_in = rng.uniform(*LEAD_IN_S)
    length = lead_in + sum(2 * s["get_down_s"] + s["settle_s"] + s["still_after_s"] + s["stand_s"]
                           + sum(r["rep_s"] + r["pause_s"] for r in s["reps"]) for s in sides) + 2.0
    pose = Pose.still(length)
    t = pose.t_s
    n = len(t)
    add_standing_sway(pose, rng)
    R = Rotation.from_euler("ZYX", np.column_stack([pose.yaw_deg, pose.pitch_deg, pose.roll_deg]), degrees=True)
    truth: list[TrueRep] = []
    t0 = lead_in
    for k, s in enumerate(sides):
        working = first if k == 0 else ("right" if first == "left" else "left")
        a, reps, t0 = _side_block(t, t0, working, s)
        truth += reps
        base = Rotation.from_euler("ZYX", np.column_stack([a["yaw"], a["pitch"], a["roll"]]), degrees=True)
        # About the body's long axis (z): the settled lean, the roll-back (left on top: +z takes the
        # top side backward; right on top: -z) and lying fidgets; all faded in with the lying.
        fidget = band_noise(n, GRID_HZ, 0.1, 1.0, s["fidget_deg"], rng)
        about_z = a["sign"] * (a["lying"] * (s["lean_deg"] + fidget) + a["rollback"])
        R = R * base * Rotation.from_euler("z", about_z[:, None], degrees=True)
        pose.pos_m[:, 2] -= LYING_DROP_M * a["lying"]
        # The roll-back pivots about the floor contact: the centre moves backward (body -x, level).
        fwd = base.apply(np.array([1.0, 0.0, 0.0]))
        fwd[:, 2] = 0.0
        fwd /= np.maximum(np.linalg.norm(fwd, axis=1, keepdims=True), 1e-9)
        pose.pos_m -= (s["contact_m"] * np.sin(np.radians(a["rollback"])))[:, None] * fwd
        pose.pos_m[:, 2] += a["lying"] * band_noise(n, GRID_HZ, 0.2, 0.4, 1e-3 * s["breath_mm"], rng)
    ypr = np.unwrap(R.as_euler("ZYX"), axis=0)  # radians
    pose.yaw_deg, pose.pitch_deg, pose.roll_deg = (np.degrees(ypr[:, k]) for k in range(3))
    return pose, truth
