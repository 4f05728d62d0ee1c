"""Where a band walk's lateral velocity halts between two moves one way when it drifts against the
way by more than a small trail's speed (`band_moves.lateral_velocity_mps`, its second pass).

A run of steps with no standstill drifts (the fusion's tilt error; `band_phase`). Drifting
against the way, the velocity reads above zero (against the way) at both halts of a lead-then-trail
step, after the lead and in the pause, and its small trail (a heavy lead's: 2-4 cm, 0.03-0.05 m/s)
is a dip between two crests against the way. Held at the trough between the leads or at their zero
crossings (the crests read as humps back, moves of their own), the drift stays and the trail is
lost: the lead stands alone, its trail and pause a move back (bench.physics seed 2 case 9: 13 cm
steps of 2 s, 81 % lead, 0.2 s pauses, drift +0.04-0.08 m/s against the way). Whatever the profile,
the pelvis keeps to the way between two leads but for a counter-shift, so the drift there is
the velocity's envelope against the way: its crests (`crests`), the halts. Two crests with a dip
between them at least DIP_MPS deep are the halts of a step whose trail the drift hid; a single
crest is the halt between two moves, as the trough always was (kept to `band_moves.halt`).
"""

from __future__ import annotations

import numpy as np

# Two crests against the way are two halts when the velocity between them dips toward the way by at
# least this (m/s) below the lower of them: the trail hidden between them (a 2.5 cm trail in
# 0.9 s peaks at 0.04 m/s; bench.physics case 9's settings, seeds 2 and 10-15: 0.031-0.075 over 28
# steps, and 0.000 beside a third crest, a shoulder). A counter-shift rising out of a pause, or the
# velocity settling after a lead then a pause, has no valley below both its crests but the pause's
# jitter.
DIP_MPS = 0.01


# ...and when neither reads against the way faster than this (m/s): the drift of a run of steps is
# slow (case 9's settings, seeds 2 and 10-15: crests 0.047-0.083 m/s over 14 steps), a move back
# is not (hiplevel.sim's stepping-about scene, one move aside and two back without standing
# between them, section 7 seed 20262208: 0.189 m/s; taken for a drift, it gave 3 false steps).
MAX_DRIFT_MPS = 0.125


def crests(v: np.ndarray, a_peak: int, b_peak: int, way: int) -> list[int]:
    """Indices of the crests against the way (way: +1 or -1, the moves' sign) of velocity v (m/s)
    strictly between the peaks a_peak < b_peak of two moves one way: its local maxima against the way
    on the upper hull of those maxima and the two peaks (a crest under the line joining its
    neighbours is a wiggle of the dip between them), each reading against the way (above zero)."""
    s = -way * v[a_peak : b_peak + 1]
    inner = np.flatnonzero((s[1:-1] > s[:-2]) & (s[1:-1] >= s[2:])) + 1
    pts = [0, *(int(k) for k in inner if s[k] > 0.0), len(s) - 1]
    hull: list[int] = []
    for k in pts:  # upper hull, left to right (monotone chain)
        while len(hull) >= 2 and _cross(s, hull[-2], hull[-1], k) >= 0.0:
            hull.pop()
        hull.append(k)
    return [a_peak + k for k in hull[1:-1]]


def _cross(s: np.ndarray, i: int, j: int, k: int) -> float:
    """> 0 when (j, s[j]) lies under the line from (i, s[i]) to (k, s[k]) (a left turn)."""
    return float((j - i) * (s[k] - s[i]) - (s[j] - s[i]) * (k - i))


def hidden_trail_halts(v: np.ndarray, a_peak: int, b_peak: int, way: int) -> list[int] | None:
    """The two halts of a step whose trail the drift hid between moves one way peaking at a_peak and
    b_peak (velocity v, m/s; way: their sign): the two neighbouring crests against the way
    (`crests`) between which the velocity dips toward the way by at least DIP_MPS below the lower
    of them (`_dip`), when just one such pair is found (a shoulder on a crest, the velocity settling
    after a lead, makes a third crest with no dip beside it) and neither is faster than
    MAX_DRIFT_MPS (a move back); None otherwise."""
    c = crests(v, a_peak, b_peak, way)
    dipped = [(i, j) for i, j in zip(c[:-1], c[1:]) if _dip(v, i, j, way) >= DIP_MPS]
    if len(dipped) != 1 or max(-way * v[k] for k in dipped[0]) > MAX_DRIFT_MPS:
        return None
    return list(dipped[0])


def _dip(v: np.ndarray, i: int, j: int, way: int) -> float:
    """How far (m/s) velocity v dips toward the way between i < j below the lower of its values
    there (a valley: the rising flank of a move back, a counter-shift after a pause, lies under
    the line joining two crests but not under both)."""
    s = -way * v[i : j + 1]
    return float(min(s[0], s[-1]) - np.min(s))
