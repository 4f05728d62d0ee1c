"""Walking: one rep per step, side = stance leg, drop = peak drop of the swing side.

Works on any stretch of walking in a longer recording (daily life), not only after quiet standing.

Steps: each initial contact is a peak of the pelvis' upward acceleration in the world frame (the
body is lowest and decelerating its fall at heel strike); projecting on the fused up-vector keeps
contacts full-size when the pelvis is pitched (a bent-forward walk, a neutral taken seated). Turns
rotate the pelvis about the vertical and do not touch it, so they neither add nor hide contacts.
Contacts near a fast pitch rotation (sitting down, standing up, bending) are dropped, but for a
walk's last contact before one (`exercises.walking_posture`). Gait bouts are found from the
contacts themselves (`exercises.walking_bouts`); standing, sitting and fidgets give isolated
bumps, so no reps. A long step whose lateral sway swings both ways holds a contact with no upward
peak (`exercises.walking_sway_steps`). Steps turning on the spot: `exercises.walking_spot_turns`.

Stance side (`exercises.walking_side`): several independent cues per step (lateral sway, the
roll of loading response, the pelvis' rotation), weighted by how well each agrees with the others,
and a two-state chain over the bout's steps that lets the parity shift only where a turn, a pause
or an irregular step makes a repeated foot plausible. Each step carries `side_confidence` (the
posterior of its side); the scoring flags `side_uncertain` below the threshold.

Edges: a walk starts with a swing (single support on the other foot, ending at the first contact)
and ends with one (the trailing foot closing up after the last contact, once the double support is
over); both are reps too (`edge`: "initiation" / "termination" in the metrics) when the pelvis
shows them (`exercises.walking_edges`). A walk brakes into its stop: a soft last contact in rhythm
is a step.

Drop: the swing side's peak excursion below neutral in the step, signed (a hip hike: negative).
Accuracy: docs/analysis.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from operator import eq

import numpy as np

from hiplevel._native import round_function
from hiplevel.constants import LEFT, RIGHT
from hiplevel.exercises import walking_bouts, walking_sway_steps
from hiplevel.exercises.base import Motion, RepWindow, ShortRun
from hiplevel.exercises.walking_drops import bout_neutral, window_extremes
from hiplevel.exercises.walking_edges import BoutEdges, BoutFigures
from hiplevel.exercises.walking_motion import active_window, contact_peaks, contacts_from_roll, motion_window, tilt_rates_dps, tilt_span_deg, vertical_acc_g
from hiplevel.exercises.walking_posture import slow_tilt_contacts, tilt_rate_vs
from hiplevel.exercises.walking_posture_change import PostureChanges, without_posture_changes
from hiplevel.exercises.walking_side import StanceSideDecider
from hiplevel.exercises.walking_splits import closing_past
from hiplevel.exercises.walking_spot_turns import LYING_REACH_S, SpotTurnSteps, smooth_lateral_g, spot_rep
from hiplevel.exercises.walking_turns import missed_step_sides, missed_steps, run_turns_deg, split_step_reps
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import max_near, moving_mean, zero_phase_lowpass

_round = round_function()  # round(x, places) for each step's numbers, compiled when built: the same floats
_OTHER = {LEFT: RIGHT, RIGHT: LEFT}  # `other_side` of a decided side (a lookup a rep, not a call)


@dataclass(frozen=True)
class WalkingDraft:
    """`WalkingDetector.prepare`'s result: per bout, its first contact (sample index), raw
    stance-side cues, step-repeat probabilities (`StanceSideDecider.repeat_probs`), neutral
    (`bout_neutral`), reps without their sides (`WalkingDetector._bout_reps`, with the roll's
    highest and lowest value in the rep, deg) and how far each pair of consecutive steps turns
    the pelvis (`walking_turns.pair_turns_deg`, deg), and the long turning steps that hold a missed
    contact, each as the two reps it would split into (`WalkingDetector._missed_steps`); and the
    steps on the spot away from the bouts (`walking_spot_turns`), each as (a, b, stance, the roll's
    highest and lowest value in it)."""

    firsts: list[int]
    cues: list[dict[str, np.ndarray]]
    repeat: list[np.ndarray]
    neutrals: list[dict]
    reps: list[list[tuple]]
    turns: list[np.ndarray]
    missed: list[dict[int, tuple[tuple, tuple]]]
    spots: list[tuple] = ()


@dataclass(frozen=True)
class WalkingDetector(BoutEdges):
    """Parameters (units in the names), each documented in the module whose rule it tunes:

    - contacts (`walking_motion`): contact_min_g, baseline_s, smooth_hz, min_step_s, contact_lead_s,
      first_peak_fraction;
    - contacts near a posture change (`walking_posture`): max_tilt_rate_dps, max_tilt_change_deg,
      max_tilt_deg;
    - bouts (`walking_bouts`): max_step_s, min_bout_steps, short_bout_steps, max_median_step_s,
      edge_min_fraction, end_min_fraction;
    - a weak bump splitting one step (`walking_splits`): split_bump_fraction;
    - a short bout's missed contact (`walking_gaps`): missed_step_ratio, missed_contact_fraction;
    - steps split, or missed, in a turn (`walking_turns`): split_step_ratio, split_turn_deg;
    - edge swings (`walking_edges`): edge_swing_fraction, initiation_rep_fraction, edge_motion_g,
      double_support_fraction, termination_motion_ratio, termination_roll_ratio, closing_sway_ratio,
      initiation_shift_ratio, lift_off_step_ratio, soft_start_motion_ratio, edge_sway_ratio,
      edge_full_motion_ratio;
    - posture: contacts inside a slow posture change (sitting or lying down, getting up) split the
      bout (`walking_posture_change.PostureChanges`; change_deg 0 disables);
    - side: the stance-side decider, its cues, weights and step chain (`walking_side.StanceSideDecider`);
    - spot: steps turning on the spot away from the bouts, from the sway, the landing and the turn
      (`walking_spot_turns.SpotTurnSteps`; run_turn_deg 0 disables)."""

    contact_min_g: float = 0.035
    baseline_s: float = 2.0
    min_step_s: float = 0.3
    max_step_s: float = 2.2
    min_bout_steps: int = 3
    short_bout_steps: int = 5
    edge_min_fraction: float = 0.4
    smooth_hz: float = 4.0
    max_tilt_rate_dps: float = 80.0
    max_tilt_change_deg: float = 0.0
    max_median_step_s: float = 1.4
    max_tilt_deg: float = 50.0
    edge_swing_fraction: float = 0.75
    initiation_rep_fraction: float = 0.6
    edge_motion_g: float = 0.02
    end_min_fraction: float = 0.1
    double_support_fraction: float = 0.25
    termination_motion_ratio: float = 0.25
    termination_roll_ratio: float = 0.14
    closing_sway_ratio: float = 0.65
    contact_lead_s: float = 0.04
    first_peak_fraction: float = 0.5
    initiation_shift_ratio: float = 0.1
    lift_off_step_ratio: float = 0.85
    soft_start_motion_ratio: float = 0.25
    split_step_ratio: float = 0.8
    split_turn_deg: float = 90.0
    missed_step_ratio: float = 2.5
    missed_contact_fraction: float = 0.5
    split_bump_fraction: float = 0.2
    edge_sway_ratio: float = 0.5
    edge_full_motion_ratio: float = 0.6
    side: StanceSideDecider = StanceSideDecider()
    spot: SpotTurnSteps = SpotTurnSteps()
    posture: PostureChanges = PostureChanges()

    @property
    def short_run(self) -> ShortRun:
        """Short bouts and their edge swings, which lying down after them undoes
        (`walking_bouts.posture_change`)."""
        return ShortRun(self.short_bout_steps + 2, self.max_step_s, LYING_REACH_S)

    def contacts(self, m: Motion) -> np.ndarray:
        """Sample indices of candidate initial contacts."""
        return self._contacts(m)[0]

    def _contacts(self, m: Motion) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Candidate contacts, their heights, g, and the up-vectors (N,3) (both None for a roll stream)."""
        if m.acc_lin_g is None:
            return contacts_from_roll(m, self.smooth_hz), None, None
        up = m.up  # here and for the tilt below
        av = self._upward_g(m, up)
        peaks = contact_peaks(av, self.contact_min_g, max(1, int(self.min_step_s * m.rate_hz)), self.first_peak_fraction)
        half, lead = max(1, int(0.3 * m.rate_hz)), int(round(self.contact_lead_s * m.rate_hz))
        rates = None  # the low-passed roll and pitch rates, made once for both tilt tests
        if self.max_tilt_rate_dps > 0 and m.gyro_dps is not None and len(peaks):
            # Posture changes tilt the pelvis fast; walking rocks it gently (a walk's last contact
            # right before one is kept: `walking_posture`).
            rates = tilt_rates_dps(m)
            peaks = slow_tilt_contacts(peaks, tilt_rate_vs(rates, self.max_tilt_rate_dps), m.rate_hz, self.max_tilt_rate_dps,
                                       lead, self.side.irregular_ratio, self.max_median_step_s)
        if self.max_tilt_change_deg > 0 and len(peaks):
            # ... and it rocks it over a few degrees only: a posture change swings it far, however
            # slowly (a sit-to-stand at 40-60 deg/s still carries the pitch through 25-40 deg).
            peaks = peaks[tilt_span_deg(m, peaks, rates=rates) <= self.max_tilt_change_deg]
        if self.max_tilt_deg > 0 and len(peaks):
            # Walking is upright: lying down (turning over in bed) gives impacts too.
            # The tilt falls as up_z rises: its maximum near a peak is that of the lowest up_z there.
            peaks = peaks[np.degrees(np.arccos(np.clip(-max_near(-up[:, 2], peaks, half), -1.0, 1.0))) <= self.max_tilt_deg]
        heights = av[peaks]
        # A lead of a few samples keeps the order of contacts (they are >= min_step_s apart).
        return np.maximum(peaks - lead, 0), heights, up

    def _upward_g(self, m: Motion, up: np.ndarray | None = None) -> np.ndarray:
        """The signal contacts are peaks of: the upward acceleration, g, less its baseline_s
        moving mean, low-passed at smooth_hz."""
        av = vertical_acc_g(m, up)
        if self.baseline_s > 0:
            av = av - moving_mean(av, max(1, int(self.baseline_s * m.rate_hz)))
        return zero_phase_lowpass(av, self.smooth_hz, m.rate_hz)

    def bouts(self, contacts: np.ndarray, rate_hz: float, heights: np.ndarray | None = None, m: Motion | None = None,
              soft: set[int] | None = None, changes: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """`walking_bouts.bouts` with this detector's parameters."""
        return walking_bouts.bouts(self, contacts, rate_hz, heights, m, soft, changes)

    def bout_cues(self, m: Motion, with_cues: bool = True) -> tuple[list[np.ndarray], list[dict[str, np.ndarray]] | None,
                                                                   set[int], list[np.ndarray]]:
        """The walking bouts (contacts, with those only the sway shows: `walking_sway_steps`), their
        raw side cues (None unless with_cues), the soft first contacts (`_soft_start`) and the posture
        changes' stepping (`walking_bouts.posture_change`)."""
        idx, heights, up = self._contacts(m)
        soft: set[int] = set()
        changes: list[np.ndarray] = []
        bouts = self.bouts(idx, m.rate_hz, heights, m, soft, changes)
        if self.posture.change_deg > 0 and m.acc_lin_g is not None and bouts:
            bouts = without_posture_changes(self, m, bouts, idx, heights, up, changes)
        bouts = walking_sway_steps.with_sway_contacts(self, m, bouts)
        return bouts, [self.side.cues(m, c) for c in bouts] if with_cues else None, soft, changes

    def detect(self, m: Motion, bout_cues: tuple | None = None, neutral_of=None) -> list[RepWindow]:
        """Steps of every walking bout in the set, with its edge swings; bout_cues: `bout_cues(m)` if
        found; neutral_of: as `prepare`'s."""
        return self.finish(self.prepare(m, bout_cues, neutral_of=neutral_of))

    def prepare(self, m: Motion, bout_cues: tuple | None = None, keep: tuple[int, int] | None = None,
                neutral_of=None) -> WalkingDraft:
        """All of `detect` that does not depend on how the stance-side cues are weighed, kept without
        the motion (a few numbers a step): a chunked set prepares every chunk, weighs the cues of all
        of them, then `finish`es each (`analysis.chunked`). keep: samples (a, b), the bouts whose reps
        may start there only (the chunk's own). neutral_of(m, contacts): each bout's neutral
        (None: `bout_neutral`; the live analyser's keeps what a moving window has lost,
        `streaming.bout_neutrals`)."""
        bouts, cues, soft, changes = self.bout_cues(m, with_cues=False) if bout_cues is None else bout_cues
        yaw = m.gyro_dps[:, 2] if m.gyro_dps is not None else np.zeros(len(m.t_s))
        sway = None if m.acc_lin_g is None else smooth_lateral_g(m.acc_lin_g[:, 1], m.rate_hz)  # spots' and edges'
        spots = [] if sway is None else self.spot.steps(sway, lambda: self._upward_g(m), yaw, m.rate_hz,
                                                               bouts + changes, m.roll_deg, m.pitch_deg, self.max_tilt_deg)
        bouts, cues = walking_bouts.reps_may_start_in(self, bouts, cues, keep)
        cues = [self.side.cues(m, c) for c in bouts] if cues is None else cues  # those of the bouts kept only
        neutrals = [(neutral_of or bout_neutral)(m, c) for c in bouts]
        reps = [self._bout_reps(m, c, int(c[0]) in soft, sway) for c in bouts]
        turns = [run_turns_deg(yaw, c, m.rate_hz, (2, 1)) for c in bouts]
        missed = [self._missed_steps(m, c, single) for c, (_, single) in zip(bouts, turns)]
        halves = [[h for pair in bout.values() for h in pair] for bout in missed]
        flat = [r for bout in reps + halves + [spots] for r in bout]
        # Every rep's roll extremes from one pass over the roll (per-step numpy calls were the cost).
        hi, lo = window_extremes(m.roll_deg, [r[0] for r in flat], [r[1] for r in flat])
        ext = iter(zip(hi, lo))  # in flat's order
        for bout in reps:
            bout[:] = [(*r, *next(ext)) for r in bout]
        for bout in missed:
            for j, (h0, h1) in bout.items():
                bout[j] = ((*h0, *next(ext)), (*h1, *next(ext)))
        spots = [(*s, *next(ext)) for s in spots]
        return WalkingDraft([int(c[0]) for c in bouts], cues, [self.side.repeat_probs(m, c) for c in bouts], neutrals, reps,
                            [pair for pair, _ in turns], missed, spots)

    def finish(self, draft: WalkingDraft) -> list[RepWindow]:
        """The rep windows of a `prepare`d motion: the cues weighed (`side.cue_weights`), each
        bout's sides decided, each rep's drop measured on the side its stance leaves unsupported."""
        out = [spot_rep(*s) for s in draft.spots]
        if not draft.cues:
            return out
        scale, weight = self.side.cue_weights(draft.cues)
        # Every bout's sides in one pass of numpy calls (a pass a bout cost ~90 us of Python and numpy).
        all_decided = self.side.decide_bouts(self.side.combine_bouts(draft.cues, scale, weight), draft.repeat)
        for decided, neutral, reps, turns, missed in zip(all_decided, draft.neutrals, draft.reps, draft.turns, draft.missed):
            sides, conf, confs = decided.sides, decided.confidence, decided.confidence.tolist()  # confs: as floats
            bout_conf, conf3 = _round(float(median(conf)), 3), [_round(x, 3) for x in confs]
            # Each step's drop is against its bout's neutral when it has one (`analysis.window_drop_deg`).
            offset = float(neutral["bout_neutral_deg"]) if neutral.get("bout_neutral_s") is not None else 0.0
            two = missed_step_sides(sides, sorted(missed))
            steps = [r for r in reps if not r[3]]
            # A step split in two pairs with no neighbour (its own object as its side: equal to none).
            step_sides = [object() if r[2] in two else sides[r[2]] for r in steps]
            split = set()  # (only two steps in a row on one side can be a split step's halves: most bouts have none)
            if any(map(eq, step_sides, step_sides[1:])):
                split = {id(steps[j]) for j in split_step_reps([r[4] for r in steps], step_sides,
                                                               [confs[r[2]] for r in steps], turns, self.split_step_ratio,
                                                               self.split_turn_deg)}
            # A dropped half is no step, so its contact is no contact: the step before it closes at its end.
            dropped = {r[5]: r[6] for r in steps if id(r) in split and r[5] is not None} if split else {}
            # (rep, its stance side): an edge but the closing swing stands on the foot its step does not.
            if not two and not split:  # (most bouts: one comprehension)
                each = [(r, _OTHER[sides[r[2]]] if r[3] and r[3] != "closing" else sides[r[2]]) for r in reps]
            else:
                each = []
                for r in reps:
                    if r[3] or r[2] not in two:
                        if id(r) not in split:  # (a split step's weaker half is no rep)
                            each.append((r, _OTHER[sides[r[2]]] if r[3] and r[3] != "closing" else sides[r[2]]))
                    elif id(r) not in split:
                        each += zip(missed[r[2]], two[r[2]])
            # The metrics every rep of the bout shares, first in each rep's (copied: no merge a rep).
            shared = {"step_s": None, "side_confidence": None, "bout_side_confidence": bout_conf, **neutral}
            for (a, b, k, edge, step_s, contact_s, closing_s, hi, lo), stance in each:
                metrics = shared.copy()
                metrics["step_s"], metrics["side_confidence"] = step_s, conf3[k]
                if contact_s is not None:
                    metrics["contact_s"] = contact_s
                if dropped:  # (most bouts drop no rep)
                    closing_s = closing_past(closing_s, dropped)
                if closing_s is not None:
                    metrics["closing_contact_s"] = closing_s
                if edge:
                    metrics["edge"] = edge
                low = _OTHER[stance]
                # `_signed_drop_of_extremes(hi, lo, offset, low)` written out (a call a rep: ~5,000 an hour).
                if hi is None:
                    drop = 0.0
                else:
                    hi, lo = hi - offset, lo - offset
                    if low == "left":
                        down, up = -lo, hi
                    else:
                        down, up = hi, -lo
                    drop = down if down >= up else -up
                out.append(RepWindow(a, b, stance, (a, b), low, False, metrics, drop))  # positional: faster
        return sorted(out, key=lambda w: w.start) if draft.spots else out

    def _missed_steps(self, m: Motion, c: np.ndarray, step_turns_deg: np.ndarray) -> dict[int, tuple[tuple, tuple]]:
        """`walking_turns.missed_steps` with this detector's parameters (step_turns_deg: its single
        steps' turns)."""
        if self.split_step_ratio <= 0 or self.missed_contact_fraction <= 0 or m.acc_lin_g is None:
            return {}
        return missed_steps(m.t_s, m.rate_hz, c, step_turns_deg,
                            lambda a, b: self.step_upward_g(m, a, b), self.side.irregular_ratio,
                            self.missed_step_ratio, self.split_turn_deg, self.missed_contact_fraction * self.contact_min_g)

    def step_upward_g(self, m: Motion, a: int, b: int) -> np.ndarray:
        """The upward signal (`_upward_g`, g) over one step, from contact a to contact b (sample
        indices), shifted by contact_lead_s to where its contacts' peaks lie; computed over the step
        and baseline_s either side, so the baseline and filter settle before it (a missed contact
        is looked for there: `walking_bouts.missed_contact`, `walking_turns.missed_steps`)."""
        pad = int(self.baseline_s * m.rate_hz)
        lo, hi = max(0, a - pad), min(len(m.t_s), b + pad)
        lead = int(round(self.contact_lead_s * m.rate_hz))  # contacts lie lead before their peaks
        return self._upward_g(motion_window(m, lo, hi))[a + lead - lo : b + lead - lo]

    def _bout_reps(self, m: Motion, c: np.ndarray, soft_start: bool = False, sway: np.ndarray | None = None) -> list[tuple]:
        """One bout's reps: a step from each contact to the next (a step longer than irregular_ratio
        median steps holds a pause or a pivot: it keeps the median step where the pelvis moves most),
        and the edge swings where the pelvis moves. Metrics: `contact_s`, the initial contact that
        starts the rep's stance (none for the initiation swing), and `closing_contact_s`, the other
        foot's contact that ends a step (or the termination swing), s; `side_confidence`; `edge`. Each
        rep as (a, b, its step's index in the bout, edge, step_s, contact_s, closing_contact_s):
        `finish` gives it its side. soft_start: the bout resumes a walk from motion at a soft first
        contact (`_soft_start`): the swing before it is no gait initiation from standing, and no rep.
        sway: the motion's `smooth_lateral_g` when at hand (the edges' `_sways_away`)."""
        d = np.diff(c)  # the steps' lengths, samples
        lengths = d.tolist()
        med = _int_median(lengths)
        t_c = m.t_s[c].tolist()  # the contacts' times, s

        def rep(a: int, b: int, k: int, contact: int | None, edge: str | None = None,
                closing: int | None = None) -> tuple:
            """contact, closing: positions in c."""
            return (a, b, k, edge, _round((b - a) / m.rate_hz, 3),
                    None if contact is None else _round(t_c[contact], 3),
                    None if closing is None else _round(t_c[closing], 3))

        out: list[tuple] = []
        a0 = int(c[0]) - int(round(self.edge_swing_fraction * med))
        single = BoutFigures(motion_sway=sway)  # found once for both edges
        if not soft_start and self._initiates(m, a0, c, med, single):
            out.append(rep(int(c[0]) - int(round(self.initiation_rep_fraction * med)), int(c[0]), 0, None, "initiation"))
        # The steps' tuples as `rep` makes them, ~5,000 an hour, without a Python loop a step: each
        # contact's time rounded once (a contact opens its step and closes the one before), each
        # distinct step length's seconds once.
        cl, rate, long_step = c.tolist(), m.rate_hz, int(round(self.side.irregular_ratio * med))
        step_s = {n: _round(n / rate, 3) for n in set(lengths)}
        t_r = list(map(_round, t_c, repeat(3)))
        steps = list(zip(cl, cl[1:], range(len(cl) - 1), repeat(None), map(step_s.__getitem__, lengths), t_r, t_r[1:]))
        for k in np.flatnonzero(d > long_step).tolist():  # (most bouts: none)
            # A long step holds a pause (double support, or a pivot in a turn) before or after
            # its single support: the rep is the median step where the pelvis moves most.
            w0 = active_window(m, cl[k], cl[k + 1], med)
            steps[k] = rep(w0, w0 + med, k, k, closing=k + 1)
        out += steps
        b1 = int(c[-1]) + med
        a1 = int(c[-1]) + int(round(self.double_support_fraction * med))
        if self._terminates(m, a1, b1, c, med, single):
            # The swing ends where the trailing foot lands beside the other: that foot's contact
            # closes the walk (mobgap-lowback: the INDIP lists it where its bout takes it in).
            end = rep(a1, b1, len(c) - 2, len(c) - 1, "termination")
            out.append((*end[:6], _round(float(m.t_s[b1]), 3)))
            if (two := self._closing_after(m, b1, c, med, single)) is not None:
                out.append(rep(*two, len(c) - 2, None, "closing"))
        return out


def _int_median(x: list[int]) -> int:
    """`int(median(x))` of Python ints (a bout's step lengths, samples: far under 2^52) by a sort of
    the list: numpy's median is the middle value, or the mean of the two middle ones (exact in
    float64 here), truncated toward zero as `int` does. (~50 k instructions a bout in numpy.)"""
    s = sorted(x)
    h = len(s) // 2
    if len(s) % 2:
        return s[h]
    t = s[h - 1] + s[h]
    return t // 2 if t >= 0 else -(-t // 2)

