"""Each walking bout's neutral live: the offline rule while the window holds its inputs, then kept.

Offline, a daily-life walk is measured from the quiet standing before it, looked for up to
`neutral.BOUT_STANDING_LOOKBACK_S` before the bout's first contact (`walking_drops.bout_neutral`).
The live detector runs over a moving window (`OnlineSettings.buffer_s`), so once a walk has gone
on for about the window's length less the lookback, that standing has left the window: the rule
finds no standing and the rest of the walk was measured from the set's neutral, a few degrees
away (hapt-dev: 272 of 4329 reps, 8-9 deg on e11; docs/analysis.md, "Stop 41g"). `BoutNeutrals`
applies the offline rule to a bout while the window still reaches its whole lookback (or the
recording's start), remembers the result, and gives a bout whose lookback the window has lost the
result remembered for it: one story for the whole walk. The standing counts only if upright like
the walk (`neutral.UPRIGHT_TOLERANCE_DEG` of the walk's median posture); offline judges the whole
walk, live the walk so far, whose median moves as it goes on (stairs): a standing once found for a
walk stays its neutral when a later run finds none (hapt-dev e09).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from hiplevel.exercises.base import Motion
from hiplevel.exercises.walking_drops import bout_neutral
from hiplevel.signal.neutral import BOUT_STANDING_LOOKBACK_S

__all__ = ["BoutNeutrals"]

# Two runs' bouts are one walk when the remembered one reaches this close to the new one's first
# contact, s: a run's first contact moves by a detector grid step or a step re-detected near the
# window's edge (a step lasts 0.4-0.8 s), far less than the pause that ends a bout.
SAME_BOUT_S = 1.0
# A remembered bout is forgotten once it ended this long before the window's start, s.
FORGET_S = 2.0 * BOUT_STANDING_LOOKBACK_S


@dataclass
class _Walk:
    """A walk seen with its whole lookback: its first and last contact so far (s) and its neutral
    (`bout_neutral`'s dict)."""

    first_s: float
    last_s: float
    neutral: dict


class BoutNeutrals:
    """The bout neutrals of one live session (`rule` gives the detector's `neutral_of`)."""

    def __init__(self) -> None:
        self._kept: list[_Walk] = []

    def rule(self, whole_past: bool) -> Callable[[Motion, np.ndarray], dict]:
        """`neutral_of(m, contacts)` for one detector run over motion m; whole_past: the window
        starts where the stream (or its part after a link gap) starts, so it lacks nothing."""

        def neutral_of(m: Motion, c: np.ndarray) -> dict:
            t0, t1, w0 = float(m.t_s[int(c[0])]), float(m.t_s[int(c[-1])]), float(m.t_s[0])
            self._kept = [k for k in self._kept if k.last_s >= w0 - FORGET_S]
            if whole_past or w0 <= t0 - BOUT_STANDING_LOOKBACK_S:
                found = bout_neutral(m, c)  # the offline rule, over the whole lookback
                same = next((k for k in self._kept if abs(k.first_s - t0) <= SAME_BOUT_S), None)
                if same is None:
                    self._kept.append(_Walk(t0, t1, found))
                    return found
                if found.get("bout_neutral_s") is None and same.neutral.get("bout_neutral_s") is not None:
                    # A standing once judged upright like this walk stays its neutral: the walk's
                    # median posture moves as it goes on (stairs), offline judges the whole walk.
                    found = same.neutral
                same.first_s, same.last_s, same.neutral = t0, max(same.last_s, t1), found
                return found
            # The window has lost part of the lookback: the walk's remembered neutral, if it was
            # seen whole (a remembered bout that reaches this run's first contact is the same walk).
            kept = next((k for k in reversed(self._kept) if k.first_s <= t0 + SAME_BOUT_S and k.last_s >= t0 - SAME_BOUT_S),
                        None)
            if kept is None:
                return bout_neutral(m, c)  # a walk first seen with its lookback lost: what is left
            kept.last_s = max(kept.last_s, t1)
            return kept.neutral

        return neutral_of
