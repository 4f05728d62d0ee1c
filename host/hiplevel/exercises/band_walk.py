"""Lateral band walk: one rep per lateral step, whatever the person's strategy, carrying both
single-support phases (lead swing first: the trailing leg holds the pelvis and the lead side may
drop; then the trailing leg's swing: the lead leg holds it and the trailing side may drop).

The rep's side and drop are its worse phase's (`analysis.offline.score_windows`); `direction` (left/
right) in its metrics is the direction of travel (the leading leg).

Steps: the lateral pelvis velocity (levelled frame, held at zero whenever the pelvis is still and,
second pass, at the halts between moves) shows one hump per move. A small move the other way right
before a move is a counter-shift (the weight put on the trailing leg to free the lead) and belongs
to that step. Same-direction moves with short pauses form a run; a run is one step per move or one
step per two moves (lead, then trail), decided from cues that hold across strategies
(`exercises.lateral_steps`: the step rhythm of the roll and the height, and alternating move
sizes); with two moves per step, a run starts with a lead unless the sizes clearly say otherwise.
A lone move is a weight shift or a shuffle of the feet, not a band walk.

Per step, displacements come from integrating the acceleration from rest to rest: `step_m` is the
lateral distance (shuffling below `shuffle_step_m`) and `bob_cm` the peak-to-peak height change of
the pelvis within the step (bobbing), both immune to a constant accelerometer bias.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hiplevel.constants import LEFT, RIGHT, other_side
from hiplevel.exercises.base import (Hump, Motion, PhaseWindow, RepWindow, find_humps, measure_drop_or_hike,
                                     calm_mask, limit_drift, rest_to_rest_path_m,
                                     without_rest_tilt,
                                     zero_velocity_mps)
from hiplevel.exercises.lateral_steps import alternation, rhythm_vote, size_vote, steady_runs
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import zero_phase_lowpass
from hiplevel.signal.fusion import roll_pitch_to_up

# Lateral and vertical pelvis movement of a band walk sits below ~3 Hz (steps take 0.8-2.5 s).
ACC_LOWPASS_HZ = 4.0
# The belt sensor over the sacrum sits about this far above the hip joint centres (the pelvis' roll
# pivot), so a pelvic drop swings it sideways: 8 deg of drop moves it ~1 cm, a third of a shuffle's
# trailing move. Removed from the lateral velocity.
SENSOR_ABOVE_HIP_M = 0.08
# ...and this far behind them: turning the pelvis (yaw) swings it sideways (a 25 deg turn, 5 cm).
SENSOR_BEHIND_HIP_M = 0.12
# The step rhythm is read on the roll and the vertical acceleration below this.
RHYTHM_LOWPASS_HZ = 3.0
# A move at either end of a run lasting this many times the run's typical move (and smaller) is
# drift settling into or out of the hinge, not a leg move (leg moves of a run keep its rhythm).
SLOW_END_RATIO = 2.5
# A trailing move is kept down to this fraction of min_move_m (a 10 cm step with a 90 % lead leaves
# a 1 cm trail; the velocity's jitter at the halt between two steps integrates to a few mm).
TRAIL_MIN_FRACTION = 0.5
# Below these pattern spreads (RMS) the roll / vertical acceleration carry no step rhythm.
RHYTHM_ROLL_NOISE_DEG = 0.15
RHYTHM_VERT_NOISE_G = 0.003

@dataclass(frozen=True)
class BandWalkDetector:
    """Parameters (units in the names).

    min_speed_mps: least peak lateral speed of a leg move (a 10 cm step in one 2.5 s move peaks
        ~0.08 m/s, a 3 cm trailing move in 1 s ~0.06 m/s; quiet standing sways < 0.01 m/s);
    min_move_m: least lateral distance of a leg move (standing sway moves the pelvis < 1 cm);
    min_run_m: least lateral distance of a run of moves (one 10 cm step; sway does not travel);
    run_ratio: a move under this fraction of its run's median move is the velocity settling at a
        halt, not a leg move (a trailing move of 20 % of a step is 0.4 of the median);
    min_gap_s: least time between two moves' peaks;
    dip_ratio: an opposite-sign hump next to moves of a run (within max_pause_s), smaller than
        this fraction of the larger of them, is the velocity settling between moves (integration
        drift), not a move back;
    counter_ratio / counter_gap_s / counter_max_s: an opposite move ending at most counter_gap_s
        before a move, under counter_ratio of its distance and lasting at most counter_max_s is a
        counter-shift (a quick 1-5 cm shift onto the trailing leg), the start of that move's step;
    max_pause_s: same-direction moves further apart (end to start) than this start a new run (a
        band walk keeps going; a weight shift pauses);
    flank_rise: a move's flank ends where the speed rises again by this fraction of its peak (the
        sensor's swing when the pelvis drops shakes the flank less; the next move rises more);
    max_move_s: longest single move (a slow one-move step takes up to ~2.4 s);
    max_pitch_deg: moves while the pelvis is pitched further forward than this (bending over, not a
        15-30 deg hinge) are not steps;
    lift_lead_s: the lead foot leaves the floor about this long before the pelvis starts moving;
    pair_log_ratio: the size alternation (mean |log(lead/trail)|, 0.18 = sizes 1.2 apart) at
        which sizes alone fully vote for two moves per step (a log, so that it scales: a ratio
        below 1 would make every run vote one move per step);
    parity_margin: how much larger (geometric-mean ratio) the supposed trail moves of a run must
        look than its supposed leads before the "a run starts with a lead" rule is overturned
        (2: a lead may carry as little as 0.35 of the step and still be the lead);
    min_step_m: least lateral distance of a step, rest to rest: half the shortest human step (10 cm;
        an 8 cm shuffle measures 7-8 cm); fidgeting and the integration drift of standing, sitting
        and posture changes measure mostly < 5 cm;
    min_bout_steps / max_step_gap_s: a band walk is a series of steps one way; a step counts only
        in a bout of at least min_bout_steps steps the same way, each starting at most
        max_step_gap_s after the previous one ended (a slow, pausing walker's rhythm; a weight
        shift, a posture change or fidgeting moves once or goes back and forth);
    max_cadence_ratio / max_duration_ratio: ...and a bout keeps one rhythm: over those steps the
        longest centre-to-centre interval is at most max_cadence_ratio times the shortest and the
        longest step at most max_duration_ratio times the shortest (simulated sets across all
        strategies and 0.6-3.5 s steps: up to 1.3 and 1.8). Standing that drifts or fidgets
        (integration drift of a tilt error turns it into "moves" one way) moves irregularly: in
        hapt-dev 0.9, 2.8, 0.8 s "steps" 1-3 s apart (issue 14). Centres, not starts: where a
        step starts depends on which move took the counter-shift;
    max_tilt_back_deg / max_roll_deg: a step is taken standing: the pelvis tilted back further
        than this (sitting tilts it back 15-25 deg, lying ~85) or rolled further than
        max_roll_deg from neutral (lying on the side) is not stepping;
    max_turn_dps / max_pitch_change_deg: a lateral step faces forward and holds the hinge: a move
        whose yaw rate (RMS over the move, low-passed) exceeds max_turn_dps is a turn, and one over
        which the pitch changes by more than max_pitch_change_deg is a posture change (sitting
        down, standing up, bending: the trunk leans 20-35 deg); either is no step and ends a bout."""

    min_speed_mps: float = 0.035
    min_move_m: float = 0.02
    min_run_m: float = 0.08
    run_ratio: float = 0.25
    min_gap_s: float = 0.25
    dip_ratio: float = 0.6
    counter_ratio: float = 0.5
    counter_gap_s: float = 0.4
    counter_max_s: float = 0.6
    max_pause_s: float = 1.1
    lift_lead_s: float = 0.1
    max_move_s: float = 2.6
    max_pitch_deg: float = 50.0
    anchor_passes: int = 1
    flank_rise: float = 0.15
    pair_log_ratio: float = 0.18
    parity_margin: float = 2.0
    min_step_m: float = 0.05
    min_bout_steps: int = 3
    max_step_gap_s: float = 2.0
    max_cadence_ratio: float = 2.0
    max_duration_ratio: float = 2.5
    max_tilt_back_deg: float = 12.0
    max_roll_deg: float = 30.0
    max_turn_dps: float = 45.0
    max_pitch_change_deg: float = 15.0

    def _humps(self, v: np.ndarray, rate_hz: float) -> list[Hump]:
        humps = find_humps(v, rate_hz, self.min_speed_mps, self.min_gap_s, rise_frac=self.flank_rise)
        gap = self.max_pause_s * rate_hz
        changed = True
        while changed:
            changed = False
            for k, h in enumerate(humps):
                near = [humps[j] for j in (k - 1, k + 1) if 0 <= j < len(humps) and _edge_gap(humps[j], h) <= gap]
                if (near and all(n.sign != h.sign for n in near)
                        and h.height < self.dip_ratio * max(n.height for n in near)):
                    del humps[k]
                    changed = True
                    break
        # Each move ends where the next begins: at the velocity trough between their peaks (the
        # pelvis halts between leg moves); a drifting baseline must not stretch a flank, so cap it.
        half = int(0.5 * self.max_move_s * rate_hz)
        out: list[Hump] = []
        for k, h in enumerate(humps):
            lo, hi = max(h.onset, h.peak - half), min(h.offset, h.peak + half)
            if k > 0:
                lo = max(lo, _boundary(v, humps[k - 1], h))
            if k + 1 < len(humps):
                hi = min(hi, _boundary(v, h, humps[k + 1]))
            out.append(Hump(h.sign, h.peak, h.height, lo, hi))
        return out

    def velocity_mps(self, m: Motion) -> np.ndarray:
        """Lateral pelvis velocity, m/s (+ = leftward), zero when still and between leg moves.

        First pass: zero where the pelvis is calm (`calm_mask`: still, and no acceleration beyond
        standing sway; the middle of a slow step looks still to the rest test). The integral still
        drifts by a few cm/s over a run of steps (0.2 deg of tilt error is 0.03 m/s^2), enough to
        fake a small move back between two moves or to hide a shuffle's trailing move. The pelvis
        halts between leg moves and turns between moves either way, so the second pass also holds
        the velocity at zero at the slowest point between consecutive moves. Long stretches without
        an anchor (standing that sways too much for the rest test) are high-passed (`limit_drift`)."""
        acc_y, rate = m.acc_lin_g[:, 1], m.rate_hz
        # Roll swings the sensor by -h sin(roll) sideways (+ roll = left side up = sensor to the right).
        swing = SENSOR_ABOVE_HIP_M * np.gradient(np.sin(np.radians(m.roll_deg))) * rate
        if m.gyro_dps is not None:  # turning swings the sensor, behind the hips, sideways
            swing = swing + SENSOR_BEHIND_HIP_M * np.radians(m.gyro_dps[:, 2])
        quiet = calm_mask(acc_y, m.still, rate)
        v = zero_velocity_mps(acc_y, quiet, rate, ACC_LOWPASS_HZ, swing)
        anchors = quiet
        for _ in range(self.anchor_passes):
            anchors = quiet.copy()
            humps = self._humps(v, rate)
            for a, b in zip(humps[:-1], humps[1:]):
                if _edge_gap(a, b) <= 2.0 * self.max_pause_s * rate:
                    # The slowest point between them: the halt between two moves one way (not the
                    # lowest signed velocity: a counter-shift in between moves the other way), the
                    # turn between moves either way.
                    anchors[a.peak + int(np.argmin(np.abs(v[a.peak : b.peak + 1])))] = True
            v = zero_velocity_mps(acc_y, anchors, rate, ACC_LOWPASS_HZ, swing)
        return limit_drift(v, anchors, rate)

    def moves(self, m: Motion) -> list[Hump]:
        """Lateral leg moves (velocity humps), in time order, velocity-settling dips removed."""
        return self._humps(self.velocity_mps(m), m.rate_hz)

    def steps(self, m: Motion, v: np.ndarray) -> list[tuple[Hump | None, Hump, Hump | None] | Hump]:
        """Lateral steps as (counter-shift or None, first move, trailing move or None), and each lone
        move of at least min_step_m as itself (no step: `detect` ends a bout at one the other way)."""
        rate = m.rate_hz
        humps = [h for h in self._humps(v, rate) if float(np.max(m.pitch_deg[h.onset : h.offset + 1])) <= self.max_pitch_deg]
        size = {id(h): _size_m(h, v, rate) for h in humps}
        pause = self.max_pause_s * rate
        # A small move between two leads the same way (each larger and at least min_move_m) is
        # a trailing leg's move (a lead that carries 85-90 % of the step leaves the
        # trail 1-4 cm), not sway: kept below min_move_m.
        moves = [h for k, h in enumerate(humps) if size[id(h)] >= self.min_move_m
                 or (size[id(h)] >= TRAIL_MIN_FRACTION * self.min_move_m
                     and _between_moves(humps, k, size, pause, max(self.min_move_m, size[id(h)])))]
        # Counter-shifts: a small opposite move right before a move belongs to its step.
        counters: dict[int, Hump] = {}
        kept: list[Hump] = []
        for k, h in enumerate(moves):
            nxt = moves[k + 1] if k + 1 < len(moves) else None
            if (nxt is not None and nxt.sign != h.sign and _edge_gap(h, nxt) <= self.counter_gap_s * rate
                    and h.offset - h.onset <= self.counter_max_s * rate
                    and _size_m(h, v, rate) < self.counter_ratio * _size_m(nxt, v, rate)):
                counters[id(nxt)] = h
            else:
                kept.append(h)
        runs: list[list[Hump]] = []
        for h in kept:
            start = counters[id(h)] if id(h) in counters else h  # a step starts with its counter-shift
            if runs and runs[-1][-1].sign == h.sign and _edge_gap(runs[-1][-1], start) <= self.max_pause_s * rate:
                runs[-1].append(h)
            else:
                runs.append([h])
        out: list[tuple[Hump | None, Hump, Hump | None] | Hump] = []
        for run in runs:
            typical = float(median([size[id(h)] for h in run]))
            # Settling, not a leg move; a trailing move between two larger leads is a leg move
            # however small against the run (down to TRAIL_MIN_FRACTION of min_move_m).
            run = [h for k, h in enumerate(run) if size[id(h)] >= self.run_ratio * typical
                   or (size[id(h)] >= TRAIL_MIN_FRACTION * self.min_move_m
                       and _between_moves(run, k, size, pause, size[id(h)]))]
            run = _without_slow_ends(run, size)
            if len(run) < 2 or sum(_size_m(h, v, rate) for h in run) < self.min_run_m:
                # A lone move (a weight shift, a shuffle of the feet) or sway: no step (a big one may end a bout).
                out += [h for h in run if len(run) == 1 and size[id(h)] >= self.min_step_m]
                continue
            if self.two_moves_per_step(m, v, run) <= 0.0:
                out += [(counters.get(id(h)), h, None) for h in run]
                continue
            p = self.lead_parity(run, v, rate)
            for i in range(p, len(run), 2):
                out.append((counters.get(id(run[i])), run[i], run[i + 1] if i + 1 < len(run) else None))
        return out

    def two_moves_per_step(self, m: Motion, v: np.ndarray, run: list[Hump]) -> float:
        """Evidence (> 0: two moves per step, lead then trail; <= 0: one move per step) from the
        step rhythm of the roll and the height and from alternating move sizes (lateral_steps)."""
        rate = m.rate_hz
        centres = [h.peak for h in run]
        half = int(0.5 * float(median(np.diff(centres))))
        roll = zero_phase_lowpass(m.roll_deg, RHYTHM_LOWPASS_HZ, rate)
        acc = zero_phase_lowpass(m.acc_lin_g, RHYTHM_LOWPASS_HZ, rate)
        vert = np.sum(acc * roll_pitch_to_up(m.roll_deg, m.pitch_deg), axis=1)
        votes = (rhythm_vote(roll, centres, half, RHYTHM_ROLL_NOISE_DEG)
                 + rhythm_vote(vert, centres, half, RHYTHM_VERT_NOISE_G)
                 + size_vote([_size_m(h, v, rate) for h in run], self.pair_log_ratio))
        return votes

    def lead_parity(self, run: list[Hump], v: np.ndarray, rate_hz: float) -> int:
        """0 when the run's even moves are the leads (the usual case), 1 when the odd ones are."""
        evidence = alternation([_size_m(h, v, rate_hz) for h in run]) if len(run) >= 2 else 0.0
        # A run starts with a lead: overturn that only on clear evidence of the sizes.
        return 1 if evidence < -math.log(self.parity_margin) else 0

    def detect(self, m: Motion) -> list[RepWindow]:
        """Lateral steps of the set (needs the 6-axis stream)."""
        if m.acc_lin_g is None:
            return []
        roll0 = m.roll_deg  # drops on the set's roll, as every exercise (and the live analyser's)
        m = without_rest_tilt(m, calm_mask)  # slow steps look at rest to the fusion
        n, rate = len(m.t_s), m.rate_hz
        v = self.velocity_mps(m)
        acc = zero_phase_lowpass(m.acc_lin_g, ACC_LOWPASS_HZ, rate)
        up = roll_pitch_to_up(m.roll_deg, m.pitch_deg)
        a_vert = np.sum(acc * up, axis=1)  # world vertical: the hinge tilts the body z axis
        lift = int(round(self.lift_lead_s * rate))
        half = int(0.5 * self.max_move_s * rate)
        yaw_dps = zero_phase_lowpass(m.gyro_dps[:, 2], RHYTHM_LOWPASS_HZ, rate) if m.gyro_dps is not None else None
        reps: list[RepWindow | None] = []
        way = 0  # the last step's direction (+ = left)
        for step in self.steps(m, v):
            if not isinstance(step, tuple):  # a band walk goes one way: a step's worth back ends the bout
                if step.sign == -way:  # (moving about: stepping aside and back)
                    reps.append(None)
                continue
            counter, first, trail = step
            way = first.sign
            if not self._standing(m, (counter or first).onset, (trail or first).offset, yaw_dps):
                reps.append(None)  # not a step: ends the bout
                continue
            last = trail if trail is not None else first
            start, end = (counter or first).onset, last.offset
            lead = LEFT if first.sign > 0 else RIGHT
            # Lead swing from lift-off to the middle of the step (the end of the lead move, or the
            # peak of a one-move step); trail swing from there to the end of the step.
            mid = _boundary(v, first, trail) if trail is not None else first.peak
            phases = []
            spans = ((other_side(lead), max(0, start - lift), max(start + 1, mid)), (lead, mid, max(mid + 1, end)))
            for stance, a, b in spans:
                drop = measure_drop_or_hike(roll0, (a, b), other_side(stance), False)
                phases.append(PhaseWindow(a, b, stance, (a, b), drop_deg=drop))
            # Displacements rest to rest, from the halt before the step to the halt after it.
            p0, p1 = max(0, start - lift, first.peak - half), min(n - 1, end + lift, last.peak + half)
            seg = v[p0 : p1 + 1] - np.linspace(v[p0], v[p1], p1 + 1 - p0)  # at rest at both ends
            step_m = abs(float(np.sum(seg[1:] + seg[:-1]) * 0.5 / rate))
            z = rest_to_rest_path_m(a_vert[p0 : p1 + 1], rate)
            z = z - np.linspace(z[0], z[-1], len(z))  # the pelvis is back at its height after a step
            bob_cm = 100.0 * float(np.ptp(z))
            first_phase = phases[0]
            reps.append(RepWindow(start, end, first_phase.stance, first_phase.win, lead, metrics={
                "step_m": round(step_m, 3), "bob_cm": round(bob_cm, 1), "direction": lead}, phases=tuple(phases)))
        return self.in_bouts(reps, rate)

    def _standing(self, m: Motion, a: int, b: int, yaw_dps: np.ndarray | None) -> bool:
        """True when the pelvis over samples [a, b] is upright enough for a standing step, faces
        forward (no turn) and holds its posture (no sitting down, standing up or bending)."""
        pitch = m.pitch_deg[a : b + 1]
        roll = float(median(np.abs(m.roll_deg[a : b + 1])))
        turn = float(np.sqrt(np.mean(yaw_dps[a : b + 1] ** 2))) if yaw_dps is not None else 0.0
        return (float(median(pitch)) >= -self.max_tilt_back_deg and roll <= self.max_roll_deg
                and turn <= self.max_turn_dps and float(np.ptp(pitch)) <= self.max_pitch_change_deg)

    def in_bouts(self, reps: list[RepWindow | None], rate_hz: float) -> list[RepWindow]:
        """The steps that belong to a bout: at least min_bout_steps consecutive steps of at least
        min_step_m in one direction, each starting within max_step_gap_s of the previous end, at
        a steady rhythm (`lateral_steps.steady_runs`).
        None in `reps` is a move that is no step (a turn, a posture change): it ends a bout."""
        gap = self.max_step_gap_s * rate_hz
        bouts: list[list[RepWindow]] = []
        for r in reps:
            if r is None:
                bouts.append([])
                continue
            if r.metrics["step_m"] < self.min_step_m:
                continue  # sway or a shuffle of the feet, not a step
            b = bouts[-1] if bouts else []
            if b and b[-1].metrics["direction"] == r.metrics["direction"] and r.start - b[-1].end <= gap:
                b.append(r)
            else:
                bouts.append([r])
        out: list[RepWindow] = []
        for b in bouts:
            keep = steady_runs([0.5 * (r.start + r.end) / rate_hz for r in b], [(r.end - r.start) / rate_hz for r in b],
                               self.min_bout_steps, self.max_cadence_ratio, self.max_duration_ratio)
            out += [r for r, ok in zip(b, keep) if ok]
        return out


def _without_slow_ends(run: list[Hump], size: dict[int, float]) -> list[Hump]:
    """The run less a first or last move that is smaller than its typical move and lasts over
    SLOW_END_RATIO times its typical move: the slow drift of settling into (or out of) the hinge
    next to a run of leg moves, not a leg move (it would shift the lead/trail pairing)."""
    if len(run) < 3:
        return run
    dur = float(median([h.offset - h.onset for h in run]))
    typical = float(median([size[id(h)] for h in run]))
    slow = [h for h in (run[0], run[-1]) if h.offset - h.onset > SLOW_END_RATIO * dur and size[id(h)] < typical]
    return [h for h in run if not any(h is x for x in slow)]


def _between_moves(moves: list[Hump], k: int, size: dict[int, float], pause_n: float, least_m: float) -> bool:
    """True when moves[k] is a trailing move: it lies between two moves the same way, each within
    pause_n samples of it and at least least_m long (the leads around it), or it ends a series of
    alternating moves (after a lead at least least_m long that follows a smaller trailing move)."""
    if k == 0:
        return False
    a, h = moves[k - 1], moves[k]
    if not (a.sign == h.sign and _edge_gap(a, h) <= pause_n and size[id(a)] >= least_m):
        return False
    b = moves[k + 1] if k + 1 < len(moves) else None
    if b is not None and b.sign == h.sign and _edge_gap(h, b) <= pause_n:
        return size[id(b)] >= least_m
    c = moves[k - 2] if k >= 2 else None  # the last move of a run: the one before its lead a trail too
    return (c is not None and c.sign == h.sign and _edge_gap(c, a) <= pause_n
            and size[id(c)] <= size[id(a)])


def _edge_gap(a: Hump, b: Hump) -> int:
    """Samples between the end of one move and the start of the other (either order)."""
    first, second = (a, b) if a.peak <= b.peak else (b, a)
    return max(0, second.onset - first.offset)


def _size_m(h: Hump, v: np.ndarray, rate_hz: float) -> float:
    """Lateral distance of one move, m (velocity integrated over the hump)."""
    return float(abs(np.sum(v[h.onset : h.offset + 1])) / rate_hz)


def _boundary(v: np.ndarray, a: Hump, b: Hump) -> int:
    """Index where move a ends and move b begins: the lowest speed between their peaks (the
    trough for two moves one way, the zero crossing for a change of direction)."""
    seg = v[a.peak : b.peak + 1]
    return a.peak + int(np.argmin(a.sign * seg if a.sign == b.sign else np.abs(seg)))
