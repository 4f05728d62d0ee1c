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

A hip hike lifts the sensor (issue 14, stop 39): in single support the pelvis tilts about the
stance hip, so the free side rising by h lifts the pelvis centre, where the sensor sits, by
HIP_HALF_WIDTH_M sin(h) over the stance hip, whose sinking is the squat (0.4-0.55 cm at a 2.5-3.7
deg hike). Every squat the 2.5 cm floor missed on the physics check was a hike (seed 0: 5 of 5,
30-34 deg of knee flexion, measured 1.6-2.8 cm; seed 1: 1 of 1), while hikes are one rep in five.
The shallow path adds that lift back (`hike_lift_cm`), the hike read on the roll at the rep's
deepest point against its edges, toward the stance side the weight shift names: its displacement
where clear, else its moves (`hike_sides`; on the physics check's shallow candidates the
displacement's leg is right in 57 of 58, the moves' in 39).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.exercises.base import Motion, highpass, world_acc_g
from hiplevel.exercises.pitch_bumps import Bump, sides_around

# Half the distance between the hip-joint centres (adults 16-18 cm), m: the stance hip's distance
# from the pelvis centre, the lever of a hike.
HIP_HALF_WIDTH_M = 0.085
# The lift is read up to a hike of this much (the human range of a hike ends at ~5 deg,
# `hiplevel.sim.strategies`): 0.74 cm at most, so a drop read as a hike (the shift naming the wrong
# leg) adds no more than that.
HIKE_LIFT_MAX_DEG = 5.0
# The roll is averaged over this long at the rep's deepest point and at each of its edges (sway on
# one leg, 0.2-2 Hz, averages out over a few tenths of a second).
HIKE_READ_S = 0.2

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
               bumps: list[Bump], rate_hz: float, lift_cm: float = 0.0) -> bool:
        """Whether bump b, with the weight shift, is a shallow rep: its hips sank depth_cm (None: not
        measured) plus lift_cm (a hike's lift of the sensor over the stance hip, `hike_lift_cm`) of
        at least min_descent_cm and least_cm, and the pelvis is quiet around it (`quiet_around`;
        jolt_g from `jolt_g`: a roll stream, None, has no such read). Walking and stairs make such
        pitch bumps, and jolt the pelvis on both sides of them."""
        return (jolt_g is not None and depth_cm is not None
                and depth_cm + lift_cm >= max(self.min_descent_cm, least_cm)
                and self.quiet_around(jolt_g, b, bumps, rate_hz))

    def quiet_around(self, jolt_g: np.ndarray, b: Bump, bumps: list[Bump], rate_hz: float) -> bool:
        """Whether the pelvis is quiet (RMS of jolt_g under max_jolt_g) over window_s before bump b
        or after it, the samples of the other bumps left out (back-to-back reps: as
        `step_down.stands_around`). A side with under a quarter of the window left is not read: it
        is no evidence either way, so the other side decides, and only a bump with neither side
        read counts as quiet (stop 39: hapt-dev e06 159.8 s, 0.098 g before a bump whose after-side
        the next bump filled, passed on that side alone)."""
        n = max(1, int(self.window_s * rate_hz))
        read = [idx for idx in sides_around(b, bumps, n, len(jolt_g)) if len(idx) >= n // 4]
        return not read or any(float(np.sqrt(np.mean(jolt_g[idx] ** 2))) < self.max_jolt_g for idx in read)


def hike_lift_cm(roll_deg: np.ndarray, b: Bump, stance_sign: float, rate_hz: float) -> float:
    """How far a hip hike in bump b lifted the pelvis centre over the stance hip at the rep's
    deepest point, cm (0 for a drop or no side): HIP_HALF_WIDTH_M sin(hike), the hike (up to
    HIKE_LIFT_MAX_DEG) read as the roll over HIKE_READ_S about the peak against the mean of its
    onset's and offset's, toward stance_sign (+1 left stance, -1 right, 0 unknown; roll_deg + = left
    side higher, so a left-stance hike, the right side rising, rolls it down)."""
    if stance_sign == 0.0:
        return 0.0
    n = max(1, int(HIKE_READ_S * rate_hz))
    onset = float(np.mean(roll_deg[b.onset : b.onset + n]))
    offset = float(np.mean(roll_deg[max(b.onset, b.offset + 1 - n) : b.offset + 1]))
    mid = float(np.mean(roll_deg[max(b.onset, b.peak - n // 2) : b.peak + n // 2 + 1]))
    hike = float(np.clip(-np.sign(stance_sign) * (mid - 0.5 * (onset + offset)), 0.0, HIKE_LIFT_MAX_DEG))
    return 100.0 * HIP_HALF_WIDTH_M * float(np.sin(np.radians(hike)))


def hike_sides(runs: list[float], moves_mps: list[float]) -> list[float]:
    """The stance side each candidate's hike is read toward (`hike_lift_cm`; +1 left, -1 right, 0
    none): its run's displacement where that is clear (runs, `lowering_side.run_signs`: the right
    leg in 98 % of squat reps on the physics check), else its sideways moves' sign (moves_mps,
    m/s, + = left, `step_down.shift_evidence`: 72 %; the one cue the shallow path requires)."""
    return [float(np.sign(r if r != 0.0 else e)) for r, e in zip(runs, moves_mps)]
