"""Clamshell (side-lying, level 1): one rep per opening of the top knee.

side = the working leg = the top leg. The fault is the pelvis rolling back instead of the hip
rotating (domain primer). Frames: side-lying rolls the pelvis ~90 deg about its forward axis, so
gravity lies along the body y axis (roll about -90 deg = right side up = right leg working, +90 =
left). Rolling back is a rotation about the body's long axis, body **z** (cranial): the front of the
pelvis turns toward the ceiling. Gravity being along y, that rotation tilts the forward axis x out
of the horizontal, so it is seen by the accelerometer as the gravity-referenced *pitch* (elevation
of the forward axis, + = front down): roll-back = -(pitch - lying neutral pitch), the same for
either side. The gyro sees it as a body z rate (negative with the right leg working).

Neutral: the first still stretch of the side-lying (not the standing before it). Reps: a pelvis-
worn sensor cannot see the knee, only the pelvis' reaction: the hip rotators that lift the knee
also pull the pelvis back a little (~1 deg in a clean rep), so each rep is one roll-back bump of at
least `min_rollback_deg`, in a run of at least three at a steady pace, duration and size (a set;
fidgets while lying come at random). Reported per rep: `drop_deg` = `rollback_deg` (peak roll-back below the
lying neutral, deg), `lying_pitch_deg` (the neutral).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.constants import LEFT, RIGHT
from hiplevel.exercises.base import Motion, RepWindow
from hiplevel.exercises.step_down import pitch_bumps
from hiplevel.signal.filters import zero_phase_lowpass
from hiplevel.signal.neutral import runs


@dataclass(frozen=True)
class ClamshellDetector:
    """Parameters (units in the names).

    lying_roll_deg: |roll| from standing beyond which the person lies on the side;
    stable_roll_deg: reps only where the roll stays this close to the lying pose (not while lying
        down or getting up); min_lying_s: shortest side-lying worth analysing;
    neutral_min_s: the still side-lying that gives the neutral lasts at least this, after settle_s;
    min_rollback_deg: least roll-back of a rep, both as a bump and below the neutral (clean reps
        ~1 deg; quiet lying sways ~0.05 deg SD);
    min_rep_s / max_rep_s: plausible duration of one opening and closing (a controlled rep takes
        2-4 s, 1-2 s each way; a shifting leg or a crossed foot while lying tilts the pelvis for
        0.7-1.5 s);
    min_set_reps, max_cadence_ratio, max_duration_ratio, max_size_ratio: reps come in sets at a
        steady pace (`in_sets`): at least 3 in a row whose start-to-start intervals, durations and
        roll-backs each stay within these ratios (longest / shortest; a clean set's roll-backs vary
        0.8-2 deg, 2.5x);
    end_guard_s: a bump ending this close to the end of the side-lying is the start of getting up."""

    lying_roll_deg: float = 60.0
    stable_roll_deg: float = 12.0
    min_lying_s: float = 4.0
    neutral_min_s: float = 1.5
    settle_s: float = 0.5
    end_guard_s: float = 1.0
    min_rollback_deg: float = 0.4
    min_rep_s: float = 1.6
    max_rep_s: float = 8.0
    min_set_reps: int = 3
    max_cadence_ratio: float = 1.5
    max_duration_ratio: float = 1.6
    max_size_ratio: float = 3.0

    def lying_neutral(self, m: Motion, a: int, b: int) -> tuple[int, float]:
        """(index where reps may start, neutral pitch in deg) of the side-lying [a, b): the median
        pitch over neutral_min_s of its first still stretch, after settle_s (lying down ends with a
        slow settling that the rest test already calls still). Small reps do not break the "still"
        of the rest test, so only the stretch's start is sure to be quiet."""
        n, settle = max(2, int(self.neutral_min_s * m.rate_hz)), int(self.settle_s * m.rate_hz)
        for s, e in runs(m.still[a:b]):
            if e - s >= n + settle:
                i = a + s + settle
                return i, float(np.median(m.pitch_deg[i : i + n]))
        # No still stretch: the first second (a worse neutral, never none).
        return a, float(np.median(m.pitch_deg[a : a + n]))

    def detect(self, m: Motion) -> list[RepWindow]:
        """Openings of the top knee in every side-lying stretch of the set."""
        reps: list[RepWindow] = []
        roll = zero_phase_lowpass(m.roll_deg, 2.0, m.rate_hz) if len(m.roll_deg) > 30 else m.roll_deg
        for a, b in runs(np.abs(roll) > self.lying_roll_deg):
            if (b - a) / m.rate_hz < self.min_lying_s:
                continue
            pose = float(np.median(roll[a:b]))
            stable = runs(np.abs(roll[a:b] - pose) < self.stable_roll_deg)
            if not stable:
                continue
            s0, s1 = max(stable, key=lambda r: r[1] - r[0])
            a, b = a + s0, a + s1
            side = RIGHT if pose < 0 else LEFT  # roll < 0: the right side is higher, on top
            start, neutral = self.lying_neutral(m, a, b)
            rollback = neutral - m.pitch_deg
            found: list[tuple[int, int, float]] = []
            for bump in pitch_bumps(rollback[start:b], m.rate_hz, self.min_rollback_deg, self.min_rep_s, self.max_rep_s):
                i0, i1 = start + bump.onset, start + bump.offset + 1
                peak = float(np.max(rollback[i0:i1]))
                if peak < self.min_rollback_deg or b - i1 < self.end_guard_s * m.rate_hz:
                    continue  # a sway of the pelvis (e.g. before getting up), not a rep
                found.append((i0, i1, peak))
            for i0, i1, peak in self.in_sets(found):
                reps.append(RepWindow(i0, i1 - 1, side, (i0, i1), side, drop_deg=peak, metrics={
                    "rollback_deg": round(peak, 3), "lying_pitch_deg": round(neutral, 2)}))
        return reps

    def in_sets(self, bumps: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
        """The roll-back bumps (start, end, peak) that belong to a set: runs of at least
        min_set_reps consecutive bumps at a steady cadence (longest start-to-start interval at most
        max_cadence_ratio times the shortest), of a steady duration (max_duration_ratio) and of a
        like size (max_size_ratio). Fidgets while lying come at random moments, last and move the
        pelvis as they happen to; a set repeats one movement at one pace."""
        if len(bumps) < self.min_set_reps:
            return []
        starts = np.array([float(b[0]) for b in bumps])
        durations = np.array([float(b[1] - b[0]) for b in bumps])
        peaks = np.array([b[2] for b in bumps])
        keep = np.zeros(len(bumps), bool)
        k = 0
        while k < len(bumps):
            # The longest steady run from bump k.
            e = k + 1
            while e < len(bumps):
                iv, dur, size = np.diff(starts[k : e + 1]), durations[k : e + 1], peaks[k : e + 1]
                if (np.max(iv) > self.max_cadence_ratio * np.min(iv)
                        or np.max(dur) > self.max_duration_ratio * np.min(dur)
                        or np.max(size) > self.max_size_ratio * np.min(size)):
                    break
                e += 1
            if e - k >= self.min_set_reps:
                keep[k:e] = True
                k = e
            else:
                k += 1
        return [b for b, ok in zip(bumps, keep) if ok]
