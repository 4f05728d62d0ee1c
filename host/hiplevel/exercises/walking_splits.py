"""Walking: a weak bump that splits one step in two (`WalkingDetector`'s bout rules,
`walking_bouts.bouts`; its parameter split_bump_fraction below).

A bout's contacts are peaks of the pelvis' upward acceleration; now and then a small bump inside a
step clears the contact floor as well (stroke-dev mr_pp09: 37-39 mg, 0.13-0.14 of the bout's
median contact, 0.33-0.44 s after one heel strike and 0.38-0.44 s before the next). It reads as two
short steps of alternating stance: an extra rep, and the real step's rep cut at the bump. Three
cues must agree before such a contact is dropped: it is weak (under split_bump_fraction of the
bout's median contact, and weaker than both neighbours), both of its steps are short (under the
bout's median step) and together they make one regular step (1/irregular_ratio..irregular_ratio
median steps). The height is the cue with the least margin: real soft heel strikes in the same
timing (next to a contact found off in time) reach 0.28-0.34 of the median (mobgap-lowback HA_002
and MS_001, INDIP contacts), so the fraction sits between the two, at 0.2.

The detector's split_bump_fraction: a bout's interior contact under this fraction of its median
contact (and under both neighbours) whose two steps are both shorter than the median step and
together one regular step is a bump inside that step, not a contact, and is dropped
(`split_step_bumps`; stroke-dev: such bumps at 0.13-0.14 of the median; mobgap-lowback: real weak
contacts in the same timing at 0.28-0.34: 0.4 dropped an INDIP step); 0 disables.

A rep dropped later as half of a split step (`walking_turns.split_step_reps`) is no step either:
the step before it closes where it closed (`closing_past`), so the contacts a walk lists (each
rep's `contact_s` and `closing_contact_s`) agree with its reps.
"""

from __future__ import annotations

import numpy as np

from hiplevel.signal.exact_median import median


def split_step_bumps(c: np.ndarray, h: np.ndarray, weak_fraction: float, irregular_ratio: float) -> np.ndarray:
    """Which of a bout's contacts to keep (bool (K,)): False for an interior contact that splits
    one regular step in two (see the module). c: the contacts (samples, increasing), h: their
    heights (g); weak_fraction: of the bout's median height (0 keeps all)."""
    keep = np.ones(len(c), dtype=bool)
    if weak_fraction <= 0 or len(c) < 4:
        return keep
    steps = np.diff(np.asarray(c, dtype=float))
    med, weak = float(median(steps)), weak_fraction * float(median(h))
    # Each interior contact's test at once (a loop of numpy scalars cost ~2 k instructions a
    # contact): h[k] under min(h[k - 1], h[k + 1]) as Python's min takes it (the later one only
    # when it is smaller: NaN as before), then the few candidates in order.
    h = np.asarray(h)
    d1, d2, lo, hi = steps[:-1], steps[1:], h[:-2], h[2:]
    both = d1 + d2
    cand = ((h[1:-1] < weak) & (h[1:-1] < np.where(hi < lo, hi, lo)) & (d1 < med) & (d2 < med)
            & (med / irregular_ratio <= both) & (both <= irregular_ratio * med))
    for k in (np.flatnonzero(cand) + 1).tolist():
        if keep[k - 1]:  # (the step before already merged: its span is no single step any more)
            keep[k] = False
    return keep


def closing_past(closing_s: float | None, dropped: dict[float | None, float | None]) -> float | None:
    """The contact that closes a step (s), past the reps dropped as no step (`walking_turns`' split
    halves): dropped maps each dropped rep's contact to its closing contact (s); a step that closed
    at a dropped rep's contact closes where that rep closed (a chain of them followed through)."""
    if not dropped:  # most bouts drop no rep: nothing to follow (no set made per step)
        return closing_s
    seen = set()
    while closing_s in dropped and closing_s not in seen:
        seen.add(closing_s)
        closing_s = dropped[closing_s]
    return closing_s
