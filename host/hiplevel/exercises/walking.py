"""Walking: one rep per step, side = stance leg, drop = peak drop of the swing side.

Steps: each initial contact is a peak of the pelvis' upward acceleration (the body is lowest and
decelerating its fall at heel strike). Turns rotate the pelvis about the vertical and do not touch
the vertical acceleration, so they neither add nor hide contacts. A step runs from one contact to
the next; contacts more than `max_step_s` apart end a walking bout (standing, fidgets: no reps).

Stance side, from the signal: the pelvis shifts over the stance foot, so within a step the lateral
acceleration points away from the stance side, and the pelvis rotates forward on the swing side
(yaw rate toward the stance side). Steps alternate, so the evidence of the whole bout decides one
parity; a turn's centripetal acceleration only biases a few steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal as sps

from hiplevel.constants import LEFT, RIGHT, Side, other_side
from hiplevel.exercises.base import Motion, RepWindow, highpass
from hiplevel.signal.filters import moving_mean, zero_phase_lowpass


@dataclass(frozen=True)
class WalkingDetector:
    """Parameters (units in the names).

    contact_min_g: least upward pelvis acceleration of a contact (normal walking ~0.2-0.4 g);
    min_step_s / max_step_s: plausible step durations (cadence 200-40 steps/min);
    min_bout_steps: shorter sequences are not walking (a shuffle of the feet)."""

    contact_min_g: float = 0.08
    min_step_s: float = 0.3
    max_step_s: float = 1.5
    min_bout_steps: int = 3
    smooth_hz: float = 4.0

    def contacts(self, m: Motion) -> np.ndarray:
        """Sample indices of initial contacts."""
        if m.acc_lin_g is None:
            return self._contacts_from_roll(m)
        av = zero_phase_lowpass(m.acc_lin_g[:, 2], self.smooth_hz, m.rate_hz)
        peaks, _ = sps.find_peaks(av, height=self.contact_min_g, distance=int(self.min_step_s * m.rate_hz),
                                  prominence=self.contact_min_g)
        return peaks

    def _contacts_from_roll(self, m: Motion) -> np.ndarray:
        # Roll stream only: the swing side starts to drop at contact, so contacts are the zero
        # crossings of the step-band roll (one per step, alternating direction).
        r = highpass(zero_phase_lowpass(m.roll_deg, self.smooth_hz, m.rate_hz), 0.4, m.rate_hz)
        amp = np.abs(r) > 0.5
        z = np.flatnonzero(np.diff(np.sign(r)) != 0)
        keep = [i for i in z if amp[max(0, i - int(0.3 * m.rate_hz)) : i + int(0.3 * m.rate_hz)].any()]
        return np.asarray(keep, dtype=int)

    def bouts(self, contacts: np.ndarray, rate_hz: float) -> list[np.ndarray]:
        """Contacts grouped into walking bouts (gaps > max_step_s split them)."""
        if len(contacts) == 0:
            return []
        gaps = np.flatnonzero(np.diff(contacts) > self.max_step_s * rate_hz) + 1
        return [b for b in np.split(contacts, gaps) if len(b) - 1 >= self.min_bout_steps]

    def stance_evidence(self, m: Motion, c: np.ndarray) -> np.ndarray:
        """Per step (len(c)-1): > 0 suggests left stance, < 0 right stance."""
        n = len(c) - 1
        step = int(np.median(np.diff(c)))
        if m.acc_lin_g is not None:
            # Remove anything slower than a stride (turn: centripetal acceleration, heading rate).
            lat = m.acc_lin_g[:, 1] - moving_mean(m.acc_lin_g[:, 1], 2 * step)
            yaw = m.gyro_dps[:, 2] - moving_mean(m.gyro_dps[:, 2], 2 * step)
            e_lat = np.array([-lat[c[k] + (c[k + 1] - c[k]) // 4 : c[k + 1] - (c[k + 1] - c[k]) // 4].mean() for k in range(n)])
            e_yaw = np.array([yaw[c[k] : c[k + 1]].mean() for k in range(n)])
            return e_lat / (np.abs(e_lat).mean() + 1e-9) + e_yaw / (np.abs(e_yaw).mean() + 1e-9)
        # Roll only: the swing side drops, so roll leans toward + on left stance.
        roll = m.roll_deg - moving_mean(m.roll_deg, 2 * step)
        return np.array([roll[c[k] : c[k + 1]].mean() for k in range(n)])

    def detect(self, m: Motion) -> list[RepWindow]:
        """Steps of every walking bout in the set."""
        reps: list[RepWindow] = []
        for c in self.bouts(self.contacts(m), m.rate_hz):
            e = self.stance_evidence(m, c)
            alt = np.where(np.arange(len(e)) % 2 == 0, 1.0, -1.0)
            first: Side = LEFT if float(np.sum(alt * e)) >= 0 else RIGHT
            for k in range(len(c) - 1):
                stance = first if k % 2 == 0 else other_side(first)
                a, b = int(c[k]), int(c[k + 1])
                reps.append(RepWindow(a, b, stance, (a, b), other_side(stance),
                                      metrics={"step_s": round((b - a) / m.rate_hz, 3)}))
        return reps
