"""Walking: a long step that holds a contact the upward acceleration does not show, found from the
pelvis' lateral sway (`WalkingDetector.bout_cues`; docs/analysis.md, walking round 24).

Contacts are peaks of the pelvis' upward acceleration, and a soft daily-life heel strike can land
without one (mobgap-lowback Test11: 14 of the INDIP's 30 misses have no upward peak of 15 mg or
more within 0.25 s). Its two steps then read as one long step. The lateral sway does not depend
on that peak: the pelvis swings toward each stance foot in turn, so the sway (`smooth_lateral_g`,
2 Hz) changes sign at every contact (the nearest zero crossing to a reference contact lies a
median 0.01-0.03 s from it, 90 % within 0.15 s: ipol-dev, stroke-dev and the INDIP). A long step
(irregular_ratio..missed_step_ratio median steps) whose sway swings both ways, each lobe at least
SWAY_LOBE_RATIO of the bout's median step sway peak (`walking_edges.step_sways`), holds two
steps: the contact between them is the zero crossing between the lobes (the one with the larger
weaker lobe, in the step's middle: `SWAY_MIDDLE`). A long step that only pauses sways one way
(its single support) with at most a small return.

Not in a turn (the pelvis turning by split_turn_deg or more over the step, as `walking_turns`
measures it): the lateral acceleration then carries the turn's centripetal part (ipol-dev's
U-turns: two long steps with no truth contact in them sway both ways at 1.1-1.3 of the step sway);
turning steps are `walking_turns.missed_steps`' (from the upward acceleration). Not the bout's
first or last step: a walk's first contact can be the weight shift before it, and gait initiation
and the stop shift the pelvis both ways on their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hiplevel.exercises.base import Motion
from hiplevel.exercises.walking_edges import bout_sway_g, step_sways
from hiplevel.exercises.walking_turns import run_turns_deg
from hiplevel.signal.exact_median import median

if TYPE_CHECKING:
    from hiplevel.exercises.walking import WalkingDetector

# Each lobe of a long step's two-way sway, against the bout's median step sway peak: long steps
# holding a reference contact 0.69-0.98, those holding none 0-0.39 inside the reference bouts and
# up to 0.47 outside them (docs/thresholds.md; docs/analysis.md, walking round 24); 0 disables.
SWAY_LOBE_RATIO = 0.55
SWAY_MIDDLE = (0.2, 0.8)  # where in a long step the crossing between its lobes may lie (of the step)


def with_sway_contacts(p: WalkingDetector, m: Motion, bouts: list[np.ndarray]) -> list[np.ndarray]:
    """The bouts (contacts, sample indices) with the contacts their long steps' sway shows
    (`sway_contacts`); unchanged without a gyro or lateral acceleration."""
    if SWAY_LOBE_RATIO <= 0 or m.acc_lin_g is None or m.gyro_dps is None:
        return bouts
    return [sway_contacts(p, m, c) for c in bouts]


def sway_contacts(p: WalkingDetector, m: Motion, c: np.ndarray) -> np.ndarray:
    """One bout's contacts c (sample indices) with a contact added in each long step, not its
    first or last and not in a turn, whose sway swings both ways (`two_way_crossing`)."""
    if len(c) < 4:
        return c
    steps = np.diff(c)
    ratio = steps / float(median(steps))
    k = np.flatnonzero((ratio > p.side.irregular_ratio) & (ratio <= p.missed_step_ratio))
    k = k[(k > 0) & (k < len(steps) - 1)]
    if not len(k):
        return c
    k = k[run_turns_deg(m.gyro_dps[:, 2], c, m.rate_hz, (1,))[0][k] < p.split_turn_deg]
    if not len(k):
        return c
    lo, sway = bout_sway_g(m, c)  # the bout's sway alone: the same in any chunk
    at = np.asarray(c, dtype=np.int64) - lo
    least = SWAY_LOBE_RATIO * float(median(step_sways(sway, at)[1]))
    if least <= 0:
        return c
    added = [int(c[j]) + z for j in k.tolist()
             if (z := two_way_crossing(sway[at[j] : at[j + 1]], least)) is not None]
    return np.sort(np.concatenate([c, np.asarray(added, dtype=c.dtype)])) if added else c


def two_way_crossing(sway_g: np.ndarray, least_g: float) -> int | None:
    """Where one long step's sway (g, from its contact to the next) crosses zero between a lobe
    of each sign of at least least_g (their peaks), in SWAY_MIDDLE of the step: the index of the
    first sample after the crossing whose weaker lobe is the larger; None without one."""
    n = len(sway_g)
    z = np.flatnonzero(np.diff(np.sign(sway_g)) != 0) + 1
    z = z[(z >= SWAY_MIDDLE[0] * n) & (z <= SWAY_MIDDLE[1] * n)]
    best, at = least_g, None
    for k in z.tolist():
        s = 1.0 if sway_g[k - 1] > 0 else -1.0
        weaker = min(float(np.max(s * sway_g[:k])), float(np.max(-s * sway_g[k:])))
        if weaker >= best:
            best, at = weaker, k
    return at
