"""Single-leg stance: one rep per hold, side = stance leg, drop = robust peak (95th percentile)
drop of the lifted side over the steady part of the hold; also hold duration and roll sway.

A hold starts with a lateral weight shift over the stance foot (a velocity hump toward the stance
side) and ends with the shift back (a hump the other way); the time between them is the hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.constants import LEFT, RIGHT, other_side
from hiplevel.exercises.base import Motion, RepWindow, find_humps, velocity_mps

VELOCITY_HP_HZ = 0.05


@dataclass(frozen=True)
class SingleLegStanceDetector:
    """Parameters (units in the names).

    min_shift_mps: least peak speed of the weight shift (an 8 cm shift in 1 s peaks ~0.15 m/s; a
        3 cm fidget ~0.05 m/s); min_hold_s / max_hold_s: plausible holds;
    transition_s: foot lift and put-down at each end of the hold, left out of the drop and sway."""

    min_shift_mps: float = 0.09
    min_hold_s: float = 3.0
    max_hold_s: float = 150.0
    transition_s: float = 0.8

    def detect(self, m: Motion) -> list[RepWindow]:
        """Holds of the set (needs the 6-axis stream)."""
        if m.acc_lin_g is None:
            return []
        v = velocity_mps(m.acc_lin_g[:, 1], m.rate_hz, hp_hz=VELOCITY_HP_HZ)
        humps = find_humps(v, m.rate_hz, self.min_shift_mps, 0.3)
        reps: list[RepWindow] = []
        k = 0
        while k + 1 < len(humps):
            a, b = humps[k], humps[k + 1]
            hold_s = (b.onset - a.offset) / m.rate_hz
            if a.sign != b.sign and self.min_hold_s <= hold_s <= self.max_hold_s:
                stance = LEFT if a.sign > 0 else RIGHT
                tr = int(self.transition_s * m.rate_hz)
                win = (a.offset + tr, max(a.offset + tr + 1, b.onset - tr))
                roll = m.roll_deg[win[0] : win[1]]
                x = np.arange(len(roll))
                sway = float(np.std(roll - np.polyval(np.polyfit(x, roll, 1), x))) if len(roll) > 2 else 0.0
                reps.append(RepWindow(a.offset, b.onset, stance, win, other_side(stance), robust=True,
                                      metrics={"hold_s": round(hold_s, 2), "sway_deg": round(sway, 2)}))
                k += 2
            else:
                k += 1
        return reps
