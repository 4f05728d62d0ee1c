"""Walking bouts from the contacts (`walking.WalkingDetector`): gaps split them, weak edge contacts
are trimmed (but a soft first contact of a walk resumed from motion or after a lift-off bump,
`walking_edges`, and a soft last one that keeps the rhythm), a weak bump splitting one step is no
contact (`walking_splits`), and a bout must keep one pace (a short bout whose one long step holds a
missed contact too, `walking_gaps`) and must not tilt the pelvis like a posture change when short
(`posture_change`). Each takes the detector (p) for its parameters.

The detector's bout parameters (units in the names):
- max_step_s: the longest plausible step: a longer gap between contacts ends a bout (stepping
  about a room pauses ~2 s);
- min_bout_steps: shorter sequences are not walking (a shuffle, a weight shift) but for `two_steps`;
- short_bout_steps: a bout of at most this many steps at its pace is short: every step must keep
  that pace (`keeps_pace`) and it must be no posture change's stepping (`posture_change`);
- max_median_step_s: a bout whose median step is longer is not walking (weight shifts: the
  simulator's fidgets make a bout from 1.7 s); slow daily-life walkers step in up to 1.3 s;
- edge_min_fraction: a bout's first and last contacts must reach this fraction of the bout's median
  contact (the weight shift before the first step is a small bump of its own);
- end_min_fraction: a bout's last contact is kept down to this fraction of its median contact when
  its step keeps the rhythm (lift_off_step_ratio..irregular_ratio median steps): last heel strikes
  are soft (ipol-dev: 0.12-1.1), a bump a swing after the last is a lift-off or settling (ipol-dev
  0.67, sim 0.72-0.80; real ones at 0.76-0.84 too: no margin, docs/analysis.md round 11); a soft
  first contact must reach it too (`walking_edges.soft_first_step`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hiplevel.exercises.base import Motion
from hiplevel.exercises.walking_edges import bout_sway_g, step_sways
from hiplevel.exercises.walking_gaps import holds_a_contact, one_long_step
from hiplevel.exercises.walking_splits import split_step_bumps
from hiplevel.exercises.walking_spot_turns import lies_near, tilt_range_deg
from hiplevel.signal.exact_median import median

# A walk of two steps needs every contact this many times contact_min_g (`two_steps`): weight shifts
# and a sit-down's shuffles that sway both ways land 38-39 mg in the simulator's daily life (seed 60),
# hapt-dev's unlabelled stretches 37-63 mg in such bouts; mobgap-lowback HA_002's walk 120-197 mg.
TWO_STEP_CONTACT_FACTOR = 2.0

if TYPE_CHECKING:
    from hiplevel.exercises.walking import WalkingDetector


def bouts(p: WalkingDetector, contacts: np.ndarray, rate_hz: float, heights: np.ndarray | None = None,
          m: Motion | None = None, soft: set[int] | None = None,
          changes: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """Contacts grouped into walking bouts: gaps > max_step_s split them, weak edge contacts
    (below edge_min_fraction of the bout's median height) are trimmed, and bouts of fewer
    than min_bout_steps steps or with a median step over max_median_step_s are dropped; a weak
    bump that splits one step in two is no contact (`walking_splits`).
    m: the motion, for a soft first contact of a walk resumed from motion (`_soft_start`;
    None: such contacts are trimmed too); soft: where the kept soft first contacts are added;
    changes: where the bouts found to be a posture change's stepping (`posture_change`) are added."""
    if len(contacts) == 0:
        return []
    cuts = np.flatnonzero(np.diff(contacts) > p.max_step_s * rate_hz) + 1
    h = np.ones(len(contacts)) if heights is None else np.asarray(heights, float)
    out = []
    for c, hc in zip(np.split(contacts, cuts), np.split(h, cuts)):
        floor = p.edge_min_fraction * float(median(hc))
        a, b = 0, len(c)
        while a < b and hc[a] < floor:
            if m is not None and p._soft_start(m, c[a:b], hc[a:b], floor):
                if soft is not None:
                    soft.add(int(c[a]))
                break
            # ... or out of standing after a weaker lift-off bump: a first heel strike can be soft.
            if a > 0 and p._after_lift_off(c[a - 1:b], hc[a - 1:b], floor):
                break
            a += 1
        while b > a and hc[b - 1] < floor:
            # A walk brakes into its stop: its last heel strikes are soft. A weak last contact
            # that keeps the rhythm (a step of lift_off_step_ratio..irregular_ratio median steps
            # after the one before) is still a step; one only a swing or less after the last
            # contact is the trailing foot's lift-off or the pelvis settling, as a lift-off bump
            # before a walk's first heel strike is (`soft_first_step`: the same limits).
            if b - a >= 2 and hc[b - 1] >= p.end_min_fraction * float(median(hc)):
                step = (c[b - 1] - c[b - 2]) / float(median(np.diff(c)))
                if p.lift_off_step_ratio <= step <= p.side.irregular_ratio:
                    break
            b -= 1
        whole = split_step_bumps(c[a:b], hc[a:b], p.split_bump_fraction, p.side.irregular_ratio)
        file_bout(p, keeps_pace(p, c[a:b][whole], rate_hz, m, hc[a:b][whole]), m, out, changes)
    return out


def file_bout(p: WalkingDetector, kept: np.ndarray | None, m: Motion | None, out: list[np.ndarray],
              changes: list[np.ndarray] | None) -> None:
    """A bout that `keeps_pace` (kept; None: nothing) added to out, or to changes (when given) if it is
    a posture change's stepping (`posture_change`)."""
    if kept is not None:
        if not posture_change(p, kept, m):
            out.append(kept)
        elif changes is not None:
            changes.append(kept)


def posture_change(p: WalkingDetector, c: np.ndarray, m: Motion | None) -> bool:
    """Whether a short bout (<= short_bout_steps) is the stepping of a posture change: the pelvis
    lies (`walking_spot_turns.lies_near`: tilted past max_tilt_deg from the standing pose within
    LYING_REACH_S before its first contact or after its last), and the steps either tilt it further
    than a few steps do (over its contacts, the ranges of roll and pitch combined past
    spot.max_tilt_deg, as a run of steps on the spot) or turn it as a turn on the spot does (its
    heading's range from the first contact to the last at least spot.run_turn_deg): turning to
    lie down, or getting up and turning to step off. hapt-dev's short bouts between two static
    postures: ranges 27-50 deg, lying 70-110 deg around them; e07's turn to its bed (4 steps,
    86 deg, range 18 deg) lies 3.0 s after its last contact, e03's 93 deg turn 0.7 s after
    getting up; mobgap-lowback's short daily-life walks: ranges up to 21.6 deg, turns up to 97,
    34 deg around them at most, lying 40 s away or more but for one that turns 14 deg (the belt
    taken off 0.4 s after it: a straight walk ending so is still a walk). A long bout is walking
    whatever it ends in; no motion (m None): no test."""
    if m is None or len(c) - 1 > p.short_bout_steps:
        return False
    a, b = int(c[0]), int(c[-1])
    tilts = tilt_range_deg(m.roll_deg[a : b + 1], m.pitch_deg[a : b + 1]) > p.spot.max_tilt_deg
    turns = (p.spot.run_turn_deg > 0 and m.gyro_dps is not None
             and float(np.ptp(np.cumsum(m.gyro_dps[a : b + 1, 2]))) / m.rate_hz >= p.spot.run_turn_deg)
    return (tilts or turns) and lies_nearby(p, m, a, b)


def lies_nearby(p: WalkingDetector, m: Motion, a: int, b: int) -> bool:
    """`walking_spot_turns.lies_near` with the detector's lying tilt (max_tilt_deg), before sample a
    or after b."""
    return lies_near(m.roll_deg, m.pitch_deg, a, b, m.rate_hz, p.max_tilt_deg)


def keeps_pace(p: WalkingDetector, c: np.ndarray, rate_hz: float, m: Motion | None = None,
               heights: np.ndarray | None = None) -> np.ndarray | None:
    """The bout c if it is walking: >= min_bout_steps steps, a median step <= max_median_step_s,
    and, when short (<= short_bout_steps steps within 1/irregular_ratio..irregular_ratio of the
    median: off-pace bumps do not make a few steps a long bout), every step at that pace: a few
    bumps while standing up and fidgeting come at any intervals, a few steps come at one pace
    (ipol-dev's slow turns after the walk: lift-off and heel-strike bumps, 6-7 "steps" of which
    4-5 keep the pace, gave 3-5 extra steps each; the spot-turn steps find some of them). A
    short bout whose last interval alone breaks the pace is kept without its last contact when
    the rest still passes: the feet settle after a turn on the spot (ipol_4-3: a bump 1.2 s
    after three steps 0.43-0.66 s apart hid all four swings); with the motion m, a short bout
    whose one long step holds a missed contact is kept too (`missed_contact`), and with the
    motion and the contacts' heights (g), a walk of one step fewer than min_bout_steps that shows
    each step (`two_steps`); None otherwise."""

    def pace(sub: np.ndarray, least: int = p.min_bout_steps) -> np.ndarray | None:
        steps = np.diff(sub)
        if len(steps) < least or median(steps) > p.max_median_step_s * rate_hz:
            return None
        med = float(median(steps))
        return (steps <= p.side.irregular_ratio * med) & (steps >= med / p.side.irregular_ratio)

    regular = pace(c)
    if regular is None:
        two = len(c) == p.min_bout_steps and m is not None and heights is not None
        return c if two and (r := pace(c, len(c) - 1)) is not None and r.all() and two_steps(p, m, c, heights) else None
    if int(regular.sum()) > p.short_bout_steps or regular.all():
        return c
    if regular[:-1].all() and (r := pace(c[:-1])) is not None and r.all():
        return c[:-1]
    if m is not None and missed_contact(p, m, c):
        return c
    return None


def missed_contact(p: WalkingDetector, m: Motion, c: np.ndarray) -> bool:
    """Whether a short bout's pace breaks only at one long step that holds a contact missed
    under the floor (`walking_gaps`): about two steps long and an upward-acceleration peak of
    at least missed_contact_fraction of contact_min_g in its middle."""
    if p.missed_contact_fraction <= 0 or m.acc_lin_g is None or len(c) < p.min_bout_steps + 2:
        return False
    k = one_long_step(np.diff(c), p.side.irregular_ratio, p.missed_step_ratio)
    if k is None:
        return False
    return holds_a_contact(p.step_upward_g(m, int(c[k]), int(c[k + 1])), p.missed_contact_fraction * p.contact_min_g)


def two_steps(p: WalkingDetector, m: Motion, c: np.ndarray, heights: np.ndarray) -> bool:
    """Whether a bout one step short of min_bout_steps (its contacts c, sample indices; heights,
    g) is a walk all the same: a short walk after a pause (mobgap-lowback Test11 HA_002 18.7-21.2 s:
    two steps of 1.59 and 0.92 s at 0.25 m/s). Its steps keep one pace (`keeps_pace` checks that),
    and with no rhythm to lean on three more cues must hold: every contact is firm
    (TWO_STEP_CONTACT_FACTOR x contact_min_g or more: a weight shift or the feet shuffling while
    sitting down bump the pelvis by less); each step sways the pelvis away from its stance foot, the
    two ways in turn, by spot.sway_min_g or more at its peak (a single support:
    `walking_edges.step_sways`); and the pelvis lies nowhere near (`lies_nearby`: getting into or out
    of bed). A posture change's tilt is left to `posture_change`, as for any short bout."""
    if m.acc_lin_g is None or float(np.min(heights)) < TWO_STEP_CONTACT_FACTOR * p.contact_min_g:
        return False
    if lies_nearby(p, m, int(c[0]), int(c[-1])):
        return False
    lo, sway = bout_sway_g(m, c)
    signs, peaks = step_sways(sway, np.asarray(c, dtype=np.int64) - lo)
    return bool(np.all(signs[1:] != signs[:-1]) and np.all(peaks >= p.spot.sway_min_g))



def reps_may_start_in(p: WalkingDetector, bouts_: list[np.ndarray], cues: list[dict[str, np.ndarray]] | None,
                      keep: tuple[int, int] | None) -> tuple[list[np.ndarray], list[dict[str, np.ndarray]] | None]:
    """The bouts, with their cues, whose reps may start in samples [keep[0], keep[1]) (all when keep
    is None): a chunk of a long set keeps only the reps that start in its own samples
    (`analysis.chunked`), so the bouts of its overlap with the chunks before and after it need not be
    measured. A bout's reps start between its initiation swing, initiation_rep_fraction of its median
    step before its first contact (its test reads edge_swing_fraction of it), and its termination
    swing, double_support_fraction of it after its last (`WalkingDetector._bout_reps`); the bound
    here takes the bout's longest step, and at least a whole one (two with `closing_sway_ratio`: a
    closing swing after the termination swing starts up to two median steps after the last
    contact), so it holds whatever the fractions. Each bout is measured on its own: the
    ones kept come out the same. cues None (not measured yet, `WalkingDetector.prepare`): None comes back."""
    if keep is None:
        return list(bouts_), None if cues is None else list(cues)
    reach = max(2.0 if p.closing_sway_ratio > 0 else 1.0, p.edge_swing_fraction, p.initiation_rep_fraction,
                p.double_support_fraction)
    mine = []
    for i, c in enumerate(bouts_):
        margin = int(np.ceil(reach * float(np.max(np.diff(c))))) + 1 if len(c) > 1 else 0
        if len(c) < 2 or (int(c[0]) - margin < keep[1] and int(c[-1]) + margin >= keep[0]):
            mine.append(i)
    return [bouts_[i] for i in mine], None if cues is None else [cues[i] for i in mine]
