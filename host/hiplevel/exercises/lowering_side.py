"""Which leg the reps of a single-leg lowering set (step-down, single-leg squat) are on, from how far
the pelvis moved sideways between them (issue 14, physics check).

Why not the speed of the moves alone (`step_down.shift_evidence`): a slow weight shift (1-1.5 s) peaks
at a third of its true speed after the lateral filters (an 8.2 cm shift in 1.2 s, true peak 0.10 m/s,
read 0.036 m/s and then swung to -0.044), while balance corrections on one leg (1-3 Hz, 0.05-0.09 m/s)
and the sideways moves within a rep (knee valgus, trunk lean: up to 3 cm toward either side) pass
whole and outweigh it. And a person who stays on the stance leg between reps (the step-down test's
protocol) shifts once for five reps: the reps in between have no shift of their own.

The displacement does not care how fast the shift was: from the standing before a rep to its start,
the sideways acceleration double-integrated with its mean off (`stance_side.displacement_m`; the
median of windows sliding half a second either way, so that the balance corrections at their ends
average out and a window ending in a fast move, far off, does not count) is the shift onto the
stance foot, and from its end to the standing after it the shift back; the rep's own sideways moves
lie outside both. A set is done on one leg (domain primer): reps with no clear shift between them
form a run on one leg, whose side is the sum of its reps' displacements (a run of five hover reps:
the shift in before the first and the shift back after the last).
"""

from __future__ import annotations

import numpy as np

from hiplevel.exercises.stance_side import sliding_displacement_m

# The displacement windows slide this far in all (half before, half after their place), in steps of
# SLIDE_STEP_S: a second holds one to three periods of the balance corrections on one leg.
SLIDE_S = 1.0
SLIDE_STEP_S = 0.1
# A displacement this large between two reps is a weight shift (3-12 cm across issue 14's range,
# hiplevel.sim 4-8 cm); sway and the corrections on one leg move the pelvis 2-3 mm (SD): two reps
# with no such shift between them are on the same leg.
RUN_SPLIT_M = 0.015


def rep_shifts_m(acc_mps2: np.ndarray, spans: list[tuple[int, int, int, int]], rate_hz: float
                 ) -> list[tuple[float, float]]:
    """For each rep (start of the standing before it, its onset, its offset, end of the standing
    after it; sample indices) the sideways displacement from the standing to the onset and from the
    offset to the standing, m (+ = leftward; the median `stance_side.sliding_displacement_m` of
    the windows sliding SLIDE_S about their place). acc_mps2: the pelvis's sideways acceleration,
    m/s^2. Why the median, not the mean: a window whose end falls in a fast move reads its length
    times half the move's speed short (hiplevel.sim's step-down shifts in the rep's first and last
    0.3 s at up to 0.25 m/s: +27 and +38 cm on 3.5 s windows against -6..+3 cm for the others)."""
    slide, step = int(SLIDE_S * rate_hz), max(1, int(SLIDE_STEP_S * rate_hz))
    h = slide // 2
    return [(sliding_displacement_m(acc_mps2, lo - h, a - h, rate_hz, slide, step, np.median) if a > lo else 0.0,
             sliding_displacement_m(acc_mps2, b - h, hi - h, rate_hz, slide, step, np.median) if hi > b else 0.0)
            for lo, a, b, hi in spans]


def run_signs(shifts: list[tuple[float, float]], new_set: list[bool]) -> list[int]:
    """The stance side of each rep (+1 left, -1 right, 0 unclear) from its shifts (`rep_shifts_m`):
    a rep with a shift in of RUN_SPLIT_M whose shift out does not outweigh it the other way takes the
    sign of its shift in less its shift out; the others take their run's, where a run is the reps in
    a row with no displacement of RUN_SPLIT_M between them (the previous rep's out or this one's in)
    and no set break (new_set), and its sign the sum of its reps' shifts in less their shifts out;
    under RUN_SPLIT_M it is unclear (hiplevel.sim's step-down shifts within the rep's first and last
    0.3 s: a fast rep's windows miss most of it, 0-0.8 cm). Why a rep needs its shift in to decide
    alone: the window after a set's last rep read 3-4 cm the wrong way at times (hiplevel.sim: a
    deep squat with 1 cm shifts, a step-down at 200 Hz), the person re-standing for the rest and the
    fused tilt still settling; and why not the shift in alone: a squat's in-window read 2 cm the
    wrong way once (its shift out 7.4 cm the right way)."""
    own = [d_in - d_out for d_in, d_out in shifts]
    signs: list[int] = []
    start = 0
    for i in range(len(shifts) + 1):
        split = i == len(shifts) or (i > 0 and (new_set[i] or abs(shifts[i - 1][1]) >= RUN_SPLIT_M
                                                 or abs(shifts[i][0]) >= RUN_SPLIT_M))
        if split and i > start:
            e = sum(own[start:i])
            signs.extend([int(np.sign(x if abs(d_in) >= RUN_SPLIT_M and d_in * x > 0 else e if abs(e) >= RUN_SPLIT_M
                                      else 0.0)) for x, (d_in, _) in zip(own[start:i], shifts[start:i])])
            start = i
    return signs


# The roll cue (independent of the sideways acceleration): the free side hangs lower through a rep,
# so the mean re-aligned roll over the rep points to the stance leg. It votes from ROLL_CUE_DEG:
# above quiet sway averaged over a 1.5-4 s rep (SD 0.2-1 deg: its mean < 0.5 deg) and the belt's
# slip after the calibration (human range +-1 deg, hiplevel.sim), below the mean of a 2-10 deg drop
# (1-5 deg). It overrules the acceleration only from ROLL_SURE_DEG: beyond any hip hike read the
# other way (hikes of 1.5-5 deg peak; on the physics check the hikes' mean roll reached 2.4 deg
# toward the wrong leg, with the belt's slip 1-2 deg more). Measured on the physics check (seeds 0
# and 1, both exercises): 2.5 deg turned 3 right reps wrong, 4 deg fixed 12 fewer than 3 deg.
ROLL_CUE_DEG = 1.0
ROLL_SURE_DEG = 3.0
# The side confidence of a rep whose cues are split (scored `side_uncertain` under
# `Thresholds.side_min_confidence`), and of one no cue decided (the set's pooled moves).
SPLIT_CONFIDENCE = 0.5


def vote_sides(runs: list[int], moves_mps: list[float], rolls_deg: list[float], pooled: list[float]
               ) -> list[tuple[int, float]]:
    """The stance side (+1 left, -1 right) and its confidence (1, or SPLIT_CONFIDENCE) of each rep
    from three cues: runs, the displacement of the weight shifts (`run_signs`; 0: unclear);
    moves_mps, the sideways moves around it (`step_down.shift_evidence`, m/s, + = left; 0 where
    under a clear move's speed); rolls_deg, its mean roll (deg, + = left side higher = left
    stance); pooled, the set's summed moves (+ = left) for a rep no cue decides.

    The acceleration's side (the displacement, else the moves) stands unless the roll is sure
    (ROLL_SURE_DEG) the other way and the displacement is unclear or the moves side with the roll.
    Split (SPLIT_CONFIDENCE): a sure roll against the acceleration's side, moves against a roll cue
    where no displacement decides, or no cue at all. Why the roll (physics check, seeds 0 and 1,
    71 reps on the wrong leg on main): a slow shift (1.25-1.5 s, 53 of them) reads under
    RUN_SPLIT_M, and the moves that then decided are balance corrections on one leg (0.05-0.09 m/s)
    as often as the shift (right in 60 % of reps); the drop is a cue the acceleration does not share."""
    out = []
    for d, mv, r, p in zip(runs, moves_mps, rolls_deg, pooled):
        m = int(np.sign(mv))
        roll = int(np.sign(r)) if abs(r) >= ROLL_CUE_DEG else 0
        sure = roll if abs(r) >= ROLL_SURE_DEG else 0
        acc = d or m
        side = sure if sure and sure != acc and (d == 0 or m == sure) else acc
        split = (acc and sure and sure != acc) or (d == 0 and m and roll and m != roll) or not side
        out.append((side or (1 if p > 0 else -1), SPLIT_CONFIDENCE if split else 1.0))
    return out
