"""Lateral band walk: one rep per lateral step, side = direction of travel (leading leg),
drop = peak drop of the leading-leg side while it is lifted (the trailing stance leg is tested).

Each lateral step moves the pelvis sideways twice in the same direction: the lead leg steps out
(larger move) and the trailing leg follows (smaller move). The lateral pelvis velocity therefore
shows two humps of one sign per step; within a run of steps in one direction, humps alternate
lead, trail. The lead hump bounds the lift phase where the drop is measured. Bobbing: the pelvis'
vertical excursion within the step (double-integrated vertical acceleration). Shuffling: the
lateral distance of the step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.constants import LEFT, RIGHT
from hiplevel.exercises.base import Hump, Motion, RepWindow, cumtrapz0, find_humps, highpass, velocity_mps

# A run of steps in one direction has a large mean lateral velocity: keep it (0.05 Hz), only drift goes.
VELOCITY_HP_HZ = 0.05


@dataclass(frozen=True)
class BandWalkDetector:
    """Parameters (units in the names).

    min_speed_mps: least peak lateral speed of a leg move (a 3 cm fidget peaks ~0.05 m/s, a 15 cm
        shuffle step ~0.2 m/s); max_pair_gap_s: a trail move follows its lead within this;
    lift_lead_s: the lead foot leaves the floor this long before the pelvis starts moving."""

    min_speed_mps: float = 0.09
    min_gap_s: float = 0.2
    max_pair_gap_s: float = 1.0
    lift_lead_s: float = 0.1

    def humps(self, m: Motion) -> list[Hump]:
        """Lateral leg moves (velocity humps), in time order."""
        v = velocity_mps(m.acc_lin_g[:, 1], m.rate_hz, hp_hz=VELOCITY_HP_HZ)
        return find_humps(v, m.rate_hz, self.min_speed_mps, self.min_gap_s)

    def pair(self, humps: list[Hump], rate_hz: float) -> list[tuple[Hump, Hump | None]]:
        """(lead, trail) pairs: within a same-direction run, even humps lead, odd ones trail."""
        pairs: list[tuple[Hump, Hump | None]] = []
        k = 0
        while k < len(humps):
            lead = humps[k]
            nxt = humps[k + 1] if k + 1 < len(humps) else None
            if nxt is not None and nxt.sign == lead.sign and (nxt.onset - lead.offset) < self.max_pair_gap_s * rate_hz:
                pairs.append((lead, nxt))
                k += 2
            else:
                pairs.append((lead, None))
                k += 1
        return pairs

    def detect(self, m: Motion) -> list[RepWindow]:
        """Lateral steps of the set (needs the 6-axis stream)."""
        if m.acc_lin_g is None:
            return []
        pairs = self.pair(self.humps(m), m.rate_hz)
        # A lone move is a weight shift, not a step (a step is lead + trail).
        pairs = [(a, b) for a, b in pairs if b is not None]
        v_lat = velocity_mps(m.acc_lin_g[:, 1], m.rate_hz, hp_hz=VELOCITY_HP_HZ)
        z = cumtrapz0(velocity_mps(m.acc_lin_g[:, 2], m.rate_hz, hp_hz=0.3), 1.0 / m.rate_hz)
        z = highpass(z, 0.3, m.rate_hz)
        lift = int(self.lift_lead_s * m.rate_hz)
        reps: list[RepWindow] = []
        for k, (lead, trail) in enumerate(pairs):
            start = max(0, lead.onset - lift)
            nxt = pairs[k + 1][0].onset - lift if k + 1 < len(pairs) else len(m.t_s) - 1
            end = min(nxt, trail.offset + 2 * lift)
            side = LEFT if lead.sign > 0 else RIGHT
            dist = float(abs(np.sum(v_lat[lead.onset : trail.offset])) / m.rate_hz)
            bob_cm = 100.0 * float(np.ptp(z[start:end])) if end > start else 0.0
            # Measure while the lead leg is lifted: from lift-off to the end of its move.
            win = (start, min(end, lead.offset + lift))
            reps.append(RepWindow(start, end, side, win, side,
                                  metrics={"step_m": round(dist, 3), "bob_cm": round(bob_cm, 1)}))
        return reps
