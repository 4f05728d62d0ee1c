"""The tests a candidate single-leg hold must pass, and why: the decision chain of
`single_leg_stance.SingleLegStanceDetector`, declared in one place.

    candidates -> gates (the support vote among them) -> hold -> drops -> joins, merge -> holds

A candidate (`stance_candidate.Candidate`) is a shift onto a leg and a shift back: a velocity move
paired with a later one (`stance_pairing`: each shift in tries its shifts back in time order), or
a shift in and back fitted at the edges of a stretch on one foot (`stance_edges.edge_shifts`). Its
gates (VELOCITY_GATES, EDGE_GATES) are asked in order; the first that rejects it names it
(`stance_candidate.Rejected`) and it is no hold, so the pairing looks on for a later shift back. A
candidate that passes is a hold (`hold_rep`). A velocity hold then goes through VELOCITY_DROPS:
the checks that its foot was seen off the floor. A hold one of them rejects stays paired (its moves
are no other hold's, and the holds on each side of it are not joined across it:
`stance_merge.join_split_holds`), and is dropped after the pairing; a hold joined from a dropped
one is dropped too (JOINED_UNSEEN). The holds left are merged with the edge path's
(`stance_merge`).

Each check is `rejects(candidate) -> bool`, True when the candidate is no hold; its docstring says
which false hold it turns down and what was measured. The longer rules, with their constants, are in
`stance_roll` (the roll's evidence), `stance_turns` and `stance_corroboration`; these functions
only name them and say which candidate each is for.
"""

from __future__ import annotations

from hiplevel.constants import LEFT, RIGHT, other_side
from hiplevel.exercises.base import RepWindow, measure_drop_or_hike
from hiplevel.exercises.single_support import support_votes
from hiplevel.exercises.stance_candidate import Candidate, Check
from hiplevel.exercises.stance_edges import within_one_stretch
from hiplevel.exercises.stance_merge import EDGE_VOTE
from hiplevel.exercises.stance_roll import (anchored_lift, detrended_sd, moved_as_shift, moved_between, moved_inside,
                                            moved_on, moved_unseen, one_level, stood_level, sway_unseen)


def no_shift_pair(c: Candidate) -> bool:
    """Edge path: the shifts fitted at a stretch's edges are no shift onto one leg and back: the
    same way, their mean size (two readings of one displacement) under min_shift_m (people shift
    3-12 cm, standing sways < 1 cm), under min_hold_s apart, or the shift back under partner_ratio
    or over max_return_ratio of the shift in (as the pairing asks of the velocity's moves)."""
    p, a, b = c.p, c.a, c.b
    return (a.sign == b.sign or c.size_a + c.size_b < 2.0 * p.min_shift_m
            or (b.onset - a.offset) < p.min_hold_s * c.rate
            or not p.partner_ratio * c.size_a <= c.size_b <= p.max_return_ratio * c.size_a)


def not_upright(c: Candidate) -> bool:
    """Bent over, sat down or turned, not standing on one leg: from upright_edge_s before the shift
    in to as long after the shift back, the 95th percentile |pitch| over max_pitch_deg (15 deg;
    bending over and sitting tilt the pelvis 15-90 deg) or |yaw rate| over max_yaw_rate_dps
    (`SingleLegStanceDetector.upright`)."""
    edge = int(c.p.upright_edge_s * c.rate)
    return not c.p.upright(c.m, max(0, c.a.onset - edge), c.b.offset + edge)


def turned(c: Candidate) -> bool:
    """A shift made by the pelvis turning about a foot or a hip, no weight shift (issue 14:
    `stance_turns.turned_move`): a pivot 5-15 cm off the pelvis' centre moves it 1.7-5 cm in a
    20 deg turn, and a look round of 20 deg in quiet standing moved it 2.7 cm, a "shift back"
    paired with a sway move seconds before (bench seed 67224). A gate on the edge path (nothing to
    pair); a drop on the velocity path (its moves stay taken)."""
    return c.turned


def not_stood_level(c: Candidate) -> bool:
    """No level standing on both feet for min_standing_s just before the shift in and after the
    shift back (`stance_roll.stood_level`): lying on a side or slumped sitting rolls the pelvis
    10-90 deg; a jerk and its return, the pelvis settling after getting up, or the data opening
    mid-move have no standing to compare with."""
    return not stood_level(c.p, c.m, (c.a, c.size_a), (c.b, c.size_b), c.s.moves)


def no_support(c: Candidate) -> bool:
    """The weight moved, but no foot left the floor: the single-support votes (each 0-1:
    `single_support.SupportCues.votes`) sum under min_support (1). Sway: the hold's roll-rate or
    sideways sway over the standing's around it, vote 0 at 1.1x and 1 at 1.6x (a weight shift on
    both feet stays about level with standing, one leg reaches 1.5-10x); foot-off and foot-down:
    a vertical jolt (3.5-6x twice the hold's RMS; a foot taking or giving weight jolts the pelvis by
    0.03-0.15 g) or, at foot-off, a roll-rate tip."""
    return support_votes(c.votes) < c.p.min_support


def moved_on_inside(c: Candidate) -> bool:
    """The pelvis moved on inside the hold window, not one hold: a move there of steady_ratio (0.8)
    of the shift in's size (`stance_roll.moved_inside`), unless the foot stayed up, by a full sway
    vote or the roll (`stance_roll.moved_on`: on one leg the pelvis wanders and comes back)."""
    return moved_inside(c.p, (c.a, c.size_a), c.win, c.s.moves) and moved_on(c)


def off_level(c: Candidate) -> bool:
    """The pelvis held over max_hold_level_deg (20 deg) off level over the hold window: a posture
    (lying, slumped), not a hold (drops and hikes on one leg reach 5-15 deg)."""
    return abs(c.held_deg) > c.p.max_hold_level_deg


def two_levels(c: Candidate) -> bool:
    """Two holds taken for one, or a wander taken for the shift back (`stance_roll.one_level`): the
    roll level (1 s medians) moves by over max_level_change_deg (7 deg) with standing on both feet
    inside the window (a move there the pairing would take for a shift:
    `stance_roll.moved_as_shift`; the sway down to standing's, no stretch on one foot holding the
    window; or the roll back at the standing's level, `stance_roll.BACK_TO_STANDING`), or the roll
    after the shift back not halfway back."""
    stood = moved_as_shift(c) or not within_one_stretch(c.s.ones, *c.win)
    return not one_level(c, stood)


def lift_drift(c: Candidate) -> bool:
    """Velocity path: the shift in is the velocity's drift correction around the foot lift, not a
    weight shift (`stance_roll.anchored_lift`: a hump toward the free side that overruns a slow or
    small shift), and the hold would go to the wrong leg. It turns down the shift in with every
    shift back: better no hold than one on the wrong leg."""
    return anchored_lift(c)


def only_foot_off(c: Candidate) -> bool:
    """Velocity hold: its only sign of a foot up is a foot-off vote from the roll's tip. Its sway and
    foot-down votes are both under EDGE_VOTE, and the foot-off jolt's vote (`SupportCues.lift_vote`)
    too. The jolt or tip where a shift stops comes with shifting the weight on both feet too (the
    shift's stop, the unloaded hip hanging: section 7's weight-shift scene, seeds 67200-67239, 8
    false holds so, sway 0.2-0.6x the standing's, jolt ratios 1.9-4.3); a foot that left sways the
    pelvis on one leg or lands (the larger of those two votes 0.87-1 in every hold found of physics
    seeds 0 and 1 and `test_movement_strategies.py`), or left with a jolt (section 7's quiet landing,
    landing_mm 0: sway 1.0-1.2x standing's, no landing vote, a lift jolt 18x the hold's)."""
    votes = c.support
    return max(votes["sway"], votes["foot_down"]) < EDGE_VOTE and c.jolt < EDGE_VOTE


def stepped_unseen(c: Candidate) -> bool:
    """Velocity hold: the pelvis moved between its shifts (`stance_roll.moved_between`, the foot lift
    and put-down included) and no jolt of the foot nor the roll's level says the foot left the floor
    (`stance_roll.moved_unseen`, with its figures): shifting the weight from foot to foot on both
    feet, or stepping about (a step aside paired with a later step's move back)."""
    return moved_between(c.p, (c.a, c.size_a), c.b, c.s.moves) and moved_unseen(c)


def sway_unseen_roll(c: Candidate) -> bool:
    """Velocity hold whose foot was not seen clearly leaving or landing (foot votes under
    `stance_roll.FOOT_CLEAR_VOTE`): the roll alone does not sway as on one leg, in rate and amplitude
    (`stance_roll.sway_unseen`: section 7's weight-shift scene), or, where it does, no second sign of
    one leg, sideways corrections or a long hold (`stance_corroboration`: its turning and fidgeting
    scenes); the figures are those modules'."""
    return sway_unseen(c)


# The gates both paths ask, in this order, after their own first ones: a hold stands level on both
# feet around it, a foot leaves the floor, the pelvis stays put at one level.
UPRIGHT = Check("upright", not_upright)
HOLD_GATES: tuple[Check, ...] = (
    Check("stood_level", not_stood_level),
    Check("support_vote", no_support),
    Check("moved_on", moved_on_inside),
    Check("hold_level", off_level),
    Check("one_level", two_levels),
)
# The edge path's candidates: each stretch on one foot's fitted pairs, the first that passes is its hold.
EDGE_GATES: tuple[Check, ...] = (Check("shift_pair", no_shift_pair), UPRIGHT, Check("turned_move", turned),
                                 *HOLD_GATES)
# The velocity path's candidates. anchored_lift is last: it turns down the shift in for good, so
# only a shift in whose hold passed every other gate is judged by it.
VELOCITY_GATES: tuple[Check, ...] = (UPRIGHT, *HOLD_GATES, Check("anchored_lift", lift_drift, whole_shift=True))
# The velocity path's holds whose foot was not seen off the floor (or whose shifts were a turn's):
# paired as holds, then dropped. The edge path's holds are found where the sway says one foot, from
# the foot's jolts or the sway's rise: these were measured on, and are asked of, the velocity path's.
VELOCITY_DROPS: tuple[Check, ...] = (
    Check("turned_move", turned),
    Check("only_foot_off", only_foot_off),
    Check("moved_unseen", stepped_unseen),
    Check("sway_unseen", sway_unseen_roll),
)
# A hold joined from two split ones (`stance_merge.join_split_holds`) one of which was dropped: the
# other's foot-off or foot-down is no evidence for the part whose foot was not seen up (physics
# seed 0 case 11 had a 53 s "hold" so).
JOINED_UNSEEN = "joined_unseen"


def first_rejecting(c: Candidate, checks: tuple[Check, ...]) -> Check | None:
    """The first of `checks` (in order) that rejects candidate c, or None when it passes them all."""
    return next((k for k in checks if k.rejects(c)), None)


def hold_rep(c: Candidate) -> RepWindow:
    """The hold of a candidate that passed its gates: foot-off to foot-down ([start, end) samples),
    the stance leg the shift in's way, its drop (or hike, negative) over the hold window, robust
    (`base.measure_drop_or_hike`), and metrics hold_s (s), sway_deg (detrended roll SD, deg) and
    support (the votes to 2 places)."""
    _, off, down = c.vote
    stance = LEFT if c.a.sign > 0 else RIGHT
    roll0, win = c.m.roll_deg, c.win
    sway = detrended_sd(roll0[win[0] : win[1]])
    drop = measure_drop_or_hike(roll0, win, other_side(stance), robust=True)
    return RepWindow(off, down, stance, win, other_side(stance), robust=True, drop_deg=drop, metrics={
        "hold_s": round((down - off) / c.rate, 2), "sway_deg": round(sway, 2), "support": dict(c.support)})
