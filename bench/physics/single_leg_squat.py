"""Single-leg squats from physics: on one leg, squat to 30-80 deg of knee flexion and back up (the
set: `lowering`).

Ranges (textbook test descriptions and adult anthropometry; where a figure is an assumption it says so):
- knee flexion at the bottom 30-80 deg (the brief's 30-60; the domain primer's 60-80 for the exercise);
- depth from a two-segment leg: shank and thigh 40-46 cm each (about 0.245 of a 1.6-1.9 m stature,
  Winter's anthropometric table), the knee angle split 40-60 % shank forward / thigh back; the pelvis
  centre sinks Ls (1 - cos a) + Lt (1 - cos b): 3 cm at 30 deg, 20 cm at 80 deg;
- pelvis pitch forward 0.2-0.45 deg per degree of knee flexion (assumption from the hip hinge: trunk
  flexion 20-45 deg at 60-80 deg knee flexion, the pelvis taking half or more of it);
- hips back 20-80 % of the descent (the hinge keeps the centre of mass over the foot);
- the free side drops 0-15 deg at the bottom (Nakagawa et al. 2012: 7.4 +- 3.8 deg in controls,
  10.3 +- 4.7 with patellofemoral pain), or in one set of five rises 1.5-4 deg (hip hike);
- sideways -3..+3 cm (positive toward the free side: knee valgus / trunk lean, as for the step-down);
- 1.5-4 s per rep (the brief), 40-60 % down, 0-0.5 s at the bottom.
"""

from __future__ import annotations

import numpy as np

from bench.physics.lowering import is_hike, lowering_set, rep_params
from bench.physics.pose import Pose, TrueRep

SEGMENT_M = (0.40, 0.46)


def descent_m(knee_deg: float, shank_m: float, thigh_m: float, shank_share: float) -> float:
    """How far the hip joint sinks when the knee flexes knee_deg, the shank tilting forward by
    shank_share of it and the thigh back by the rest (m)."""
    a, b = np.radians(shank_share * knee_deg), np.radians((1.0 - shank_share) * knee_deg)
    return float(shank_m * (1.0 - np.cos(a)) + thigh_m * (1.0 - np.cos(b)))


def draw_rep(rng: np.random.Generator) -> dict:
    """One squat's parameters (units in the names)."""
    u = rng.uniform
    knee = u(30.0, 80.0)
    depth = descent_m(knee, u(*SEGMENT_M), u(*SEGMENT_M), u(0.4, 0.6))
    hike = is_hike(rng)
    return {"knee_deg": knee, **rep_params(rng, hike, depth, knee * u(0.2, 0.45), depth * u(0.2, 0.8), 15.0, 0.5)}


def squat_set(rng: np.random.Generator, params: dict | None = None,
              reps: list[dict] | None = None) -> tuple[Pose, list[TrueRep]]:
    """Five single-leg squats on each leg (`lowering.lowering_set`)."""
    return lowering_set(rng, draw_rep, params, reps)
