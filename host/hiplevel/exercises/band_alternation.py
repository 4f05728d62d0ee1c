"""Runs of band-walk steps whose moves alternate way, back to back (a counter-shift toward the
trailing leg before each step's move, no pause): where their velocity is held at zero
(`band_walk.BandWalkDetector`, its parameters documented there).

With no standstill the integrated velocity drifts through the run (the fusion's tilt error, as in
`band_phase`) by up to ~0.1 m/s. The moves alternate way (counter-shift, move, counter-shift, ...),
so the halts between them (`band_moves.halt`) are the velocity's zero crossings, and a zero
crossing of a drifted velocity is where the true speed equals the drift: held there, the drift
stays. A 5 cm counter-shift before a 15 cm move read 7-9 cm and its move 9-14 cm, past
counter_ratio: a step back of its own, which ended the bout (issue 14 item 3: 5 cm counter-shifts,
10-15 cm steps of 0.8-1.4 s, no pause, seeds 1-2: 259 of 320 steps right).

The step ends where its move does: the feet together, the pelvis still before the next
counter-shift starts. That halt is where the pelvis accelerates least between the move and the
counter-shift after it (`band_moves.stillest`), whatever the drift. Which moves are the steps'
and which the counter-shifts': the counter-shifts are the short ones (at half their peak speed,
`band_moves.half_height_n`, a share of their moves' duration that the drift barely moves, while
it turns their sizes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from hiplevel.exercises.band_moves import edge_gap, find_moves, half_height_n, stillest
from hiplevel.exercises.band_phase import STANDSTILL_S, standstill
from hiplevel.exercises.base import Hump
from hiplevel.signal.exact_median import median

if TYPE_CHECKING:
    from hiplevel.exercises.band_walk import BandWalkDetector

# A run of at least this many moves alternating way, each within max_pause_s of the next (three
# steps of counter-shift and move).
MIN_RUN_MOVES = 6
# ...each starting within this share of a step (two moves, peak to peak) of the last one's end,
# flank to flank: a counter-shift starts as the move before it ends, the pelvis standing only
# briefly with the feet together (hiplevel.sim counter-shift runs, counter_m 1-9 cm, 0.6-2.5 s
# steps, no pause, 125 runs: at most 0.15). A longer gap hides a move: lead-then-trail steps
# whose small trail (a 90 % lead) the drift hides leave its halt reading as a move back, 0.39-0.51
# of a step after the lead (bench.physics seed 1 case 7). Margins 40 % and 36 %.
MAX_GAP_SHARE = 0.25
# ...is re-anchored when the moves one way last at most this share of the others (median, at half
# their peak speed): the shorter ones are counter-shifts (the same 125 runs: 0.29-0.60 with
# 0.8-2.5 s steps, 0.64 at 0.6 s; a shift back and forth of equal moves reads about 1). A run
# above it is left as it was.
MAX_COUNTER_SHARE = 0.7


def alternating_anchors(p: BandWalkDetector, v: np.ndarray, fast_mps: Callable[[], np.ndarray], anchors: np.ndarray,
                        rate_hz: float) -> np.ndarray:
    """anchors (N,) bool, where the lateral velocity v (m/s) is held at zero, with each run of
    moves alternating way, back to back without a standstill, whose moves one way last at most
    MAX_COUNTER_SHARE of the others held at the ends of its long moves (the halts before each
    counter-shift, `band_moves.stillest`, on fast_mps(): v band-limited at HALT_LOWPASS_HZ) instead of
    at the zero crossings between its moves."""
    out, fast = anchors, None
    for run in _alternating_runs(p, find_moves(p, v, rate_hz), anchors, rate_hz):
        step_n = 2.0 * float(median(np.diff([h.peak for h in run])))
        if max(edge_gap(a, b) for a, b in zip(run[:-1], run[1:])) > MAX_GAP_SHARE * step_n:
            continue
        durations = [half_height_n(h, v) for h in run]
        first, second = float(median(durations[0::2])), float(median(durations[1::2]))
        if min(first, second) > MAX_COUNTER_SHARE * max(first, second):
            continue
        way = run[0].sign if first > second else -run[0].sign
        fast = fast_mps() if fast is None else fast
        ends = [stillest(fast, np.abs(fast[a.peak : b.peak + 1]), a, b, rate_hz)
                for a, b in zip(run[:-1], run[1:]) if a.sign == way]
        out = out.copy() if out is anchors else out
        out[run[0].peak + 1 : run[-1].peak] = False
        out[ends] = True
    return out


def _alternating_runs(p: BandWalkDetector, moves: list[Hump], anchors: np.ndarray,
                      rate_hz: float) -> list[list[Hump]]:
    """Runs of at least MIN_RUN_MOVES moves, each the other way from the last one and starting
    within max_pause_s of its end (flank to flank) with no standstill (STANDSTILL_S) between."""
    n = int(round(STANDSTILL_S * rate_hz))
    runs: list[list[Hump]] = []
    for h in moves:
        last = runs[-1][-1] if runs else None
        if (last is not None and last.sign != h.sign and edge_gap(last, h) <= p.max_pause_s * rate_hz
                and not standstill(anchors[last.peak : h.peak + 1], n)):
            runs[-1].append(h)
        else:
            runs.append([h])
    return [r for r in runs if len(r) >= MIN_RUN_MOVES]
