"""Single-leg stance: one rep per hold, side = stance leg, drop = robust peak (95th percentile) drop
of the lifted side over the steady part of the hold (a rise, a hip hike, is a negative drop); also
hold duration and roll sway.

A hold is a weight shift over the stance foot (the pelvis moves 3-12 cm toward it in 0.5-2 s), the
hold, and the shift back, *and* signs that a foot left the floor (`exercises.single_support`: the
pelvis sways more on one foot, the free foot lands with a jolt, lifting it may tip the pelvis).
Shifting the weight without lifting a foot, quiet standing, bending over, sitting down or fidgeting
give no rep.

Shifts: moves are humps of the sideways pelvis velocity, integrated from the levelled acceleration
and held at zero wherever the pelvis stays put (`velocity_mps`); a move's size is its velocity
integrated over the hump. (Not re-fused as the band walk's: in a hold the fusion's quick trust in
the accelerometer keeps the tilt right, and the live analyser's buffer starts anywhere.) A shift onto the stance leg is
paired with the next opposite move of similar size at least `min_hold_s` later, before another
clear shift the same way, that makes a hold (standing level on both feet after it, a foot off the
floor in between, ...): in a long hold the pelvis may wander by 2-4 cm and back, and such a wander
is passed over for the shift back that follows. Foot-off = end of the shift in, foot-down = start
of the shift back.

The tests a candidate (a shift in and a shift back) must pass are declared, in order and each with
the false hold it turns down, in `stance_checks`: the gates, the support vote among them (a
candidate failing one is no hold, and the pairing looks on), then the velocity path's drops (its
foot not seen off the floor: the hold stays paired, then is dropped). `decide` gives each candidate
turned down with the name of the check that did (`stance_candidate.Rejected`).

Edges first: a small (2-3 cm) or slow (2-3 s) shift moves at the rest tests' own speeds, so the
velocity is held at zero through it and no move is found. Each stretch on one foot (split at the
standing between holds) is searched from its edges too (`stance_edges.edge_shifts`: foot-off and
foot-down from the jolts, or foot-off where the sway rises when the foot leaves with no jolt or
tip, the shift in and back fitted there as minimum-jerk moves of opposite
ways, on the side most of its cues give: the pair, and the displacements in and back, `stance_side`;
a hold whose cues disagree carries `side_confidence` under 1; one whose free side rises beyond any
hike is the other leg's drop, moved there in doubt: `stance_side.flip_large_hikes`); the pair, if
its mean size is a shift, goes through the same hold tests. Its hold is taken where no hold above
covers the stretch, and replaces one above that is doubtful: a hold is on one foot throughout, so one spanning two
stretches (it took the standing between) or sharing its stretch with another on its leg (one hold
split in two) is not trusted over the edges; a stretch with holds on both legs is two holds whose
standing between was not told apart, and gives no edge hold (`stance_merge`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hiplevel.constants import LEFT, STANDARD_GRAVITY_MS2
from hiplevel.exercises.base import (Hump, Motion, RepWindow, find_humps, limit_drift, quiet_mask, unmoving_mask,
                                     zero_velocity_mps)
from hiplevel.exercises.lateral_motion import gyro_levelled_g, roll_offset_g, swing_mps
from hiplevel.exercises.stance_candidate import (EDGE, VELOCITY, Candidate, Rejected, StanceDecision, StanceSet,
                                                reported)
from hiplevel.exercises.stance_checks import (EDGE_GATES, JOINED_UNSEEN, VELOCITY_DROPS, VELOCITY_GATES,
                                              first_rejecting, hold_rep)
from hiplevel.exercises.single_support import SupportCues, SupportSignals, standing_spans
from hiplevel.exercises.stance_edges import EdgeSettings, edge_shifts, stretches_on_one_foot
from hiplevel.exercises.stance_merge import (EDGE_VOTE, foot_stayed_up, join_split_holds, merge_edge_holds,
                                             rose_after_foot_off)
from hiplevel.exercises.stance_pairing import pair_moves
from hiplevel.exercises.stance_side import doubt_large_hikes, flip_large_hikes
from hiplevel.signal.exact_median import percentile
from hiplevel.signal.neutral import runs

ACC_LOWPASS_HZ = 4.0


@dataclass(frozen=True)
class SingleLegStanceDetector:
    """Parameters (units in the names).

    quiet_s / quiet_edge_s: quiet standing that holds the sideways velocity at zero (`velocity_mps`);
    tilt_hz: above this the roll that levels the sideways acceleration is the gyro's (`lateral_g`);
    max_gap_s / hp_hz: a stretch this long without quiet standing is high-passed at hp_hz;
    merge_gap_s: humps the same way with no opposite hump between and at most this far apart are
        one move (a shift's speed wobbles; the roll coming back before foot-down runs into the
        shift back);
    dip_ratio: an opposite hump next to a move, under this fraction of its peak speed, is the
        velocity settling (integration), not a move (a hump longer than max_move_s, the velocity
        drifting through a hold, settles nothing: the shift back after it is a move);
    min_speed_mps: least peak speed of a move looked at (a 3 cm shift in 2 s peaks at ~0.03 m/s);
    max_move_s: a slower move is the velocity drifting through a long hold (shifts take 0.5-2 s);
    min_shift_m: least size of the shift onto the stance leg (people: 3-12 cm; standing sway < 1 cm);
    partner_ratio: the shift back must reach this fraction of the shift-in's size and peak speed
        (the foot coming down blurs it; moves smaller than that inside the hold are sway);
    max_return_ratio: a move back more than this many times the shift-in's size takes the pelvis
        far past where it stood (it moved on: walked off, sat down), so the shift-in had no return;
    clear_ratio / clear_speed_ratio / max_shift_s: a move the same way as the shift-in, at least
        these fractions of its size and peak speed, no longer than max_shift_s (a weight shift, not
        the velocity drifting through the hold), before any partner means the shift-in was not
        onto a leg (the pelvis kept going; a hold's sway moves it by up to ~6 cm);
    min_hold_s / max_hold_s: plausible holds, from the end of the shift in to the start of the shift
        back (a 3 s hold's shift back may start 2.7 s after the shift in ends);
    transition_s: foot lift and put-down at each end of the hold, left out of the drop and sway;
    max_pitch_deg / max_yaw_rate_dps: a hold keeps the pelvis within this of its standing pitch
        (bending over and sitting tilt it 15-90 deg) and does not turn (95th percentiles), from
        upright_edge_s before the shift in to as long after the shift back;
    steady_ratio: a move inside a hold of this fraction of the shift-in's size (and half of it of
        its peak speed) means the pelvis moved on: not one hold (sway moves it by 1-3 cm), unless
        the foot stayed up (`stance_roll.moved_on`): on one leg the pelvis wanders by 2-4 cm and back;
    min_standing_s / max_level_deg: a hold starts and ends in standing on both feet: at least
        this long, level within this of the set's neutral, no move the other way (`stance_roll.stood_level`);
    max_hold_level_deg: the hold's median roll stays within this of neutral (drops and hikes on one
        leg reach 5-15 deg);
    max_level_change_deg: the hold's roll level (1 s medians) moves by at most this if there is
        standing on both feet inside it (`stance_roll.one_level`; a sway SD of 1.5-2.2 deg moves
        it by 6-10 deg on one foot);
    reference_s: the standing this long before the shift in and after the shift back is the
        person's sway on both feet; lead_in_s: read this long before a set's start (`chunked.detect_span`:
        the first shift in may come as the set starts, and a hold needs the standing before it);
    min_support: least single-support evidence (`single_support.support_votes`) of a hold;
    min_lift_roll_deg / max_lift_roll_ratio / lift_back_ratio: a shift-in that starts in calm
        standing (or just after the velocity went the other way at lift_back_ratio of its peak)
        and takes the roll this far (and this fraction of the way) to the hold's level is the foot
        lift's drift, no weight shift (`stance_roll.anchored_lift`): the hold is skipped, its side
        unknown (a wrong leg misleads more than a missed hold);
    cues: the single-support cues' thresholds."""

    quiet_s: float = 1.0
    tilt_hz: float = 0.1
    quiet_edge_s: float = 0.3
    max_gap_s: float = 20.0
    hp_hz: float = 0.05
    dip_ratio: float = 0.5
    merge_gap_s: float = 0.4
    min_speed_mps: float = 0.015
    max_move_s: float = 3.5
    min_shift_m: float = 0.015
    partner_ratio: float = 0.4
    max_return_ratio: float = 3.0
    clear_ratio: float = 1.2
    clear_speed_ratio: float = 0.8
    max_shift_s: float = 2.5
    min_hold_s: float = 2.0
    max_hold_s: float = 150.0
    transition_s: float = 0.8
    max_pitch_deg: float = 15.0
    max_yaw_rate_dps: float = 20.0
    upright_edge_s: float = 1.0
    steady_ratio: float = 0.8
    reference_s: float = 4.0
    lead_in_s: float = 5.0
    min_standing_s: float = 0.3
    max_level_deg: float = 8.0
    max_hold_level_deg: float = 20.0
    max_level_change_deg: float = 7.0
    min_support: float = 1.0
    min_lift_roll_deg: float = 3.0
    max_lift_roll_ratio: float = 0.5
    lift_back_ratio: float = 0.25
    cues: SupportCues = field(default_factory=SupportCues)

    def calm(self, m: Motion) -> np.ndarray:
        """Samples (N,) where the pelvis stays put for at least quiet_s: not inside a move
        (`base.unmoving_mask`) and slower than 3 cm/s (`base.quiet_mask`); a swaying hold fails the
        fusion's rest test but goes nowhere, so that test is not asked."""
        rate = m.rate_hz
        acc_y = self.lateral_g(m)
        anywhere = np.ones(len(acc_y), dtype=bool)
        calm = unmoving_mask(acc_y, anywhere, rate) & quiet_mask(acc_y, anywhere, rate)
        out = np.zeros(len(acc_y), dtype=bool)
        for a, b in runs(calm):
            if (b - a) / rate >= self.quiet_s:
                out[a:b] = True
        return out

    def lateral_g(self, m: Motion) -> np.ndarray:
        """The levelled sideways acceleration (N,), g, the roll carried by the gyro above tilt_hz
        (`lateral_motion.gyro_levelled_g`: a slow shift looks at rest to the fusion)."""
        if m.gyro_dps is None:
            return m.acc_lin_g[:, 1]
        return gyro_levelled_g(m.acc_lin_g[:, 1], m.roll_deg, m.gyro_dps[:, 0], m.rate_hz, self.tilt_hz)

    def velocity_mps(self, m: Motion, calm: np.ndarray | None = None,
                     shift: tuple[np.ndarray, np.ndarray] | None = None, swing: np.ndarray | None = None) -> np.ndarray:
        """Sideways pelvis velocity, m/s (+ = leftward), held at zero wherever the pelvis stays put
        for quiet_s: not inside a move (`base.unmoving_mask`; a slow 2 s shift looks still to the
        rest test) and slower than 3 cm/s (`base.quiet_mask`), less quiet_edge_s at each end (a
        slow shift starts and ends gently). Not only quiet standing: a hold sways (the rest test
        fails) but goes nowhere, and a tilt error of a few mg drifts the velocity by 0.2-0.9 m/s
        over 10 s that anchors only on both sides of it cannot remove. A stretch longer than
        max_gap_s without an anchor is high-passed (`base.limit_drift`). The acceleration is `shift_g`:
        `lateral_g` less its part that follows the roll (a 3-8 cm hump at foot-off and foot-down if
        left). calm, shift, swing: `calm(m)`, `shift_g(m, calm)`, `swing_mps(m)`, if known."""
        acc_y, anchors = self.shift_g(m, calm) if shift is None else shift
        v = zero_velocity_mps(acc_y, anchors, m.rate_hz, ACC_LOWPASS_HZ, swing_mps(m) if swing is None else swing)
        return limit_drift(v, anchors, m.rate_hz, max_gap_s=self.max_gap_s, hp_hz=self.hp_hz)

    def shift_g(self, m: Motion, calm: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The sideways acceleration a weight shift is read from (N,), g (+ = leftward):
        `lateral_g` less its part that follows the roll (`lateral_motion.roll_offset_g`), and the
        anchors (N,) bool it was fitted on: the calm runs (`calm`) less quiet_edge_s at each end."""
        acc_y = self.lateral_g(m)
        anchors = np.zeros(len(acc_y), dtype=bool)
        edge = int(self.quiet_edge_s * m.rate_hz)
        for a, b in runs(self.calm(m) if calm is None else calm):
            anchors[a + edge : b - edge] = True
        return acc_y - roll_offset_g(acc_y, m.roll_deg, anchors, m.rate_hz), anchors

    def moves(self, m: Motion, v: np.ndarray) -> list[tuple[Hump, float]]:
        """Sideways moves (velocity humps) with their size, m, in time order; an opposite hump next
        to a move and under dip_ratio of its peak speed is the velocity settling, not a move. Only
        moves count as neighbours: a hump longer than max_move_s is the velocity drifting (a hold
        with strong balance corrections has no anchor), and the shift back that ends it is no dip."""
        rate = m.rate_hz
        humps: list[Hump] = []
        for h in find_humps(v, rate, self.min_speed_mps, 0.3, rise_frac=0.2):
            if humps and humps[-1].sign == h.sign and h.onset - humps[-1].offset <= self.merge_gap_s * rate:
                g = humps[-1]
                if (h.offset - g.onset > self.max_move_s * rate and g.height >= h.height
                        and g.offset - g.onset <= self.max_shift_s * rate):
                    # A shift, then the velocity drifting on the same way through the hold (no
                    # anchor there): the shift alone is the move (merged, both would be dropped
                    # as too slow for a shift).
                    continue
                # Two peaks of one move, no move the other way between (it wobbled, or the roll
                # coming back as the foot goes down ran into the shift back): one move.
                humps.pop()
                top = g if g.height >= h.height else h
                h = Hump(h.sign, top.peak, top.height, min(g.onset, h.onset), max(g.offset, h.offset))
            humps.append(h)
        near, longest = int(0.3 * rate), int(self.max_move_s * rate)
        keep = []
        for k, h in enumerate(humps):
            if h.offset - h.onset > longest:
                continue  # slower than any weight shift: the integral drifting through a hold
            nb = [humps[j] for j in (k - 1, k + 1) if 0 <= j < len(humps)
                  and min(abs(humps[j].onset - h.offset), abs(h.onset - humps[j].offset)) <= near
                  and humps[j].offset - humps[j].onset <= longest]
            if any(n.sign != h.sign and h.height < self.dip_ratio * n.height for n in nb):
                continue
            keep.append(h)
        return [(h, _size_m(h, v, rate)) for h in keep]

    # pair(moves, rate_hz, accept, doubtful, later_end, lifts): (shift-in, shift-out) pairs in time
    # order, `stance_pairing.pair_moves` with this detector's parameters (its p).
    pair = pair_moves

    def upright(self, m: Motion, a: int, b: int) -> bool:
        """The pelvis stays near its standing pitch and does not turn during samples [a, b)."""
        pitch = float(percentile(np.abs(m.pitch_deg[a:b]), 95)) if b > a else 0.0
        yaw = float(percentile(np.abs(m.gyro_dps[a:b, 2]), 95)) if b > a and m.gyro_dps is not None else 0.0
        return pitch <= self.max_pitch_deg and yaw <= self.max_yaw_rate_dps

    def standing_around(self, a: Hump, b: Hump, rate_hz: float) -> list[tuple[int, int]]:
        """The standing on both feet that a hold between shift-in a and shift-back b is compared
        with ([start, end) samples): reference_s before a and after b, half a second off each."""
        return standing_spans(a.onset, b.offset, rate_hz, self.reference_s)

    def detect(self, m: Motion) -> list[RepWindow]:
        """Holds of the set (needs the 6-axis stream): `decide`'s holds, the decision handed to any
        listener open (`stance_candidate.decisions_reported`)."""
        return reported(m, self.decide(m)).holds

    def decide(self, m: Motion) -> StanceDecision:
        """Holds of the set, time order, from paired velocity humps, then from the edges of the
        stretches on one foot that none of those covers (`stance_edges`); and each candidate turned
        down on the way with the name of the check that did (`stance_checks`: the chain)."""
        if m.acc_lin_g is None or len(m.t_s) < 30:
            return StanceDecision([], [])
        rate = m.rate_hz
        calm = self.calm(m)
        shift, swing = self.shift_g(m, calm), swing_mps(m)  # the velocity's and the edges' (below)
        v = self.velocity_mps(m, calm, shift, swing)
        vert = np.sum(m.acc_lin_g * m.up, axis=1)
        gyro_x = m.gyro_dps[:, 0] if m.gyro_dps is not None else np.gradient(m.roll_deg) * rate
        sig = SupportSignals.of(gyro_x, m.acc_lin_g[:, 1], vert, rate)
        s = StanceSet(self, m, sig, stretches_on_one_foot(sig, rate, self.min_hold_s), calm, v, self.moves(m, v))
        rejected: list[Rejected] = []
        reps = self._velocity_holds(s, rejected)
        # The pelvis's, not the sensor's: the drop at foot-off swings the sensor toward the free side.
        acc = shift[0] * STANDARD_GRAVITY_MS2 + np.gradient(swing) * rate
        found = []
        for run, pairs, side in edge_shifts(acc, sig, self.cues, rate, s.ones, min_shift_m=self.min_shift_m):
            r = None
            for (a, size_a), (b, size_b) in pairs or []:
                c = Candidate(s, a, size_a, b, size_b, EDGE)
                check = first_rejecting(c, EDGE_GATES)
                if check is None:
                    r = hold_rep(c)
                    break
                rejected.append(Rejected(EDGE, a, b, check.name))
            if r is not None and side is not None:  # the share of its side cues that agree (`stance_side`)
                r.metrics["side_confidence"] = round(side.confidence(1 if r.side == LEFT else -1), 2)
            found.append((run, r, side is not None and side.sway_off))
        edged = [(run, rose_after_foot_off(r, run, reps, rate, [(o, e) for o, e, _ in found if o != run and e])
                  if r is not None and swayed else r) for run, r, swayed in found]
        merged = merge_edge_holds(reps, edged, int(EdgeSettings().edge_lag_s * rate), rate)
        return StanceDecision(sorted(doubt_large_hikes(flip_large_hikes(merged)), key=lambda r: r.start), rejected)

    def _velocity_holds(self, s: StanceSet, rejected: list[Rejected]) -> list[RepWindow]:
        """The velocity path's holds (time order): its moves paired (`pair`) into candidates that pass
        VELOCITY_GATES, split ones joined (`stance_merge.join_split_holds`), and those VELOCITY_DROPS
        rejects dropped (`stance_checks`); every candidate turned down is added to `rejected`."""
        if not s.moves:
            return []
        rate, sizes = s.m.rate_hz, {id(h): size for h, size in s.moves}
        held: dict[tuple[int, int], RepWindow | None] = {}
        of: dict[int, Candidate] = {}  # each hold's candidate, by id(hold)
        lifted: dict[int, str] = {}  # shift-ins turned down for good, by id: the check's name (`Check.whole_shift`)

        def hold(a: Hump, b: Hump) -> RepWindow | None:
            """The hold between shift-in a and shift-back b, if it passes the gates."""
            key = (id(a), id(b))
            if id(a) in lifted:
                if key not in held:  # a is no weight shift: no partner makes it a hold
                    held[key] = None
                    rejected.append(Rejected(VELOCITY, a, b, lifted[id(a)]))
                return None
            if key not in held:
                c = Candidate(s, a, sizes[id(a)], b, sizes[id(b)], VELOCITY)
                check = first_rejecting(c, VELOCITY_GATES)
                if check is not None:
                    if check.whole_shift:
                        lifted[id(a)] = check.name
                    rejected.append(Rejected(VELOCITY, a, b, check.name))
                    held[key] = None
                else:
                    held[key] = r = hold_rep(c)
                    of[id(r)] = c
            return held[key]

        pairs = self.pair(s.moves, rate, accept=lambda a, b: hold(a, b) is not None,
                          doubtful=lambda a, b: hold(a, b).metrics["support"]["foot_down"] < EDGE_VOTE,
                          later_end=lambda a, b, c: foot_stayed_up(s.sig, rate, b, c, self.reference_s, self.cues),
                          lifts=lambda a, b: min(hold(a, b).metrics["support"].values()) >= EDGE_VOTE)
        paired = [(a, b, r) for a, b in pairs if (r := hold(a, b)) is not None]
        # Holds paired (so that their moves are no other hold's, and the holds on each side of one
        # are not joined across it) whose foot was not seen off the floor: the drop's name, by id(hold).
        dropped: dict[int, str | None] = {}

        def drop(r: RepWindow) -> str | None:
            """The drop that rejects hold r (`VELOCITY_DROPS`), if one does."""
            if id(r) not in dropped:
                check = first_rejecting(of[id(r)], VELOCITY_DROPS)
                dropped[id(r)] = None if check is None else check.name
            return dropped[id(r)]

        held_by: dict[int, tuple[RepWindow, ...]] = {}
        for a, b, r in paired:
            held_by[id(a)] = held_by.get(id(a), ()) + (r,)
            held_by[id(b)] = held_by.get(id(b), ()) + (r,)

        def joined(a: Hump, b: Hump) -> RepWindow | None:
            """Two holds joined (`join_split_holds`), dropped when either is (the other's foot-down or
            foot-off is no evidence for the part whose foot was not seen up: JOINED_UNSEEN)."""
            r = hold(a, b)
            parts = held_by.get(id(a), ()) + held_by.get(id(b), ())
            if r is not None and drop(r) is None and any(drop(x) for x in parts):
                dropped[id(r)] = JOINED_UNSEEN
            return r

        reps = []
        for r in join_split_holds(paired, joined):
            if (name := drop(r)) is None:
                reps.append(r)
            else:
                rejected.append(Rejected(VELOCITY, of[id(r)].a, of[id(r)].b, name))
        return reps


def _size_m(h: Hump, v: np.ndarray, rate_hz: float) -> float:
    """Displacement of one move, m (velocity integrated over the hump)."""
    return float(abs(np.sum(v[h.onset : h.offset + 1])) / rate_hz)

