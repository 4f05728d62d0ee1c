"""The clamshell set's pace: intervals between a run's roll-back bumps mended where a lying fidget
moved one bump's centre (`ClamshellDetector.in_sets`)."""

from __future__ import annotations

import numpy as np


def displaced_centres(intervals_s: np.ndarray, pace_s: float, max_ratio: float) -> np.ndarray:
    """Intervals (s) between a run's bump centres, each pair around one displaced centre judged
    by its mean: a short interval next to a long one (one below pace_s, the other above it, one
    of them more than sqrt(max_ratio) off it) whose mean is within max_ratio ** 0.25 of pace_s. A
    lying fidget on one flank of a rep moves its half-height centre by up to half a second: its two
    intervals change by as much either way while its neighbours stay on the beat (physics check,
    seed 0 case 26: 3.00 then 4.57 s at a 3.81 s pace, 1.52x, which broke a 13-rep set; the pairs
    mended in the cases it fixes have means 0.7-10.7 % off the run's pace as it grows). A fidget between
    two reps splits one pace: its pair with the rep's interval before it has a mean 17 % short
    (seed 0 case 58: 2.51 and 1.45 s at 2.39 s), outside the 10.7 % and left to the likeness
    test. Where pairs overlap, the centre displaced the most (the larger of the smaller
    deviations) is taken first."""
    iv = np.array(intervals_s, dtype=float)
    off = np.log(iv / pace_s)
    tol = 0.5 * np.log(max_ratio)
    pairs = [(min(abs(off[k]), abs(off[k + 1])), k) for k in range(len(iv) - 1)
             if off[k] * off[k + 1] < 0 and max(abs(off[k]), abs(off[k + 1])) > tol
             and abs(np.log(0.5 * (iv[k] + iv[k + 1]) / pace_s)) <= 0.5 * tol]
    taken = np.zeros(len(iv), bool)
    for _, k in sorted(pairs, reverse=True):
        if not (taken[k] or taken[k + 1]):
            iv[k] = iv[k + 1] = 0.5 * (iv[k] + iv[k + 1])
            taken[k : k + 2] = True
    return iv
