"""Shallow lowerings (issue 14): a single-leg squat of 30-50 deg of knee flexion sinks the hips 3-8
cm, under the descent that stands with the weight shift alone (`SingleLegSquatDetector.min_descent_cm`,
5 cm). Such a rep is kept when a third cue, independent of the pitch, the descent and the shift,
says the person is not walking: the pelvis is quiet before or after it.

What the 5 cm floor kept out, measured: in hapt-dev's 30 static minutes and 480 simulated scenes
(quiet standing, weight shifts, bending, sit-to-stand, fidgeting, stepping about; 40 seeds each,
plain and turning) no pitch bump that passes the upright and standing tests has a descent under 5
cm together with a sideways move (the standing twitches of 3.5-5 cm have none: the shift rule,
unchanged, keeps them out at any floor). What does reach it are pitch bumps in walking and on
stairs (hapt-dev walking: 4.5 and 4.8 cm at 5-6 deg of pitch, a stop or turn in a walk), whose
pelvis is jolted by the foot contacts on both sides of the bump: the vertical acceleration above
QUIET_HP_HZ has an RMS of 0.077-0.16 g over the 0.7 s (`ShallowDescent.window_s`) before and
after them, against <= 0.030 g on the quieter side of every 30-50 deg squat of the physics check
(seed 0: 238 reps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.exercises.base import Motion, highpass, world_acc_g
from hiplevel.exercises.pitch_bumps import Bump, sides_around

# Foot contacts jolt the pelvis at 2-10 Hz; a lowering's own motion (and the next rep's) is below
# ~1.5 Hz and is taken out.
QUIET_HP_HZ = 2.0


@dataclass(frozen=True)
class ShallowDescent:
    """Where a descent under the exercise's least one still counts (units in the names).

    min_descent_cm: least measured descent: a 30 deg squat sinks the hips 2.8-3.3 cm (two-segment
        leg, 40-46 cm segments; measured 1.6-7 cm by the physics check, hiplevel.sim 0.7-5.4), a
        35-40 deg one 3.8-5.8 cm; 2.5 sits 1.6x under a 35 deg squat (2x under 40 deg) and finds
        the 30 deg ones measured above it (the descent's error: +-1 cm);
    max_jolt_g: the vertical acceleration above QUIET_HP_HZ, RMS over window_s before or after the
        rep (the quieter side), must stay under this: 30-50 deg squats <= 0.030 g (1.7x under),
        walking around a pitch bump >= 0.077 g (1.5x over);
    window_s: the standing read on either side (as `step_down.STANDING_WINDOW_S`)."""

    min_descent_cm: float = 2.5
    max_jolt_g: float = 0.05
    window_s: float = 0.7

    def jolt_g(self, m: Motion) -> np.ndarray | None:
        """The vertical acceleration above QUIET_HP_HZ, g (N,), that `quiet_around` reads; None for a
        roll stream."""
        if m.acc_lin_g is None:
            return None
        return highpass(world_acc_g(m)[:, 2], QUIET_HP_HZ, m.rate_hz)

    def counts(self, depth_cm: float | None, least_cm: float, jolt_g: np.ndarray | None, b: Bump,
               bumps: list[Bump], rate_hz: float) -> bool:
        """Whether bump b, with the weight shift, is a shallow rep: its hips sank depth_cm (None: not
        measured) of at least min_descent_cm and least_cm, and the pelvis is quiet around it
        (`quiet_around`; jolt_g from `jolt_g`: a roll stream, None, has no such read). Walking and
        stairs make such pitch bumps, and jolt the pelvis on both sides of them."""
        return (jolt_g is not None and depth_cm is not None and depth_cm >= max(self.min_descent_cm, least_cm)
                and self.quiet_around(jolt_g, b, bumps, rate_hz))

    def quiet_around(self, jolt_g: np.ndarray, b: Bump, bumps: list[Bump], rate_hz: float) -> bool:
        """Whether the pelvis is quiet (RMS of jolt_g under max_jolt_g) over window_s before bump b
        or after it, the samples of the other bumps left out (back-to-back reps: as
        `step_down.stands_around`); a side with under a quarter of the window left counts as quiet."""
        n = max(1, int(self.window_s * rate_hz))
        for idx in sides_around(b, bumps, n, len(jolt_g)):
            if len(idx) < n // 4 or float(np.sqrt(np.mean(jolt_g[idx] ** 2))) < self.max_jolt_g:
                return True
        return False
