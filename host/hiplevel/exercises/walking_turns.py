"""Walking: one step split in two by a bump inside it (a pivot in a turn; `WalkingDetector`'s
split_step_ratio, documented there).

In slow turning the pelvis' upward acceleration peaks at a foot's lift-off as often as at its
contact (docs/analysis.md, "Walking on real people"), and a turning step's double support is long
(the pelvis pivots on both feet, 0.3-0.55 s). Such a step can give two candidate contacts, its
heel strike and the other foot's lift-off, so it becomes two reps, one of them short (the double
support or the single support alone), and the stance-side chain, which sees one stance leg
throughout, gives both reps the same side. Two alternating steps never share a stance leg; a
repeated foot in a turn keeps the pace of a step in each rep (ipol-dev: the shorter of such a
pair 0.81-1.02 median steps, both real; split steps 0.53-0.76). So two consecutive steps of one
stance side, the shorter of them at most split_step_ratio median steps, are one step: the rep
whose side evidence is weaker (its `side_confidence`: the double support mixes both legs' cues)
is not a step (ipol-dev: the weaker rep is the one without a truth step in 7 of 8 such pairs,
stroke-dev 1 of 1; the eighth is a near tie, 0.64 against 0.67). This is what a pivot does, so
the pair must lie in a turn: the pelvis turns by at least min_turn_deg from half a second before
the pair to half a second after it (ipol-dev: split pairs in the U-turn 106-187 deg; the two pairs
in the shuffling after the walk 58-78 deg, one of them the near tie; straight walking and a
treadmill under 15 deg).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hiplevel.constants import Side
from hiplevel.signal.exact_median import median


def pair_turns_deg(yaw_rate_dps: np.ndarray, contacts: np.ndarray, rate_hz: float, pad_s: float = 0.5) -> np.ndarray:
    """How far the pelvis turns about its vertical axis over each pair of consecutive steps of a
    bout, deg (len(contacts) - 2,): the range of the integrated yaw rate from pad_s before the
    pair's first contact to pad_s after its last. yaw_rate_dps: the pelvis' yaw rate (N,)."""
    n = len(contacts) - 2
    if n <= 0:
        return np.zeros(0)
    pad = int(round(pad_s * rate_hz))
    lo, hi = max(0, int(contacts[0]) - pad), min(len(yaw_rate_dps), int(contacts[-1]) + pad + 1)
    heading = np.cumsum(yaw_rate_dps[lo:hi]) / rate_hz
    out = np.empty(n)
    for k in range(n):
        a = max(0, int(contacts[k]) - pad - lo)
        b = min(len(heading), int(contacts[k + 2]) + pad + 1 - lo)
        out[k] = float(np.ptp(heading[a:b])) if b > a else 0.0
    return out


def split_step_reps(steps_s: Sequence[float], sides: Sequence[Side], confidence: Sequence[float],
                    turns_deg: Sequence[float], max_ratio: float, min_turn_deg: float) -> set[int]:
    """Positions of the reps that are the weaker half of a split step: of two consecutive steps
    with the same stance side, the shorter at most max_ratio of the median step, turning the
    pelvis by at least min_turn_deg, the one with the lower side confidence (the earlier one on a
    tie). steps_s, sides, confidence: one bout's steps in order (edge swings left out), their
    lengths (s), stance sides and side confidences; turns_deg: `pair_turns_deg` of steps k and
    k + 1 at k. A step already dropped pairs with no other. max_ratio 0 disables."""
    n = len(steps_s)
    out: set[int] = set()
    if max_ratio <= 0 or n < 2:
        return out
    limit = max_ratio * float(median(steps_s))
    k = 0
    while k < n - 1:
        if sides[k] == sides[k + 1] and min(steps_s[k], steps_s[k + 1]) <= limit and turns_deg[k] >= min_turn_deg:
            out.add(k + 1 if confidence[k + 1] < confidence[k] else k)
            k += 2
        else:
            k += 1
    return out
