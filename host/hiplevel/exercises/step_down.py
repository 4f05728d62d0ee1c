"""Lateral step-down: one rep per lowering of the free foot from the step and back.

side = the stance leg (on the step); drop = peak drop of the lowering (free) side below the set's
standing neutral during the rep (when it rose further than it dropped, minus the rise: a hip hike). Quality criterion (domain primer, Piva's step-down scale): the
pelvis stays level throughout; any drop of the lowering side means the load is too high.

Reps: lowering the free foot bends the stance hip and knee, so the pelvis pitches forward (6-12 deg)
and sinks (10-14 cm): each rep is one bump of the pelvic pitch from standing back to standing,
confirmed by the vertical descent when the 6-axis stream is there, or, in a rep too slow for the
descent to be measured, by a sideways weight shift (in a set done with the free foot up between
reps, the one shift onto the leg and back, read at the run's ends: `lowering_reach.held_on_one_leg`). The shared
parts also serve the single-leg squat.

Forward axis: the set's own drop grows with the depth of each rep, so the tilt direction (which the
session alignment takes as the pitch axis) mixes the drop into the yaw and rotates it away. The
sideways weight shift onto the stance foot, a horizontal move along the pelvis' left-right axis,
is a cue independent of the drop: the dominant axis of the horizontal acceleration while the
pelvis is upright gives the left-right axis, and the roll is re-aligned to it before the drop is
measured (`lowering_axis.shift_yaw_deg`, `realigned_roll_pitch`).

Stance side: the pelvis moves over the stance foot before or as a rep starts and back after it
ends. First how far it moved (`lowering_side`: the displacement from the standing to the rep and
back, run by run: reps with no shift between them are on one leg); where that is under a shift's
size, each rep takes the largest lateral move between the standing before it and its deepest
point and the largest after it (toward the stance side, then away; the pitching leaks smaller
sideways moves into the rep itself). The roll is a third cue, independent of the acceleration: the
free side hangs lower on average during the rep, and on one leg just before and after it, where a
hike (the rep's own move) has not risen yet. The cues of each rep are weighed together with
those of the reps around it (a set is done on one leg; the leg changes between sets, across a
rest): a rep whose own cues fail together takes its leg's side, and one left in doubt is flagged
`side_uncertain` (`lowering_side.set_sides`). A device roll stream (no accelerometer) has only the
roll (a hip hike reads as the other leg).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hiplevel.constants import LEFT, RIGHT, Side, other_side
from hiplevel.exercises.base import (Motion, RepWindow, calm_mask, find_humps, measure_drop_or_hike, velocity_mps,
                                     without_rest_tilt, world_acc_g)
from hiplevel.exercises.descent import G_MPS2, PLAIN_DESCENT, DescentMeasure
from hiplevel.exercises.lateral_motion import swing_mps
from hiplevel.exercises.lowering_axis import realigned_roll_pitch, shift_yaw_deg
from hiplevel.exercises.lowering_reach import Displacements, displacements, held_on_one_leg, reach, set_breaks
from hiplevel.exercises.lowering_side import displacement_agreement, edge_rolls_deg, held_in_run, run_signs, set_sides
from hiplevel.exercises.pitch_bumps import Bump, pitch_bumps, sides_around
from hiplevel.exercises.shallow_descent import ShallowDescent, hike_lift_cm, hike_sides
from hiplevel.signal.exact_median import unique

# Lateral moves: velocity high-passed at this cutoff (slow tilt errors go, the moves stay).
LATERAL_HP_HZ = 0.2
# The moves that name the stance side are read in this band of the sideways velocity, Hz (Stop 41f):
# a weight shift of 3-12 cm over 0.5-2 s (issue 14) lies under 1 Hz, the balance corrections on one
# leg (1-3 Hz, 0.03-0.09 m/s) over it, and in the 0.2-4 Hz band they outweighed a slow shift (1-1.5 s:
# read at 0.6 of its speed, 0.03-0.05 m/s) in a third of the physics check's touch reps with such
# shifts, whose pair of largest moves was then a correction during the descent and one during the
# ascent (Stop 40j's 271). The re-fused acceleration (`shift_acc_g`) holds no tilt error for a 0.1 Hz
# high-pass to let build. Those moves vote only where the 0.2-4 Hz reading agrees (`side_moves`).
SIDE_MOVE_BAND_HZ = (0.1, 1.0)
# Moves weaker than min_move_mps still count toward the set's side, down to this fraction of it.
WEAK_MOVE_FRACTION = 0.33


def lateral_acc_g(m: Motion, yaw_deg: float, roll_deg: np.ndarray) -> np.ndarray:
    """Sideways acceleration of the pelvis along the axis turned by yaw_deg, g (+ = toward the
    left), less the sensor's own swing as the pelvis rolls under it (`lateral_motion.swing_mps` on
    roll_deg, the roll re-aligned to that axis, `realigned_roll_pitch`; the same lever
    arm the holds and band walks take off): a sensor above the hip joints sits
    -h sin(roll) to the side, so a 7 deg drop of the free side carries it ~1 cm toward that side and
    back within the rep, a move onto the other foot and back to the shift cue (issue 14, physics
    check: every rep of a set on one leg read as the other leg's when the weight shift onto the
    stance foot was slow or came once for the set). The turning swing stays in: pitched forward, the
    gyro's z rate is no turn rate, and taking it off made a standing turn in hapt-dev e14 pass for
    a weight shift (a false step-down)."""
    h = world_acc_g(m)[:, :2]
    d = math.radians(yaw_deg)
    lateral = math.sin(d) * h[:, 0] + math.cos(d) * h[:, 1]
    if len(lateral) >= 3:
        lateral = lateral + np.gradient(swing_mps(m, roll_deg, turning=False)) * m.rate_hz / G_MPS2
    return lateral


def shift_acc_g(m: Motion, yaw_deg: float) -> np.ndarray:
    """The sideways acceleration the weight shifts' displacements are read on (`lowering_reach.
    displacements`), g (+ = toward the left): `lateral_acc_g` of the set re-fused with the
    accelerometer trusted fast only where the pelvis really rests (`base.without_rest_tilt` with
    `calm_mask`, as the band walk). Why: a weight shift of 1-1.5 s accelerates the pelvis so gently
    (4.2 cm in 1.08 s: 21 mg at its peak) that the fusion's rest test passes, and its 0.5 s rest
    constant takes the acceleration for tilt, so the shift is lost from the linear acceleration: the
    physics check's touch sets read such shifts 0.1-2 cm, half of them the wrong way, on an ideal belt
    too (issue 14; docs/analysis.md, "Stop 40e"). The moves (`shift_evidence`) read it too, for the same
    reason ("Stop 40j"); the roll stays on the set's fusion."""
    slow = without_rest_tilt(m, calm_mask)
    return lateral_acc_g(slow, yaw_deg, realigned_roll_pitch(slow, yaw_deg)[0])


def _move_pair_evidence(into: list, out: list) -> float:
    """Side evidence of one rep (m/s, + = left) from the sideways moves before its deepest point
    (`into`) and after it (`out`): a move onto the stance foot and back is a pair of opposite
    signs, so each sign's pair (the largest move of that sign in, the largest of the other out)
    is summed and the stronger pair wins. The largest move alone could be the pitching leaking
    into the sideways velocity (a third of the shift's speed in a fast squat) or, in a live window
    that does not hold the next rep yet, that rep's shift onto the same foot; neither has a
    partner of the other sign. Without any pair, the largest single move."""
    best = 0.0
    for sign in (1, -1):
        h_in = max((h.height for h in into if h.sign == sign), default=0.0)
        h_out = max((h.height for h in out if h.sign == -sign), default=0.0)
        if h_in and h_out and h_in + h_out > abs(best):
            best = sign * (h_in + h_out)
    if best:
        return best
    singles = [(h.sign * h.height) for h in into] + [(-h.sign * h.height) for h in out]
    return max(singles, key=abs, default=0.0)


def shift_evidence(m: Motion, bumps: list[Bump], lateral_g: np.ndarray | None, min_move_mps: float,
                   bounds: list[Bump] | None = None, band_hz: tuple[float, float] = (LATERAL_HP_HZ, 4.0)
                   ) -> list[float]:
    """Side evidence of each rep, m/s (+ = left stance; `_move_pair_evidence`), from the sideways
    moves around it (see `stance_sides`) in the set's sideways acceleration lateral_g (g,
    `lateral_acc_g`, in `single_leg_reps` of the re-fused set, `shift_acc_g`; None for a roll stream:
    empty), its velocity band-limited to band_hz (high-pass, low-pass; Hz): the default, every
    move (a rep's weight shift, whichever its speed); SIDE_MOVE_BAND_HZ, the moves that name the side.
    bounds: every lowering that splits the standing around a rep (default: the reps themselves;
    see `lowering_reach.reach`)."""
    if not bumps or lateral_g is None:
        return []
    v = velocity_mps(lateral_g, m.rate_hz, hp_hz=band_hz[0], lp_hz=band_hz[1])
    humps = find_humps(v, m.rate_hz, WEAK_MOVE_FRACTION * min_move_mps, 0.3)
    if humps:
        big = max(h.height for h in humps)
        humps = [h for h in humps if h.height >= 0.25 * big]
    ev: list[float] = []
    for b, (lo, hi) in zip(bumps, reach(bumps, bumps if bounds is None else bounds, len(v), m.rate_hz)):
        into = [h for h in humps if lo <= h.peak < b.peak]
        out = [h for h in humps if b.peak < h.peak < hi]
        ev.append(_move_pair_evidence(into, out))
    return ev


def side_moves(every: list[float], shift_band: list[float]) -> list[float]:
    """The moves that vote for each rep's stance side, m/s (+ = left): its `shift_evidence` in
    SIDE_MOVE_BAND_HZ (shift_band) where the full band's (every) points the same way, else 0 (no
    vote). Where the two split, the rep's largest moves in the full band were balance corrections
    within the rep and its shift too slow or small to stand out from them; the moves read in the
    shift's band alone still point the wrong way in a tenth of the physics check's reps (hover
    reps inside a run have no shift of their own, only the rep's own sideways move, either way), and
    a reading the full band contradicts is the one to doubt (Stop 41f)."""
    return [s if s * e > 0 else 0.0 for e, s in zip(every, shift_band)]


def stance_sides(m: Motion, bumps: list[Bump], roll_deg: np.ndarray, min_move_mps: float,
                 ev: list[float] | None, moved: Displacements | None) -> list[tuple[Side, float | None]]:
    """Stance leg of each rep and its side confidence (see the module docstring; roll_deg: the set's
    roll re-aligned to the sideways axis, `realigned_roll_pitch`, deg; ev: the reps' lateral moves,
    `shift_evidence`, m/s; moved: their `displacements`; both on the re-fused set's sideways
    acceleration, `shift_acc_g`, and None for a roll stream): by the
    displacements of the weight shifts where they are clear (`lowering_side.run_signs`), the
    lateral moves and the roll (the free side hangs lower), weighed with the other reps of the set
    (`lowering_side.set_sides`; confidence: the probability of the side given); a roll stream's
    side is the roll's alone (confidence None).

    Lateral moves = velocity humps of at least WEAK_MOVE_FRACTION * min_move_mps and a quarter of
    the set's largest; one of at least min_move_mps decides its rep alone, weaker ones only add up
    over the set (a 1-2 cm shift peaks at 0.03-0.06 m/s; pooled over the reps, sway cancels).
    Evidence per rep (+ = left): `_move_pair_evidence` of the moves between the middle of the
    standing before it (at most `lowering_reach.SHIFT_REACH_S` before it) and its deepest point, and of those between
    its deepest point and the middle of the standing after it."""
    if not bumps:
        return []
    if ev is None or moved is None:
        # Roll stream: the free side is lower on average (+ roll = left side higher = right side free).
        return [(LEFT if float(np.mean(m.roll_deg[b.onset : b.offset + 1])) > 0 else RIGHT, None) for b in bumps]
    # The displacements into and out of the reps, run by run (`lowering_side`; worth less where their
    # sliding windows split), one clear move (in or out), the roll and the roll on one leg at the rep's
    # edges are each rep's cues; the set's weaker moves, pooled, break a tie.
    new_set = set_breaks(bumps)
    spans, windows, shifts = moved
    runs = run_signs(shifts, new_set.tolist())
    set_id = np.cumsum(new_set)
    ev_arr = np.array(ev)
    pooled = {k: float(np.sum(ev_arr[set_id == k])) for k in unique(set_id)}
    votes = set_sides(runs, [e if abs(e) >= min_move_mps else 0.0 for e in ev],
                      [float(np.mean(roll_deg[b.onset : b.offset + 1])) for b in bumps], new_set.tolist(),
                      [pooled[int(k)] for k in set_id], held_in_run(shifts, new_set.tolist(), runs),
                      displacement_agreement(windows, shifts, new_set.tolist()), edge_rolls_deg(roll_deg, spans, m.rate_hz))
    return [(LEFT if s > 0 else RIGHT, conf) for s, conf in votes]


# A lowering starts upright and comes back: its onset within this of the standing pitch, and the
# pitch at its end back within this fraction of the bump of where it started. Sitting down ends
# 15-25 deg back, standing up starts there; a rep returns to standing (< 0.3 of the bump).
UPRIGHT_ONSET_DEG = 12.0
RETURN_FRACTION = 0.5
# ... and the person stands before and after it: the pelvis tilt (roll and pitch from the standing
# pose) stays within STANDING_TILT_DEG over STANDING_WINDOW_S before the onset and after the end
# (simulated step-downs and squats: <= 3.7 deg; sitting, before standing up and after sitting
# down: >= 16 deg; lying: 60-90 deg). The bump's own edges are no help: the forward lean of a
# sit-to-stand carries the pitch through the standing value on the way.
STANDING_TILT_DEG = 8.0
STANDING_WINDOW_S = 0.7
# A measured descent this many times the least one stands alone; a smaller one (a lowering of 8 cm
# measures 5.2-10 cm, standing leans and jolts 3.3-5 cm) needs the weight shift onto the stance leg
# as a second, independent cue (every simulated lowering shifts 2-12 cm; a lean shifts nothing).
SURE_DESCENT_FACTOR = 2.0


def returns_upright(pitch_deg: np.ndarray, b: Bump, max_pitch_deg: float) -> bool:
    """Whether a pitch bump is a lowering and return from standing (not a posture change or a
    bend): starts near the standing pitch, ends back near where it started, peaks below
    max_pitch_deg."""
    p0, p1, pk = float(pitch_deg[b.onset]), float(pitch_deg[b.offset]), float(pitch_deg[b.peak])
    return abs(p0) <= UPRIGHT_ONSET_DEG and abs(p1 - p0) <= RETURN_FRACTION * b.height_deg and pk <= max_pitch_deg


def stands_around(roll_deg: np.ndarray, pitch_deg: np.ndarray, b: Bump, bumps: list[Bump], rate_hz: float) -> bool:
    """Whether the pelvis is upright (tilt <= STANDING_TILT_DEG from the standing pose) over
    STANDING_WINDOW_S before bump b and after it, leaving out the samples of the other bumps (reps
    done back to back: the standing between them is the previous rep's). Pass only the bumps kept
    as reps: the start of lying down or sitting is a bump too, and leaving it out hid the tilt
    right after a false rep (issue 14). A side with less than a quarter of the window left is
    taken as upright."""
    n = max(1, int(STANDING_WINDOW_S * rate_hz))
    for idx in sides_around(b, bumps, n, len(pitch_deg)):
        if len(idx) >= n // 4 and float(np.max(np.hypot(roll_deg[idx], pitch_deg[idx]))) > STANDING_TILT_DEG:
            return False
    return True


def single_leg_reps(m: Motion, min_pitch_deg: float, min_s: float, max_s: float, min_descent_cm: float,
                    min_move_mps: float, max_pitch_deg: float = 90.0,
                    min_descent_per_pitch_cm_per_deg: float = 0.0,
                    descent: DescentMeasure = PLAIN_DESCENT, shallow: ShallowDescent | None = None) -> list[RepWindow]:
    """Rep windows of a single-leg lowering exercise: every forward-pitch bump (on the re-aligned
    pitch) whose hips sank at least min_descent_cm, and at least min_descent_per_pitch_cm_per_deg
    per degree of its peak pitch (a bend pitches far with little descent); a bump too slow for
    the descent to be measured needs a sideways weight shift instead; drop = peak drop of the free
    side on the re-aligned roll; descent: how the exercise measures the descent
    (`descent.DescentMeasure`); shallow: where a smaller descent still counts, with the weight shift
    and a pelvis quiet around the rep (`shallow_descent.ShallowDescent`; None: nowhere). Metrics:
    peak forward pitch (`pitch_deg`, deg above the standing pose), the descent (`depth_cm`, 6-axis only) and the forward-axis correction (`yaw_fix_deg`)."""
    yaw = shift_yaw_deg(m)
    roll, pitch = realigned_roll_pitch(m, yaw)
    found = pitch_bumps(pitch, m.rate_hz, min_pitch_deg, min_s, max_s)
    bumps = upright = [b for b in found if returns_upright(pitch, b, max_pitch_deg)]
    while True:  # only the kept reps' samples are left out around a rep (`stands_around`): shrinks to a fixed point
        kept_bumps = [b for b in bumps if stands_around(roll, pitch, b, bumps, m.rate_hz)]
        if len(kept_bumps) == len(bumps):
            break
        bumps = kept_bumps
    depths = descent.depths_cm(m, [(b.onset, b.offset) for b in bumps])
    # A rep needs the descent or, where it cannot be measured (a slow rep), the weight shift onto
    # the stance leg: some sideways move before or after it (issue 14: a slow 5 s sway while
    # standing had neither). A roll stream has neither cue and keeps every bump.
    # The sideways acceleration serves both the shift cue here and the stance side below: once.
    # Both read the set re-fused without the fusion's quick trust in a slow shift (`shift_acc_g`).
    lateral_g = shift_acc_g(m, yaw) if m.acc_lin_g is not None and bumps else None
    # The moves and the displacements of every candidate: each rep's own (its reach split by every
    # upright lowering, kept or not), so the kept reps' stance sides below take theirs.
    ev = shift_evidence(m, bumps, lateral_g, min_move_mps, upright)
    # The side's moves: the same in the band of the weight shifts, where both bands agree (`side_moves`).
    side_ev = side_moves(ev, shift_evidence(m, bumps, lateral_g, min_move_mps, upright, SIDE_MOVE_BAND_HZ))
    moved = displacements(m, bumps, lateral_g, upright) if lateral_g is not None else None
    # In a set done with the free foot up between reps (hover), a rep inside the leg's run has no
    # shift of its own: the one shift in came before the run's first rep, the one back after its last
    # (issue 14, physics check: 5 squats of 33-43 deg, 4-7 cm measured, missed in hover sets); a rep
    # held on one leg so (`held_on_one_leg`) has the weight shift as its second cue.
    held, runs = held_on_one_leg(bumps, moved)
    # Where the exercise fits the forward bias (the squat), a descent that a plausible bias could
    # have hidden (a slow deep rep) can not reject the rep either: the shift decides, as in slower reps.
    # A descent short of SURE_DESCENT_FACTOR times the least one needs the weight shift as well: a
    # lean of the pelvis about the hips alone (no knee bend) moves a belt sensor up or down by up to
    # ~2 cm at 9 deg, by where on the belt it sits, and a jolt in the margins leaks into the double
    # integral (hapt-dev e12, e14: 3.5-5 cm "descents" in the opening standing, no sideways move).
    jolt = shallow.jolt_g(m) if shallow is not None else None
    # The leg a hike is read toward (`hike_sides`): the displacement's where clear, else the moves'.
    lift_sides = (hike_sides(runs, ev)
                  if shallow is not None and ev and moved is not None else [0.0] * len(bumps))
    kept = []  # the reps' indices in bumps
    for i, (b, d, e, h) in enumerate(zip(bumps, depths, ev or [1.0] * len(bumps), held)):
        per_pitch_cm = min_descent_per_pitch_cm_per_deg * float(pitch[b.peak])
        need_cm = max(min_descent_cm, per_pitch_cm)
        unsure = d is None or descent.could_hide(m, b.onset, b.offset, need_cm)
        shifted = m.acc_lin_g is None or e != 0.0 or h
        if (d is not None and d >= need_cm and (shifted or d >= SURE_DESCENT_FACTOR * need_cm)) or (unsure and shifted):
            kept.append(i)
        elif shallow is not None and shifted and shallow.counts(d, per_pitch_cm, jolt, b, bumps, m.rate_hz,
                                                                  hike_lift_cm(roll, b, lift_sides[i], m.rate_hz)):
            # A shallow one: with the shift and a quiet pelvis, a hike's lift of the sensor over the
            # stance hip (on the leg `hike_sides` names) added back (`shallow_descent`).
            kept.append(i)
    sides = stance_sides(m, [bumps[i] for i in kept], roll, min_move_mps, None if lateral_g is None
                         else [side_ev[i] for i in kept], None if moved is None else moved.of(kept))
    reps: list[RepWindow] = []
    for i, (stance, confidence) in zip(kept, sides):
        b, depth = bumps[i], depths[i]
        win = (b.onset, b.offset + 1)
        metrics: dict = {"pitch_deg": round(float(np.max(pitch[win[0] : win[1]])), 1), "yaw_fix_deg": round(yaw, 1)}
        if confidence is not None:
            metrics["side_confidence"] = confidence
        if depth is not None:
            metrics["depth_cm"] = depth
        drop = measure_drop_or_hike(roll, win, other_side(stance), robust=False)  # a hike is a negative drop
        reps.append(RepWindow(b.onset, b.offset, stance, win, other_side(stance), metrics=metrics, drop_deg=drop))
    return reps


@dataclass(frozen=True)
class StepDownDetector:
    """Parameters (units in the names).

    min_pitch_deg: least forward-pitch bump of a lowering (5-15 deg across people, 6-12 typical,
        an upright trunk as the test asks down to ~3; walking's pitch wobble is ~3.6 deg
        peak-to-peak but lasts ~0.25 s, quiet standing sways 0.2 deg SD); 2 deg (stop 35, was 3)
        sits 1.3x below the 2.65-2.99 deg that the physics check's upright lowerings (true 3.0-3.8
        deg, hips 11.6-18 cm lower, drops of 6-8 deg) measure; the hips' descent is the independent
        cue, and slow sways of that size in hapt-dev standing are told apart by the others (0
        false reps per static hour at 1, 2 and 3 deg; issue 14);
    min_rep_s / max_rep_s: plausible duration of one lowering and return;
    min_descent_cm: least sinking of the hips, as measured (`descent.descents_cm`): a lowering of 8 cm, the
        shallow end of 10-20 cm steps, measures 5.2-10 cm (the accelerometer bias leaking in with
        the pitch), standing fidgets and pitch twitches 3.3-3.4 cm (hapt-dev, issue 14);
    min_move_mps: least peak speed of a sideways weight shift that decides a rep's stance side on
        its own (a 4 cm shift in 0.3 s peaks at 0.25 m/s; quiet standing sways < 0.02 m/s);
    max_pitch_deg: a lowering pitches the pelvis 6-12 deg; beyond this it is a bend (40-90 deg);
    lead_in_s: read this long before a set's start (`analysis.lead_in`): a rep's stance side is
        the shift onto the stance foot before it (up to `lowering_reach.SHIFT_REACH_S` plus 30 % of a slow rise:
        3.4 s) and it needs the standing before that (STANDING_WINDOW_S); a set started in the
        first rep's lowering read the lateral filter's start-up for a shift (live: the other leg).
    Every rep starts upright and returns there (`returns_upright`), and the person stands before
    and after it (`stands_around`): sitting down, standing up and lying down are no lowerings."""

    min_pitch_deg: float = 2.0
    max_pitch_deg: float = 30.0
    min_rep_s: float = 1.0
    max_rep_s: float = 10.0
    min_descent_cm: float = 3.5
    min_move_mps: float = 0.06
    lead_in_s: float = 5.0

    def detect(self, m: Motion) -> list[RepWindow]:
        """Lowerings of the set."""
        return single_leg_reps(m, self.min_pitch_deg, self.min_rep_s, self.max_rep_s, self.min_descent_cm,
                               self.min_move_mps, self.max_pitch_deg)
