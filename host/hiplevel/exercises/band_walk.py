"""Lateral band walk: one rep per lateral step, side = direction of travel (leading leg),
drop = peak drop of the leading-leg side while it is lifted (the trailing stance leg is tested).

Each lateral step moves the pelvis sideways twice in the same direction: the lead leg steps out
(the larger move) and the trailing leg follows (the smaller one). The lateral pelvis velocity
(levelled frame, held at zero whenever the pelvis is still) therefore shows humps of one sign in a
run of steps, alternating lead, trail. A run starts with a lead from standing still; the hump sizes,
pooled over the run, confirm or correct that parity (a lost first hump cannot shift every pair).

Per step, displacements come from integrating the acceleration from rest to rest (the pelvis
pauses between steps): `step_m` is the lateral distance (shuffling below `shuffle_step_m`) and
`bob_cm` the peak-to-peak height change of the pelvis within the step (bobbing), both immune to a
constant accelerometer bias.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hiplevel.constants import LEFT, RIGHT
from hiplevel.exercises.base import Hump, Motion, RepWindow, find_humps, rest_to_rest_path_m, zero_velocity_mps
from hiplevel.signal.filters import zero_phase_lowpass
from hiplevel.signal.fusion import roll_pitch_to_up

# Lateral and vertical pelvis movement of a band walk sits below ~3 Hz (steps take 1-2 s).
ACC_LOWPASS_HZ = 4.0
# The belt sensor over the sacrum sits about this far above the hip joint centres (the pelvis' roll
# pivot), so a pelvic drop swings it sideways: 8 deg of drop moves it ~1 cm, a third of a shuffle's
# trailing move. Removed from the lateral velocity.
SENSOR_ABOVE_HIP_M = 0.08


@dataclass(frozen=True)
class BandWalkDetector:
    """Parameters (units in the names).

    min_speed_mps: least peak lateral speed of a leg move (a 3 cm fidget peaks ~0.05 m/s, a 10 cm
        shuffle's trailing move ~0.11 m/s, a normal lead move 0.4-0.6 m/s);
    min_gap_s: least time between two moves' peaks;
    dip_ratio: an opposite-sign hump next to moves of a run (within max_run_gap_s), smaller than
        this fraction of the larger of them, is the velocity settling between moves (integration
        drift), not a move back;
    max_run_gap_s: moves further apart than this (a pause, a change of direction) start a new run;
    anchor_passes: how often the between-move troughs are re-found and re-zeroed (see velocity_mps);
    max_move_s: longest single leg move (a lead move takes 0.5-0.8 s);
    lift_lead_s: the lead foot leaves the floor about this long before the pelvis starts moving;
    parity_margin: how much larger (geometric-mean ratio) the supposed trail moves of a run must
        look than its supposed leads before the "a run starts with a lead" rule is overturned."""

    min_speed_mps: float = 0.07
    min_gap_s: float = 0.25
    dip_ratio: float = 0.6
    max_run_gap_s: float = 1.4
    lift_lead_s: float = 0.1
    max_move_s: float = 1.2
    anchor_passes: int = 1
    parity_margin: float = 1.15

    def _humps(self, v: np.ndarray, rate_hz: float) -> list[Hump]:
        humps = find_humps(v, rate_hz, self.min_speed_mps, self.min_gap_s)
        gap = self.max_run_gap_s * rate_hz
        changed = True
        while changed:
            changed = False
            for k, h in enumerate(humps):
                near = [humps[j] for j in (k - 1, k + 1) if 0 <= j < len(humps) and abs(humps[j].peak - h.peak) <= gap]
                if near and all(n.sign != h.sign for n in near) and h.height < self.dip_ratio * max(n.height for n in near):
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

        First pass: zero on still samples. The integral still drifts by a few cm/s over a run of
        steps (0.2 deg of tilt error is 0.03 m/s^2), enough to fake a small move back between two
        moves or to hide a shuffle's trailing move. The pelvis halts between leg moves, so the
        second pass also holds the velocity at zero at the trough between consecutive moves."""
        acc_y, rate = m.acc_lin_g[:, 1], m.rate_hz
        # Roll swings the sensor by -h sin(roll) sideways (+ roll = left side up = sensor to the right).
        swing = SENSOR_ABOVE_HIP_M * np.gradient(np.sin(np.radians(m.roll_deg))) * rate
        v = zero_velocity_mps(acc_y, m.still, rate, ACC_LOWPASS_HZ, swing)
        for _ in range(self.anchor_passes):
            anchors = np.array(m.still, dtype=bool)
            for run in self.runs(self._humps(v, rate), rate):
                for a, b in zip(run[:-1], run[1:]):
                    anchors[_boundary(v, a, b)] = True
            v = zero_velocity_mps(acc_y, anchors, rate, ACC_LOWPASS_HZ, swing)
        return v

    def moves(self, m: Motion) -> list[Hump]:
        """Lateral leg moves (velocity humps), in time order, velocity-settling dips removed."""
        return self._humps(self.velocity_mps(m), m.rate_hz)

    def runs(self, humps: list[Hump], rate_hz: float) -> list[list[Hump]]:
        """Moves grouped into runs of one direction (split at sign changes and pauses)."""
        out: list[list[Hump]] = []
        for h in humps:
            if out and out[-1][-1].sign == h.sign and h.peak - out[-1][-1].peak <= self.max_run_gap_s * rate_hz:
                out[-1].append(h)
            else:
                out.append([h])
        return out

    def lead_parity(self, run: list[Hump]) -> int:
        """0 when the run's even moves are the leads (the usual case), 1 when the odd ones are."""
        if len(run) < 2:
            return 0
        logs = np.log([h.height for h in run])
        evidence = float(np.mean(logs[0::2]) - np.mean(logs[1::2]))
        # A run starts with a lead: overturn that only on clear evidence of the sizes.
        return 1 if evidence < -math.log(self.parity_margin) else 0

    def detect(self, m: Motion) -> list[RepWindow]:
        """Lateral steps of the set (needs the 6-axis stream)."""
        if m.acc_lin_g is None:
            return []
        n, rate = len(m.t_s), m.rate_hz
        v = self.velocity_mps(m)
        moves = self._humps(v, rate)
        half = int(0.5 * self.max_move_s * rate)
        order = {id(h): k for k, h in enumerate(moves)}
        steps: list[tuple[Hump, Hump | None]] = []
        for run in self.runs(moves, rate):
            p = self.lead_parity(run)
            for i in range(p, len(run), 2):
                steps.append((run[i], run[i + 1] if i + 1 < len(run) else None))
        acc = zero_phase_lowpass(m.acc_lin_g, ACC_LOWPASS_HZ, rate)
        up = roll_pitch_to_up(m.roll_deg, m.pitch_deg)
        a_vert = np.sum(acc * up, axis=1)  # world vertical: the hinge tilts the body z axis
        lift = int(round(self.lift_lead_s * rate))
        reps: list[RepWindow] = []
        for lead, trail in steps:
            last = trail if trail is not None else lead
            start, end = lead.onset, last.offset
            side = LEFT if lead.sign > 0 else RIGHT
            # The lead leg is lifted from lift-off (just before the pelvis moves) until the trailing
            # move takes over; the drop is measured there.
            win = (max(0, start - lift), max(start + 1, lead.offset))
            # Displacements rest to rest: from the halt before the lead move to the halt after the
            # trail (the troughs next to the neighbouring moves, or the capped flanks).
            k0, k1 = order[id(lead)], order[id(last)]
            p0 = _boundary(v, moves[k0 - 1], lead) if k0 > 0 else 0
            p1 = _boundary(v, last, moves[k1 + 1]) if k1 + 1 < len(moves) else n - 1
            p0, p1 = max(p0, lead.peak - half), min(p1, last.peak + half)
            seg = v[p0 : p1 + 1] - np.linspace(v[p0], v[p1], p1 + 1 - p0)  # at rest at both ends
            step_m = abs(float(np.sum(seg[1:] + seg[:-1]) * 0.5 / rate))
            z = rest_to_rest_path_m(a_vert[p0 : p1 + 1], rate)
            z = z - np.linspace(z[0], z[-1], len(z))  # the pelvis is back at its height after a step
            bob_cm = 100.0 * float(np.ptp(z))
            reps.append(RepWindow(start, end, side, win, side,
                                  metrics={"step_m": round(step_m, 3), "bob_cm": round(bob_cm, 1)}))
        return reps


def _boundary(v: np.ndarray, a: Hump, b: Hump) -> int:
    """Index where move a ends and move b begins: the lowest speed between their peaks (the
    trough for two moves one way, the zero crossing for a change of direction)."""
    seg = v[a.peak : b.peak + 1]
    return a.peak + int(np.argmin(a.sign * seg if a.sign == b.sign else np.abs(seg)))
