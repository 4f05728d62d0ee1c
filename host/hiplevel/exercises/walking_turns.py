"""Walking: one step split in two by a bump inside it (a pivot in a turn; `WalkingDetector`'s
split_step_ratio and split_turn_deg, documented below).

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

The other way round, a long step in a turn can hold a step whose contact stayed under the floor
(a pivot step lands flat: 0.01-0.03 g): the chain, seeing one step where the feet took two, gives
it the side of a neighbour. Three cues agree on such a missed step: the timing (the step is
irregular_ratio..missed_step_ratio median steps long, as `walking_gaps`), the pelvis (an upward
peak of at least missed_contact_fraction of the floor in its middle, where the missed contact
lands) and the chain (the step has the stance side of the step before or after it), and the
pelvis turns by split_turn_deg or more over it. Such a step is two reps, split at that peak,
their sides alternating with the steps around (ipol-dev U-turns: 4 such steps, 3 holding two
truth steps, the fourth two overlapping truth steps; the long turning steps without a same-side
neighbour or without a middle peak hold 0-1).

The detector's split_step_ratio, split_turn_deg: two consecutive steps given the same stance side,
the shorter of them at most split_step_ratio median steps, while the pelvis turns by split_turn_deg
or more, are one step split by a lift-off bump (a pivot in a turn): the one with the weaker side
evidence is no rep (`split_step_reps`); split_step_ratio 0 disables. A long step in such a turn that
holds a missed contact (missed_step_ratio, missed_contact_fraction: `walking_gaps`) and repeats a
neighbour's stance side is two steps (`missed_steps`; split_step_ratio 0 disables that too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from hiplevel.constants import Side, other_side
from hiplevel.exercises.walking_drops import window_extremes
from hiplevel.exercises.walking_gaps import missed_contact_at
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import reduce_windows


def pair_turns_deg(yaw_rate_dps: np.ndarray, contacts: np.ndarray, rate_hz: float, pad_s: float = 0.5,
                   steps: int = 2) -> np.ndarray:
    """How far the pelvis turns about its vertical axis over each run of `steps` consecutive steps
    of a bout (by default a pair), deg (len(contacts) - steps,): the range of the integrated yaw
    rate from pad_s before the run's first contact to pad_s after its last. yaw_rate_dps: the
    pelvis' yaw rate (N,)."""
    return run_turns_deg(yaw_rate_dps, contacts, rate_hz, (steps,), pad_s)[0]


def run_turns_deg(yaw_rate_dps: np.ndarray, contacts: np.ndarray, rate_hz: float, steps: tuple[int, ...],
                  pad_s: float = 0.5) -> list[np.ndarray]:
    """`pair_turns_deg` of one bout for each run length in steps (deg, each (len(contacts) - steps,)),
    from one integrated yaw rate over the bout (the same for every run length: the same values as
    one call each) and one pass over it for every run's range."""
    counts = [len(contacts) - s for s in steps]
    if max(counts, default=0) <= 0:
        return [np.zeros(0) for _ in steps]
    pad = int(round(pad_s * rate_hz))
    lo, hi = max(0, int(contacts[0]) - pad), min(len(yaw_rate_dps), int(contacts[-1]) + pad + 1)
    heading = np.cumsum(yaw_rate_dps[lo:hi]) / rate_hz
    c = np.asarray(contacts, dtype=np.int64) - lo
    if min(steps) >= 1 and len(c) > 1 and int(c[-1]) < len(heading) and bool((c[1:] >= c[:-1]).all()):
        # A run of s steps' window is the union of its steps' own windows, each overlapping the
        # next (the contact between them lies in both): its extremes are the extremes of theirs,
        # the same floats, from reductions over the single steps' windows alone (a run of two
        # was two thirds of the samples reduced).
        top, bottom = (reduce_windows(op, heading, np.maximum(c[:-1] - pad, 0), np.minimum(c[1:] + pad + 1, len(heading)))
                       for op in (np.maximum, np.minimum))
        out = []
        for n, s in zip(counts, steps):
            if n <= 0:
                out.append(np.zeros(0))
                continue
            hi_, lo_ = top[:n], bottom[:n]
            for j in range(1, s):
                hi_, lo_ = np.maximum(hi_, top[j : j + n]), np.minimum(lo_, bottom[j : j + n])
            out.append(hi_ - lo_)
        return out
    a = np.concatenate([np.maximum(c[:n] - pad, 0) for n, s in zip(counts, steps) if n > 0])
    b = np.concatenate([np.minimum(c[s:] + pad + 1, len(heading)) for n, s in zip(counts, steps) if n > 0])
    if (a < b).all():
        # Every window holds samples (the contacts are sorted): the ranges as arrays from the two
        # reductions `window_extremes` makes, the same floats (its per-window Python lists and the
        # lists of ranges cost more than the reductions: two windows a step).
        ranges = reduce_windows(np.maximum, heading, a, b) - reduce_windows(np.minimum, heading, a, b)
    else:
        top, bottom = window_extremes(heading, a.tolist(), b.tolist())
        ranges = np.array([0.0 if t is None else t - u for t, u in zip(top, bottom)])
    out, k = [], 0
    for n in counts:
        out.append(ranges[k : k + n].copy() if n > 0 else np.zeros(0))
        k += max(n, 0)
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


def missed_step_sides(sides: Sequence[Side], candidates: Sequence[int]) -> dict[int, tuple[Side, Side]]:
    """The steps that hold a missed step (`candidates`: long steps with a missed contact, in a
    turn) and whose stance side repeats the step before or after them, with the sides of their two
    halves: alternating from the step before (or into the step after, for a bout's first step).
    sides: the bout's decided stance sides, one per step."""
    out: dict[int, tuple[Side, Side]] = {}
    n = len(sides)
    for k in candidates:
        before = sides[k - 1] if k > 0 else None
        after = sides[k + 1] if k + 1 < n else None
        if sides[k] not in (before, after):
            continue
        ref = before if before is not None else other_side(after)
        out[k] = (other_side(ref), ref)
    return out


def missed_steps(t_s: np.ndarray, rate_hz: float, c: np.ndarray, turns_deg: np.ndarray,
                 upward: Callable[[int, int], np.ndarray], irregular_ratio: float, missed_step_ratio: float,
                 min_turn_deg: float, least_g: float) -> dict[int, tuple[tuple, tuple]]:
    """A bout's long steps that may hold a missed step: irregular_ratio..missed_step_ratio median
    steps long, the pelvis turning by min_turn_deg or more over them and half a second either side
    (turns_deg: `pair_turns_deg` of single steps), an upward peak of least_g or more in their
    middle (`walking_gaps.missed_contact_at`). Each as its two reps (`WalkingDetector._bout_reps`'
    format), split at that peak. t_s, rate_hz: the motion's sample times (s) and rate; c: the
    bout's contacts (sample indices); upward(a, b): the upward acceleration over the step from
    contact a to contact b, one value per sample (`WalkingDetector.step_upward_g`)."""
    if len(c) < 2:
        return {}
    steps = np.diff(c)
    med = float(median(steps))
    long = np.flatnonzero((steps > irregular_ratio * med) & (steps <= missed_step_ratio * med))
    out: dict[int, tuple[tuple, tuple]] = {}
    for k in long[turns_deg[long] >= min_turn_deg]:
        a, b = int(c[k]), int(c[k + 1])
        at = missed_contact_at(upward(a, b), least_g)
        if at is None:
            continue
        s = a + at
        ta, ts, tb = (round(float(t_s[i]), 3) for i in (a, s, b))
        out[int(k)] = ((a, s, int(k), None, round((s - a) / rate_hz, 3), ta, ts),
                       (s, b, int(k), None, round((b - s) / rate_hz, 3), ts, tb))
    return out
