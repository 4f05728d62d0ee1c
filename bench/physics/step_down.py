"""Lateral step-downs from physics: standing on one leg on a step, the free heel lowered to the floor
beside it and the body brought back up (the set: `lowering`).

Ranges (textbook test descriptions and adult anthropometry; where a figure is an assumption it says so):
- step 15-20 cm (Piva et al. 2006 lateral step-down test: 20 cm; clinics also use 15 cm);
- the pelvis centre sinks 75-100 % of the step: the free leg hangs almost straight from its hip, so the
  free hip comes down by the step height less what the free leg's forward or sideways angle and the
  pelvic drop give (assumption: both up to a quarter of the step);
- 1.5-4 s per rep (the brief; tests ask for a slow, controlled lowering), 40-60 % of it going down, a
  heel tap at the bottom of 0-0.3 s;
- pelvis pitch forward 3-15 deg at the bottom (assumption: the trunk leans 10-30 deg forward in
  step-downs and the pelvis takes about half; upright performers near 3 deg);
- hips back 0-50 % of the descent (the knee goes forward over the foot, the hips behind it);
- the free side drops 0-10 deg at the bottom (the brief; Piva's scale scores any visible drop), or in
  one set of five rises 1.5-4 deg (hip hike: lifting the free side to reach less far);
- sideways -3..+3 cm (positive toward the free side: knee valgus carries the hip medially; a trunk
  lean over the stance leg moves the pelvis away from it).
"""

from __future__ import annotations

import numpy as np

from bench.physics.lowering import is_hike, lowering_set, rep_params
from bench.physics.pose import Pose, TrueRep

def draw_rep(rng: np.random.Generator) -> dict:
    """One step-down's parameters (units in the names)."""
    u = rng.uniform
    step = u(0.15, 0.20)
    descent = step * u(0.75, 1.0)
    hike = is_hike(rng)
    return {"step_m": step, **rep_params(rng, hike, descent, u(3.0, 15.0), descent * u(0.0, 0.5), 10.0, 0.3)}


def step_down_set(rng: np.random.Generator, params: dict | None = None,
                  reps: list[dict] | None = None) -> tuple[Pose, list[TrueRep]]:
    """Five step-downs on each leg (`lowering.lowering_set`)."""
    return lowering_set(rng, draw_rep, params, reps)
