"""The roll evidence of a single-leg hold (`single_leg_stance.SingleLegStanceDetector`): level
standing on both feet around it (`stood_level`), the foot staying up through it (`stays_up`; the
pelvis moving on inside it unless it did, `moved_inside`, `moved_on`; between its shifts with no
jolt of the foot, `moved_between`, `moved_unseen`), the single-leg sway in the
roll where no foot was seen clearly leaving or landing (`sway_unseen`), one
roll level through it that comes back with the shift back (`one_level`), and the foot lift's drift
taken for a weight shift (`anchored_lift`). Each takes the candidate hold (`stance_candidate.Candidate`:
the readings several share are its, computed once), or the detector (p) for its parameters; the
chain that asks them, in order, is `stance_checks`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hiplevel.exercises.base import Hump, Motion
from hiplevel.exercises.single_support import geometric_mean, over_standing, ramp_vote
from hiplevel.exercises.stance_corroboration import one_leg_corroborated
from hiplevel.signal.exact_median import median, percentile

if TYPE_CHECKING:
    from hiplevel.exercises.single_leg_stance import SingleLegStanceDetector
    from hiplevel.exercises.stance_candidate import Candidate

# The roll back within this fraction of the way from the standing's level to the hold's is
# standing on both feet inside the hold (`one_level`). Measured on the simulator's robustness sets
# (12 seeds): windows of two holds with the standing between come back to 0.11 of the way or
# closer; one hold whose sway SD is 1.8-2.2 deg dips no closer than 0.24.
BACK_TO_STANDING = 0.15
# A foot-off or foot-down vote from this (as `stance_merge.EDGE_VOTE`) shows the foot left the
# floor: a jolt or a tip at a hold's edge (`moved_unseen`).
FOOT_SEEN_VOTE = 0.5
# A foot-off or foot-down vote under this (and from FOOT_SEEN_VOTE) is a weak sign of the foot: a
# turn's or a fidget's roll tip at a hold's edge gives 0.56-0.57 too (section 7's turning
# weight-shift scene, seeds 67210, 67222), so such a hold must sway in the roll as one with no foot
# seen must (`sway_unseen`). Real holds read so: physics seeds 0 and 1, weak votes 0.51-0.73, roll
# rate and amplitude 1.39x standing's and up where the hold is its own (3.3-14x in those kept).
FOOT_CLEAR_VOTE = 0.75

# The roll sway's amplitude is read over windows this long (less a straight line, one every half
# window: `roll_sway_ratio`): long enough to hold the balance sway's 0.3-1 Hz, short enough that
# the roll's drift and the hold's 3-8 s fit several.
ROLL_SWAY_WINDOW_S = 2.0


def stood_level(p: SingleLegStanceDetector, m: Motion, shift_in: tuple[Hump, float], shift_back: tuple[Hump, float],
                moves: list[tuple[Hump, float]]) -> bool:
    """Standing on both feet, level, for min_standing_s just before the shift onto the leg and
    just after the shift back ((move, size m) each): the roll's median there within
    max_level_deg of the set's neutral, and no move the other way there of at least
    steady_ratio of the shift's size (of `moves`) and no longer than max_shift_s (a slower one is
    the velocity drifting, as `pair` has it: a 1.5 deg sway SD drifts it by 18 cm over 3.3 s right
    after a shift back). A move at the very start or end of the
    data has no standing to compare with (the fusion settling as a recording opens); lying on
    a side or slumped sitting rolls the pelvis 10-90 deg; a jerk of the pelvis and its return,
    or the pelvis settling after getting up, are not a weight shift from standing."""
    n = int(p.min_standing_s * m.rate_hz)
    (h_in, size_in), (h_back, size_back) = shift_in, shift_back
    spans = ((h_in.onset - n, h_in.onset, h_in, size_in),
             (h_back.offset + 1, h_back.offset + 1 + n, h_back, size_back))
    longest = p.max_shift_s * m.rate_hz
    return all(a >= 0 and b <= len(m.roll_deg) and abs(float(median(m.roll_deg[a:b]))) <= p.max_level_deg
               and not any(h.sign != s.sign and size >= p.steady_ratio * s_size and h.offset >= a and h.onset < b
                           and h.offset - h.onset <= longest for h, size in moves)
               for a, b, s, s_size in spans)


def stays_up(c: Candidate) -> bool:
    """Whether the roll says the foot stayed off the floor through candidate c's hold window: the
    hold's roll is at least min_lift_roll_deg off the standing's just before its shift in, and no
    second of it (1 s medians) comes even halfway back. Then a move inside the hold is a balance
    wander (on one leg the pelvis wanders by 2-4 cm and back), not the pelvis moving on: that
    takes the foot down."""
    before = c.level_before_deg
    step = c.held_deg - before
    if abs(step) < c.p.min_lift_roll_deg:
        return False
    return min(np.sign(step) * (x - before) for x in c.second_medians) >= 0.5 * abs(step)


def moved_on(c: Candidate) -> bool:
    """Whether the pelvis moved on inside candidate c's hold window, given a move inside it
    (`moved_inside`; asked first: stays_up reads the roll over the whole hold, and most holds have
    no such move): unless the foot stayed up, the single-leg sway clear (its sway vote 1) or the
    roll saying so (`stays_up`); on one leg the pelvis wanders by 2-4 cm and back."""
    return not (c.votes["sway"] >= 1.0 or stays_up(c))


def moved_unseen(c: Candidate) -> bool:
    """Whether hold c (its support votes to 2 places; its foot-off jolt's vote, `SupportCues.lift_vote`)
    with a move between its shifts (`moved_between`) moved on after all: neither a jolt of the foot
    (the foot-down vote or the foot-off jolt, from FOOT_SEEN_VOTE; not the foot-off vote's roll tip,
    which a step's own roll gives) nor the roll (its median over the hold min_lift_roll_deg off the
    standing's just before its shift in) says the foot left the floor.
    Shifting the weight from foot to foot on both feet for 20 s sways 1.1-2.5x the standing around
    it (roll rate; more sideways, where the shifts themselves count), a full sway vote: the
    weight-shift scene of section 7 (seeds 67200-67239) gave 26 such holds of 6-36 s with moves of
    1-2.2x the shift in inside, foot votes 0-0.46. Stepping about (a step aside and back, again and
    again) pairs a step aside with the move back of a later one: its 14 false holds in 13 of 40
    scenes swayed a full vote on the steps' own moves, foot-down votes 0-0.24, foot-off votes up to
    1.0 from the roll tip of the step back (jolt votes 0-0.4)."""
    if max(c.support["foot_down"], c.jolt) >= FOOT_SEEN_VOTE:
        return False
    # The hip loaded: the hold's roll settles min_lift_roll_deg or more off the standing's before it
    # (the scene's unloaded hip hangs by 0-1.5 deg; physics seed 1 case 9's 14 s hold, its foot
    # votes 0 and 0.37, sits 5.2 deg off).
    return abs(c.held_deg - c.level_before_deg) < c.p.min_lift_roll_deg


def moved_between(p: SingleLegStanceDetector, shift_in: tuple[Hump, float], shift_back: Hump,
                  moves: list[tuple[Hump, float]]) -> bool:
    """Whether the pelvis moved between shift_in (move, size m) and shift_back (moves of `moves`),
    its foot lift and put-down included, as a step aside and back does: a move of steady_ratio of
    the shift's size (`moved_inside`), or a move back and one out again after it, each of
    partner_ratio of it (the pelvis came back over both feet and went out again: a step back and
    the next aside, whose sizes the velocity reads 0.7x a lead-and-trail shift's). Stepping about
    (section 7, seeds 67200-67239) pairs a step aside with a later step's move back: 9-18 cm moves
    both ways between them, the first 0.0-0.7 s after the shift in, out of `win` (the shifts'
    transition_s left out)."""
    a, size_a = shift_in
    span = (a.offset + 1, shift_back.onset)
    if moved_inside(p, shift_in, span, moves):
        return True
    least = p.partner_ratio * size_a
    back = [h for h, size in within(moves, *span) if h.sign != a.sign and size >= least]
    return bool(back) and any(h.sign == a.sign and size >= least
                              for h, size in within(moves, back[0].offset + 1, span[1]))


def within(moves: list[tuple[Hump, float]], a: int, b: int) -> list[tuple[Hump, float]]:
    """The moves ((hump, size m), time order) that lie inside samples [a, b)."""
    return [(h, size) for h, size in moves if a <= h.onset and h.offset < b]


def moved_inside(p: SingleLegStanceDetector, shift_in: tuple[Hump, float], win: tuple[int, int],
                 moves: list[tuple[Hump, float]]) -> bool:
    """Whether a move of `moves` inside the hold window `win` reaches steady_ratio of shift_in's
    size (move, size m) and half of it of its peak speed: the pelvis moved on, or wandered on one leg."""
    a, size_a = shift_in
    return any(size >= p.steady_ratio * size_a and h.height >= 0.5 * p.steady_ratio * a.height
               for h, size in within(moves, *win))


def moved_as_shift(c: Candidate) -> bool:
    """Whether a move inside candidate c's hold window is one the pairing would take for a shift back
    (the other way, partner_ratio of the shift in's size and peak speed) or a clear shift (clear_ratio
    of its size, clear_speed_ratio of its speed, either way: a shift in fitted on the wrong side has
    the holds' own shifts inside going its way): standing on both feet inside it, should its roll
    level change (`one_level`). Most balance wanders on one foot are smaller or slower (a 5 cm one
    at 0.4x the shift's speed in a hold of sway SD 2.2 deg)."""
    p, a, size_a = c.p, c.a, c.size_a
    return any((h.sign != a.sign and size >= p.partner_ratio * size_a and h.height >= p.partner_ratio * a.height)
               or (size >= p.clear_ratio * size_a and h.height >= p.clear_speed_ratio * a.height)
               for h, size in within(c.s.moves, *c.win))


def one_level(c: Candidate, stood_between: bool) -> bool:
    """Whether candidate c's hold window (between its shift in a and shift back b) is one hold: its roll
    level (1 s medians, 5th to 95th percentile) moves by at most max_level_change_deg, or more
    with no standing on both feet inside it (two holds on different legs with level standing
    between, taken for one, differ by their drops; sway and fatigue move the level by 2-5 deg, a
    sway SD of 1.5-2.2 deg, the human maximum and past it, by 6-10 deg on one foot). Standing:
    `stood_between` (the caller's cues: sway, shifts), or the roll back at the standing's level
    before a (within BACK_TO_STANDING of the way from it to the hold's level, itself at least
    min_lift_roll_deg off). And when the hold's level is that far off, the roll after b comes at
    least halfway back to it (a balance wander inside a long hold can look like the shift back,
    but the foot stays up and the pelvis keeps its drop)."""
    p, meds, before, held = c.p, c.second_medians, c.level_before_deg, c.held_deg
    lifted = abs(held - before) >= p.min_lift_roll_deg
    if lifted:
        stood_between = stood_between or min(np.sign(held - before) * (x - before) for x in meds) <= (
            BACK_TO_STANDING * abs(held - before))
    if stood_between and percentile(meds, 95) - percentile(meds, 5) > p.max_level_change_deg:
        return False
    after = c.m.roll_deg[c.b.offset + 1 : c.b.offset + 1 + max(1, int(0.5 * c.rate))]
    if not lifted or not len(after):
        return True
    return abs(float(median(after)) - held) >= 0.5 * abs(held - before)


def anchored_lift(c: Candidate) -> bool:
    """Whether candidate c's shift in a (a move of the set's) is the velocity's drift correction around
    the foot lift rather than a weight shift: the roll reaches the hold's level during a
    (max_lift_roll_ratio of the way from a's start to the median over the hold window,
    at least min_lift_roll_deg), and a starts where the pelvis was still calm (the set's calm: the
    velocity held at zero up to quiet_edge_s before it) or right after the velocity went
    the other way (in the second before a, at least lift_back_ratio of a's peak speed and
    min_speed_mps: balance corrections on one leg reach a tenth of it). Lifting the foot and
    dropping the free side by 5-10 deg leaves a few mg on the levelled sideways axis (fusion
    lag) until the next anchor, and the straight line between the anchors turns it into a
    5-8 cm hump toward the free side: a slow shift (2-3 s, 5-10 mg) whose first half passed
    the rest tests, or a small one (3 cm), is overrun by it and the hold goes to the wrong
    leg. Both cues are asked: a shift whose end merges with the lift's roll (the foot leaving
    during the shift), or a small shift right after quiet standing, is not given up on one."""
    p, m, a, v = c.p, c.m, c.a, c.s.v
    before = v[max(0, a.onset - int(m.rate_hz)) : a.onset + 1]
    back = max(p.min_speed_mps, p.lift_back_ratio * a.height)
    if not c.s.calm[a.onset] and not (len(before) and float(np.max(-a.sign * before)) >= back):
        return False
    n = max(1, int(0.1 * m.rate_hz))
    r0 = float(median(m.roll_deg[max(0, a.onset - n) : a.onset + 1]))
    r1 = float(median(m.roll_deg[a.offset : a.offset + n + 1]))
    held = c.held_deg
    return abs(held - r0) >= p.min_lift_roll_deg and (r1 - r0) / (held - r0) >= p.max_lift_roll_ratio


def roll_sway_ratio(roll: np.ndarray, win: tuple[int, int], standing: list[tuple[int, int]], rate_hz: float) -> float | None:
    """The hold's roll sway amplitude over the standing's (a ratio): the median SD of the roll (deg,
    less a straight line) in ROLL_SWAY_WINDOW_S windows over the hold window `win`, over the
    geometric mean of the same over each `standing` span ([start, end) samples) that holds one;
    None when the hold or no standing span holds one."""
    held = _window_sd(roll, win, rate_hz)
    around = [x for x in (_window_sd(roll, span, rate_hz) for span in standing) if x is not None]
    if held is None or not around:
        return None
    return held / max(geometric_mean(around, 1e-6), 1e-6)


def sway_unseen(c: Candidate) -> bool:
    """Whether hold c (its support votes to 2 places; the standing's sway around it,
    `single_support.reference_sway`) whose foot was not seen clearly leaving or landing (foot-off
    and foot-down votes under FOOT_CLEAR_VOTE) lacks the single-leg sway
    after all, read where shifting the weight on both feet does not raise it: in the roll alone (the
    sideways band holds the shifts' own acceleration), in both its rate (`Candidate.sway_rms` over
    standing's, 0.3-3 Hz) and its amplitude (`roll_sway_ratio`, the slower sway): the smaller of the two votes
    (the `SupportCues.sway_ratio` ramp) with the foot votes under min_support. On one leg the whole
    roll sway grows (1.3-10x standing's; issue 14's own case, no lift, landing or balance jolt:
    rate 1.5-3.9x, amplitude 1.9-4.0x); one reading up alone is a stretch of standing's own sway,
    whose 1 s windows vary by 2x and more, or the shifts' acceleration (section 7's weight-shift
    scene, seeds 67200-67239: six false holds of 3.6-22 s, rate 0.9-1.1x with the sideways
    acceleration 1.7-10x, or rate 1.4-2.4x with the amplitude 0.9-1.4x). With no foot seen (votes
    under FOOT_SEEN_VOTE) a window too short for one amplitude reading gives no roll evidence
    (people hold 5 s and more; the fidgets' holds last 2.4-3.2 s); with a weak foot vote
    (FOOT_SEEN_VOTE to FOOT_CLEAR_VOTE: a turn's or a fidget's tip) it is not asked, the weak vote
    being some evidence (section 7's turning weight-shift scene, 67210 and 67222: roll rate 1.04x
    and 0.83x standing's; real holds in that band 1.39x and up). A roll that passes needs a second
    sign of one leg, sideways corrections or a long hold (`stance_corroboration`): shifting the weight
    while the pelvis turns sways the roll 1.6-2.3x standing's too."""
    p, m, win, votes = c.p, c.m, c.win, c.support
    seen = max(votes["foot_off"], votes["foot_down"])
    if seen >= FOOT_CLEAR_VOTE:
        return False
    rate_ratio = over_standing(*c.sway_rms, c.ref)[0]
    amplitude = roll_sway_ratio(m.roll_deg, win, c.standing, m.rate_hz)
    ramp = p.cues.sway_ratio
    reads = [ramp_vote(rate_ratio, *ramp)]
    if amplitude is not None:
        reads.append(ramp_vote(amplitude, *ramp))
    elif seen < FOOT_SEEN_VOTE:
        # A window too short for the amplitude reading (a hold under 3.6 s, its lift and put-down
        # taken off) shows no slow sway, and with no foot seen the rate's reading alone is a fidget's
        # (section 7's fidgeting scene, 2.4-2.5 s holds: the pelvis rolls 1-3 deg with each small
        # shift, rate 1.8x standing's); with no standing around to compare with, it is not asked.
        reads.append(0.0 if win[1] - win[0] < int(ROLL_SWAY_WINDOW_S * m.rate_hz) else 1.0)
    if min(reads) + votes["foot_off"] + votes["foot_down"] < p.min_support:
        return True
    # The roll sways as on one leg: a second sign of it, not the roll's (`stance_corroboration`).
    hold_s = (win[1] - win[0]) / m.rate_hz + 2.0 * p.transition_s
    return not one_leg_corroborated(c.s.sig, c.sway_rms[1], c.standing, hold_s, m.rate_hz)


def _window_sd(roll: np.ndarray, span: tuple[int, int], rate_hz: float) -> float | None:
    """The median SD of the roll (deg, less a straight line) over ROLL_SWAY_WINDOW_S windows, one
    every half window, in samples [span[0], span[1]); None when the span is shorter than one."""
    w = max(3, int(ROLL_SWAY_WINDOW_S * rate_hz))
    a, b = max(0, span[0]), min(len(roll), span[1])
    if b - a < w:
        return None
    sds = [detrended_sd(roll[i : i + w]) for i in range(a, b - w + 1, max(1, w // 2))]
    return float(median(np.asarray(sds)))


def detrended_sd(x: np.ndarray) -> float:
    """The SD of x less its least-squares straight line (units of x); 0 for under 3 samples."""
    if len(x) <= 2:
        return 0.0
    k = np.arange(len(x))
    return float(np.std(x - np.polyval(np.polyfit(k, x, 1), k)))
