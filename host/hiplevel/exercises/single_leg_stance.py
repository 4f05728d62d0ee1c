"""Single-leg stance: one rep per hold, side = stance leg, drop = robust peak (95th percentile)
drop of the lifted side over the steady part of the hold; also hold duration and roll sway.

A hold starts with a lateral weight shift over the stance foot (a velocity hump toward the stance
side) and ends with the shift back (a hump the other way); the time between them is the hold.
The shift back can come out weaker: the foot coming down rolls the pelvis while it moves back,
and with a hip hike that roll is large. So a clear shift onto the stance leg is paired with the
next opposite move that is at least `partner_ratio` of its size; balance sway inside the hold
stays below that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.constants import LEFT, RIGHT, other_side
from hiplevel.exercises.band_walk import SENSOR_ABOVE_HIP_M
from hiplevel.exercises.base import Hump, Motion, RepWindow, find_humps, zero_velocity_mps
from hiplevel.signal.neutral import runs

ACC_LOWPASS_HZ = 4.0


@dataclass(frozen=True)
class SingleLegStanceDetector:
    """Parameters (units in the names).

    min_shift_mps: least peak speed of the weight shift onto the stance leg (an 8 cm shift in 1 s
        peaks ~0.15 m/s; a 3 cm fidget ~0.05 m/s);
    partner_ratio: the shift back must reach this fraction of the shift-in's peak speed and
        displacement; opposite moves smaller than that inside the hold are sway (brief);
    min_hold_s / max_hold_s: plausible holds;
    transition_s: foot lift and put-down at each end of the hold, left out of the drop and sway;
    quiet_s: a still run this long holds the lateral velocity at zero (see velocity_mps), except
        quiet_edge_s at each end (the rest detector's window reaches into a slow shift)."""

    min_shift_mps: float = 0.09
    partner_ratio: float = 0.45
    min_hold_s: float = 3.0
    max_hold_s: float = 150.0
    transition_s: float = 0.8
    quiet_s: float = 1.5
    quiet_edge_s: float = 0.5

    def velocity_mps(self, m: Motion) -> np.ndarray:
        """Lateral pelvis velocity, m/s (+ = leftward), held at zero through long still runs.

        Only still runs of at least quiet_s count: a slow 1 s weight shift has brief "still"
        stretches of its own. Quiet standing and calm holds are long enough, so the zero sits
        right before and after each shift (a plain high-pass would leave the velocity offset by
        the slow settling of the filter and shrink a shift)."""
        rate = m.rate_hz
        anchors = np.zeros(len(m.t_s), dtype=bool)
        edge = int(self.quiet_edge_s * rate)
        for a, b in runs(m.still):
            if (b - a) / rate >= self.quiet_s:
                anchors[a + edge : b - edge] = True
        # The foot lifting or coming down rolls the pelvis, which swings the sensor sideways.
        swing = SENSOR_ABOVE_HIP_M * np.gradient(np.sin(np.radians(m.roll_deg))) * rate
        return zero_velocity_mps(m.acc_lin_g[:, 1], anchors, rate, ACC_LOWPASS_HZ, swing)

    def pair(self, humps: list[Hump], v: np.ndarray, rate_hz: float) -> list[tuple[Hump, Hump]]:
        """(shift-in, shift-out) pairs in time order."""
        out: list[tuple[Hump, Hump]] = []
        k = 0
        while k < len(humps):
            a = humps[k]
            partner = None
            if a.height >= self.min_shift_mps:
                for j in range(k + 1, len(humps)):
                    b = humps[j]
                    if b.sign == a.sign and b.height >= self.min_shift_mps:
                        break  # another clear shift the same way: a was not a shift onto a leg
                    hold_s = (b.onset - a.offset) / rate_hz
                    if hold_s > self.max_hold_s:
                        break
                    if (b.sign != a.sign and hold_s >= self.min_hold_s and b.height >= self.partner_ratio * a.height
                            and _size_m(b, v, rate_hz) >= self.partner_ratio * _size_m(a, v, rate_hz)):
                        partner = j
                        break
            if partner is None:
                k += 1
            else:
                out.append((a, humps[partner]))
                k = partner + 1
        return out

    def detect(self, m: Motion) -> list[RepWindow]:
        """Holds of the set (needs the 6-axis stream)."""
        if m.acc_lin_g is None:
            return []
        reps: list[RepWindow] = []
        tr = int(self.transition_s * m.rate_hz)
        v = self.velocity_mps(m)
        humps = find_humps(v, m.rate_hz, self.partner_ratio * self.min_shift_mps, 0.3)
        for a, b in self.pair(humps, v, m.rate_hz):
            hold_s = (b.onset - a.offset) / m.rate_hz
            stance = LEFT if a.sign > 0 else RIGHT
            win = (a.offset + tr, max(a.offset + tr + 1, b.onset - tr))
            roll = m.roll_deg[win[0] : win[1]]
            x = np.arange(len(roll))
            sway = float(np.std(roll - np.polyval(np.polyfit(x, roll, 1), x))) if len(roll) > 2 else 0.0
            reps.append(RepWindow(a.offset, b.onset, stance, win, other_side(stance), robust=True,
                                  metrics={"hold_s": round(hold_s, 2), "sway_deg": round(sway, 2)}))
        return reps


def _size_m(h: Hump, v: np.ndarray, rate_hz: float) -> float:
    """Displacement of one move, m (velocity integrated over the hump)."""
    return float(abs(np.sum(v[h.onset : h.offset + 1])) / rate_hz)
