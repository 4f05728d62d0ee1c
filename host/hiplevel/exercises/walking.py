"""Walking: one rep per step, side = stance leg, drop = peak drop of the swing side.

Works on any stretch of walking in a longer recording (daily life: sitting, standing, turning,
short bouts), not only on one set after quiet standing.

Steps: each initial contact is a peak of the pelvis' upward acceleration in the world frame (the
body is lowest and decelerating its fall at heel strike); projecting on the fused up-vector keeps
contacts full-size when the pelvis is pitched (a bent-forward walk, a neutral taken seated). Turns
rotate the pelvis about the vertical and do not touch it, so they neither add nor hide contacts.
Contacts near a fast pitch rotation (sitting down, standing up, bending) are dropped. Gait bouts
are found from the contacts themselves: contacts at most `max_step_s` apart form a bout, weak
contacts at its edges (the weight shift before the first step) are trimmed, and a bout needs
`min_bout_steps` steps; standing, sitting and fidgets give isolated bumps, so no reps.

Stance side, from the signal: the pelvis shifts over the stance foot, so within a step the lateral
acceleration points away from the stance side, and the pelvis rotates forward on the swing side
(yaw rate toward the stance side). Steps alternate, so the evidence of a run of steps decides one
parity; a pause (a step longer than `parity_gap_s`) starts a new run, since shuffles and turns on
the spot can repeat a foot. A turn's centripetal acceleration only biases a few steps.

Measured on mobgap-lowback (3 people, INDIP reference, `python -m bench --only 3`): straight walks
every step and side; simulated daily life, all trials pooled: sensitivity 74 %, precision 92 %,
side 90 % (mobgap 69 / 86 / 82 %). The misses are slow, soft steps with < 0.035 g at the pelvis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal as sps

from hiplevel.constants import LEFT, RIGHT, Side, other_side
from hiplevel.exercises.base import Motion, RepWindow, highpass
from hiplevel.signal.filters import moving_mean, zero_phase_lowpass
from hiplevel.signal.fusion import roll_pitch_to_up
from hiplevel.signal.neutral import neutral_roll, standing_before


def vertical_acc_g(m: Motion) -> np.ndarray:
    """Upward linear acceleration of the pelvis in the world frame, g (N,): the levelled-frame
    linear acceleration projected on the up-vector, so a pelvis pitched by posture (a bent-forward
    walk, a neutral taken while seated) still sees the contacts at full size."""
    up = roll_pitch_to_up(m.roll_deg, m.pitch_deg)
    return np.einsum("ij,ij->i", m.acc_lin_g, up)


@dataclass(frozen=True)
class WalkingDetector:
    """Parameters (units in the names).

    contact_min_g: least upward pelvis acceleration (and prominence) of a contact; brisk walking
        gives 0.2-0.4 g, slow daily-life steps and shuffles 0.04-0.1 g (mobgap-lowback Test11);
    min_step_s / max_step_s: plausible step durations; a longer gap ends a bout (daily-life
        stepping around a room pauses up to ~2 s between steps);
    min_bout_steps: shorter sequences are not walking (a shuffle of the feet, a weight shift);
    edge_min_fraction: a bout's first and last contacts must reach this fraction of the bout's
        median contact (the weight shift before the first step is a small bump of its own);
    smooth_hz: low-pass of the vertical acceleration;
    parity_gap_s: a step longer than this restarts the left/right alternation;
    max_pitch_rate_dps: contacts within 0.3 s of a faster pitch rotation are dropped (sitting
        down, standing up, bending: 80-150 deg/s; walking rocks the pelvis at < 40 deg/s); 0 disables;
    evidence_weights: weights of the lateral-acceleration and yaw-rate stance evidence;
    contact_lead_s: the upward-acceleration peak (after the 4 Hz low-pass) lags the foot's initial
        contact; contacts are reported this much before the peak (mobgap-lowback: the peak lags
        INDIP by 41 ms and Stereophoto by 49 ms, median)."""

    contact_min_g: float = 0.035
    min_step_s: float = 0.3
    max_step_s: float = 2.2
    min_bout_steps: int = 3
    edge_min_fraction: float = 0.4
    smooth_hz: float = 4.0
    parity_gap_s: float = 1.2
    max_pitch_rate_dps: float = 80.0
    evidence_weights: tuple[float, float] = (1.0, 1.0)
    contact_lead_s: float = 0.04

    def contacts(self, m: Motion) -> np.ndarray:
        """Sample indices of candidate initial contacts."""
        return self._contacts(m)[0]

    def _contacts(self, m: Motion) -> tuple[np.ndarray, np.ndarray | None]:
        """Candidate contacts and their heights, g (None for a roll stream)."""
        if m.acc_lin_g is None:
            return self._contacts_from_roll(m), None
        av = zero_phase_lowpass(vertical_acc_g(m), self.smooth_hz, m.rate_hz)
        peaks, _ = sps.find_peaks(av, height=self.contact_min_g, distance=max(1, int(self.min_step_s * m.rate_hz)),
                                  prominence=self.contact_min_g)
        if self.max_pitch_rate_dps > 0 and m.gyro_dps is not None and len(peaks):
            # Sitting down, standing up and bending pitch the pelvis fast; walking rocks it gently.
            pr = np.abs(zero_phase_lowpass(m.gyro_dps[:, 1], 2.0, m.rate_hz))
            half = max(1, int(0.3 * m.rate_hz))
            near = _moving_max(pr, half)
            peaks = peaks[near[peaks] <= self.max_pitch_rate_dps]
        heights = av[peaks]
        # A lead of a few samples keeps the order of contacts (they are >= min_step_s apart).
        return np.maximum(peaks - int(round(self.contact_lead_s * m.rate_hz)), 0), heights

    def _contacts_from_roll(self, m: Motion) -> np.ndarray:
        # Roll stream only: the swing side starts to drop at contact, so contacts are the zero
        # crossings of the step-band roll (one per step, alternating direction).
        r = highpass(zero_phase_lowpass(m.roll_deg, self.smooth_hz, m.rate_hz), 0.4, m.rate_hz)
        amp = np.abs(r) > 0.5
        z = np.flatnonzero(np.diff(np.sign(r)) != 0)
        keep = [i for i in z if amp[max(0, i - int(0.3 * m.rate_hz)) : i + int(0.3 * m.rate_hz)].any()]
        return np.asarray(keep, dtype=int)

    def bouts(self, contacts: np.ndarray, rate_hz: float, heights: np.ndarray | None = None) -> list[np.ndarray]:
        """Contacts grouped into walking bouts: gaps > max_step_s split them, weak edge contacts
        (below edge_min_fraction of the bout's median height) are trimmed, and bouts of fewer
        than min_bout_steps steps are dropped."""
        if len(contacts) == 0:
            return []
        cuts = np.flatnonzero(np.diff(contacts) > self.max_step_s * rate_hz) + 1
        h = np.ones(len(contacts)) if heights is None else np.asarray(heights, float)
        out = []
        for c, hc in zip(np.split(contacts, cuts), np.split(h, cuts)):
            floor = self.edge_min_fraction * float(np.median(hc))
            a, b = 0, len(c)
            while a < b and hc[a] < floor:
                a += 1
            while b > a and hc[b - 1] < floor:
                b -= 1
            if b - a - 1 >= self.min_bout_steps:
                out.append(c[a:b])
        return out

    def stance_evidence(self, m: Motion, c: np.ndarray) -> np.ndarray:
        """Per step (len(c)-1): > 0 suggests left stance, < 0 right stance."""
        step = int(np.median(np.diff(c)))
        # Only the bout and a stride either side matter (a long recording has many bouts).
        lo, hi = max(0, int(c[0]) - 2 * step), min(len(m.t_s), int(c[-1]) + 2 * step + 1)
        c = c - lo
        if m.acc_lin_g is not None and m.gyro_dps is not None:
            # Remove anything slower than a stride (turn: centripetal acceleration, heading rate).
            lat, yaw = m.acc_lin_g[lo:hi, 1], m.gyro_dps[lo:hi, 2]
            lat = lat - moving_mean(lat, 2 * step)
            yaw = yaw - moving_mean(yaw, 2 * step)
            q = (c[1:] - c[:-1]) // 4
            e_lat = -_segment_means(lat, c[:-1] + q, c[1:] - q)
            e_yaw = _segment_means(yaw, c[:-1], c[1:])
            wl, wy = self.evidence_weights
            return wl * e_lat / (np.abs(e_lat).mean() + 1e-9) + wy * e_yaw / (np.abs(e_yaw).mean() + 1e-9)
        # Roll only: the swing side drops, so roll leans toward + on left stance.
        roll = m.roll_deg[lo:hi] - moving_mean(m.roll_deg[lo:hi], 2 * step)
        return _segment_means(roll, c[:-1], c[1:])

    def stance_sides(self, m: Motion, c: np.ndarray) -> list[Side]:
        """Stance leg of each step of one bout (contacts c): steps alternate within a run of
        steps without a pause, so each run's evidence decides one parity; a pause longer than
        `parity_gap_s` may hide a second step by the same foot (a shuffle, a turn on the spot)."""
        e = self.stance_evidence(m, c)
        dur = np.diff(c) / m.rate_hz
        long_step = np.flatnonzero(dur > self.parity_gap_s)
        # A long step is a run of its own: cut before and after it.
        cuts = np.union1d(long_step, long_step + 1)
        cuts = cuts[(cuts > 0) & (cuts < len(e))]
        sides: list[Side] = []
        for run in np.split(np.arange(len(e)), cuts):
            alt = np.where(np.arange(len(run)) % 2 == 0, 1.0, -1.0)
            first: Side = LEFT if float(np.sum(alt * e[run])) >= 0 else RIGHT
            sides += [first if k % 2 == 0 else other_side(first) for k in range(len(run))]
        return sides

    def detect(self, m: Motion) -> list[RepWindow]:
        """Steps of every walking bout in the set."""
        reps: list[RepWindow] = []
        idx, heights = self._contacts(m)
        for c in self.bouts(idx, m.rate_hz, heights):
            neutral = bout_neutral(m, c)
            for k, stance in enumerate(self.stance_sides(m, c)):
                a, b = int(c[k]), int(c[k + 1])
                reps.append(RepWindow(a, b, stance, (a, b), other_side(stance),
                                      metrics={"step_s": round((b - a) / m.rate_hz, 3), **neutral}))
        return reps


def bout_neutral(m: Motion, c: np.ndarray) -> dict:
    """The neutral of one bout in daily-life data: the quiet standing nearest before it (upright
    like the walk itself, not seated), as its roll relative to the set's neutral, deg, and its
    time, s. Fallback when there is none within the lookback: the set's neutral (offset 0,
    "bout_neutral_s": None). Reported in each step's metrics; the analysis measures each step's
    drop against it (`analysis.window_drop_deg`)."""
    walk_pitch = float(np.median(m.pitch_deg[c[0] : c[-1] + 1]))
    span = standing_before(m.still, m.t_s, m.pitch_deg, int(c[0]), walk_pitch)
    if span is None:
        return {"bout_neutral_deg": 0.0, "bout_neutral_s": None}
    return {"bout_neutral_deg": round(neutral_roll(m.roll_deg, span), 2), "bout_neutral_s": round(float(m.t_s[span[0]]), 2)}


def _segment_means(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Means of x[a_k:b_k] (at least one sample each) from one cumulative sum."""
    cs = np.r_[0.0, np.cumsum(x)]
    b = np.maximum(b, a + 1)
    return (cs[b] - cs[a]) / (b - a)


def _moving_max(x: np.ndarray, half: int) -> np.ndarray:
    """Centred moving maximum over 2*half+1 samples."""
    from scipy.ndimage import maximum_filter1d

    return maximum_filter1d(x, 2 * half + 1, mode="nearest")
