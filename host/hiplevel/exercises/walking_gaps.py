"""Walking: a short bout whose pace breaks at one long step that holds a missed contact
(`WalkingDetector`'s pace rule, `walking_bouts.missed_contact`; its parameters below).

A short bout (<= short_bout_steps steps) must keep one pace in every step: a few bumps while
standing up or fidgeting come at any intervals. In slow daily-life walking one soft contact can
stay under the contact floor, though, and its two steps then read as one long step (mobgap-lowback
Test11, HA_002 at 74-80 s: five steps, one of 1.9 median steps, the INDIP lists a contact in it).
Such a bout is kept when two cues agree: the timing (that step alone breaks the pace, and it is
as long as about two steps: irregular_ratio..missed_step_ratio median steps) and the pelvis (the
upward acceleration has a peak of at least missed_contact_fraction of the contact floor in the
middle of that step, 0.3-0.7 of it, where the missed contact lands).

The detector's parameters missed_step_ratio, missed_contact_fraction: a short bout whose pace
breaks at one step only is still walking when that step is long (irregular_ratio..missed_step_ratio
median steps: two steps with a contact missed between them) and the upward acceleration peaks in
its middle at missed_contact_fraction of contact_min_g or more (the missed, soft contact; HA_002
above: 1.9 median steps, a 30 mg peak at 0.43 of it); missed_contact_fraction 0 disables. A long
step in a turn is split at such a peak too (`walking_turns`).
"""

from __future__ import annotations

import numpy as np

from hiplevel.signal.exact_median import median
from hiplevel.signal.peaks import find_peaks

MIDDLE = (0.3, 0.7)  # where in a two-step gap its missed contact may lie (of the gap)


def one_long_step(steps: np.ndarray, irregular_ratio: float, missed_step_ratio: float) -> int | None:
    """The index of the one step that breaks a bout's pace, when it is the only one and long
    (irregular_ratio < its length / median <= missed_step_ratio); None otherwise. steps: the
    bout's step lengths (any unit)."""
    r = np.asarray(steps, float) / float(median(steps))
    odd = np.flatnonzero((r > irregular_ratio) | (r < 1.0 / irregular_ratio))
    if len(odd) != 1 or not irregular_ratio < r[odd[0]] <= missed_step_ratio:
        return None
    return int(odd[0])


def holds_a_contact(upward_g: np.ndarray, least_g: float) -> bool:
    """Whether the upward acceleration over one long step (g, from its first contact to its
    next) has a peak of at least least_g (height and prominence) in its middle (`MIDDLE`)."""
    return missed_contact_at(upward_g, least_g) is not None


def missed_contact_at(upward_g: np.ndarray, least_g: float) -> int | None:
    """Where the missed contact of one long step lies (`holds_a_contact`): the index in upward_g
    of its highest peak of at least least_g in its middle; None without one."""
    n = len(upward_g)
    if n < 3 or least_g <= 0:
        return None
    peaks, _ = find_peaks(upward_g, height=least_g, prominence=least_g)
    peaks = peaks[(peaks >= MIDDLE[0] * n) & (peaks <= MIDDLE[1] * n)]
    return int(peaks[np.argmax(upward_g[peaks])]) if len(peaks) else None
