"""Which way a run of back-to-back one-move band-walk steps goes: the height's step rhythm, a cue
the lateral velocity cannot give (`band_walk.BandWalkDetector`, its parameters documented there).

Steps of one smooth move each, with no pause between them, move the pelvis with a lateral speed
close to a sinusoid: it touches zero once per step (the halt, the feet together) and peaks once
(the feet apart). Integrated from the acceleration, the velocity drifts: over a run of 10-25 s
without a standstill the fusion's tilt error wanders by 0.2-0.4 deg (3-7 mg), a bulge of
0.2-0.3 m/s mid-run (the physics check's slow one-move steps), as fast as the steps themselves.
Then "this way, halting at the velocity's troughs" and "the other way, halting at its crests, plus
a drift" fit the velocity alike, and the halts between moves (`band_moves.halt`) take the crests:
every step the wrong way and half a step off (issue 14 item 3: physics one-move steps with no pause
83 % right).

The height tells them apart: the pelvis is lowest when the feet are apart (a wide base), mid-move,
and highest at the halt with the feet together, so at the step rhythm the upward acceleration
peaks with the step's speed (a low point of the height is a high point of its acceleration). The
velocity's drift lies far below the step rhythm, so the correlation of the two, band-passed around
it, has the sign of the way of travel whatever the drift (`rhythm_way`). Lead-then-trail steps
(1.7 s, no pause, on the physics check) drift the same way; their height's low point is the halt
between lead and trail, and the two simulators disagree on its sign there, but each swing's drop
falls within its move: the roll's distance from its level peaks with the speed at the move rhythm.
A run whose moves go one way while its cue says the other is re-anchored at its moves' crests
(`rephased`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hiplevel.exercises.band_moves import ACC_LOWPASS_HZ, edge_gap, find_moves, upward_acc_g
from hiplevel.exercises.band_steps import two_moves_per_step
from hiplevel.exercises.base import Hump, Motion
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import zero_phase_lowpass

if TYPE_CHECKING:
    from hiplevel.exercises.band_walk import BandWalkDetector

# The rhythm's band, as multiples of the run's move rate: one move per step, the step's fundamental
# (the height's one low point per step) without its second harmonic (a landing of each foot).
RHYTHM_BAND = (0.5, 1.5)
# A run of at least this many back-to-back moves one way (the drift needs time to build; a
# correlation needs a few steps).
MIN_RUN_MOVES = 4
# A standstill: the velocity held at zero for this long (s; a quiet stretch, not a halt between
# moves, which holds one sample). It anchors a lead-then-trail run, whose drift then stays small;
# a run of one move per step is judged whatever it holds: slow steps with no pause, the pelvis
# wobbling in the hinge, can stand still for 0.1-0.2 s at the crests the drift made (below).
STANDSTILL_S = 0.05
# A run voting one move per step is re-anchored when the height's rhythm says the other way by at
# least this correlation. Along the true way (no standstill): bench.physics seed 0 (41 runs) at
# least +0.40, hiplevel.sim one-move and counter-shift runs (0.6-3 s, 12-35 cm, pauses 0 / 0.5 s,
# bobbing or not, landings or not; 149 runs) at least +0.61; runs read the wrong way: -0.55
# (physics), -0.72..-0.95 (sim). Margins 0.60 and 0.35. With a standstill (stop 40f): physics
# seeds 0-3 14 runs at least +0.14 (then +0.63), hiplevel.sim 123 runs at least +0.47; read the
# wrong way -0.67 (physics seed 2 case 7), -0.92..-0.97 (sim, 6 runs). Margins 0.34 and 0.47.
MIN_AGAINST_CORR = 0.2
# Lead-then-trail runs: the pelvis moves with each swing, so the pelvis' roll away from its level
# (either side's drop) peaks with the speed at the move rhythm (both simulators: each swing's
# drop falls within its move). Along the true way (two-move runs, no standstill): hiplevel.sim
# (lead share 0.5-0.9, halts 0-0.1, 0.6-3 s, pauses 0 / 0.5 s; 193 runs) at least -0.14 (a 90 %
# lead: its speed is nearly one move per step), bench.physics seed 0 (31 runs) at least +0.14; the
# run read the wrong way (physics case 24) -0.73. Margins 0.26 and 0.33. Runs with a standstill are
# left as they are (physics seeds 0-3: 58 runs at least +0.22; hiplevel.sim, lead share 0.5-0.9:
# 163 runs down to -0.21, none read the wrong way: no case to set a rule on).
MIN_AGAINST_CORR_PAIRED = 0.4


def rhythm_way(v: np.ndarray, x: np.ndarray, a: int, b: int, step_n: float, rate_hz: float) -> float:
    """Correlation, in [-1, 1], of the lateral velocity v (m/s) and a signal x (the upward
    acceleration, g, or the roll's distance from its level, deg) over samples a..b, both band-passed
    around the rate of the moves (step_n samples apart, `RHYTHM_BAND`): > 0 when x peaks while the
    pelvis moves left (+), < 0 right."""
    f = rate_hz / step_n
    pad = int(2.0 * step_n)
    lo, hi = max(0, a - pad), min(len(v), b + pad)
    if b - a < 4 or hi - lo < 8:
        return 0.0
    both = np.stack([v[lo:hi], x[lo:hi]], axis=1)
    band = (zero_phase_lowpass(both, RHYTHM_BAND[1] * f, rate_hz)
            - zero_phase_lowpass(both, RHYTHM_BAND[0] * f, rate_hz))
    vb, ub = band[a - lo : b - lo, 0], band[a - lo : b - lo, 1]
    den = float(np.sqrt(np.sum(vb**2) * np.sum(ub**2)))
    return float(np.sum(vb * ub)) / den if den > 0.0 else 0.0


def back_to_back_runs(p: BandWalkDetector, moves: list[Hump], rate_hz: float) -> list[list[Hump]]:
    """Runs of at least MIN_RUN_MOVES moves one way, each starting within max_pause_s of the last
    one's end (measured flank to flank: slow moves' tails look still, so a gap does not tell a
    pause)."""
    runs: list[list[Hump]] = []
    for h in moves:
        if runs and runs[-1][-1].sign == h.sign and edge_gap(runs[-1][-1], h) <= p.max_pause_s * rate_hz:
            runs[-1].append(h)
        else:
            runs.append([h])
    return [r for r in runs if len(r) >= MIN_RUN_MOVES]


def rephased(p: BandWalkDetector, m: Motion, v: np.ndarray) -> tuple[np.ndarray, list[Hump]]:
    """(velocity, its moves, `find_moves`): the lateral velocity v (m/s, held at zero where it reads
    exactly 0: its anchors) with each back-to-back run whose cue says the other way (a
    lead-then-trail run only without a standstill, STANDSTILL_S) re-anchored: held at zero at its
    moves' crests (the halts of the steps the other way) instead of between them. The cue
    (`rhythm_way` against the run's way): the upward acceleration for a run of one move per step
    (`band_steps.two_moves_per_step`), at most -MIN_AGAINST_CORR; the roll's distance from its
    level over the run for lead then trail, at most -MIN_AGAINST_CORR_PAIRED. The re-anchoring
    reaches the standstills on either side (`_chain`): the anchors between them go, and the crests
    of the moves the run's way hold the velocity (a move's interval beyond the run's first and last
    crests at least: those halts were put on moves as well). The moves come along so that a set
    whose velocity is left as it was (most sets) finds them once."""
    rate = m.rate_hz
    up = upward_acc_g(m, ACC_LOWPASS_HZ)
    anchors = v == 0.0
    out = v
    moves = find_moves(p, v, rate)
    for run in back_to_back_runs(p, moves, rate):
        still = standstill(anchors[run[0].onset : run[-1].offset + 1], int(round(STANDSTILL_S * rate)))
        step_n = float(median(np.diff([h.peak for h in run])))
        a, b = run[0].onset, run[-1].offset
        if two_moves_per_step(p, m, v, run) > 0.0:  # lead then trail: the height's low point is their halt
            if still:  # anchored (no lead-then-trail run with a standstill was seen read the wrong way)
                continue
            drop = np.abs(m.roll_deg - float(median(m.roll_deg[a : b + 1])))
            against = run[0].sign * rhythm_way(v, drop, a, b, step_n, rate) <= -MIN_AGAINST_CORR_PAIRED
        else:
            against = run[0].sign * rhythm_way(v, up, a, b, step_n, rate) <= -MIN_AGAINST_CORR
        if not against:
            continue
        chain = _chain(p, moves, run, anchors, rate)
        lo, hi = min(int(run[0].peak - step_n), chain[0].onset), max(int(run[-1].peak + step_n), chain[-1].offset)
        anchors[max(0, lo) : hi + 1] = False
        anchors[[h.peak for h in chain if h.sign == run[0].sign]] = True
        idx = np.flatnonzero(anchors)
        out = v - np.interp(np.arange(len(v)), idx, v[idx])
    return out, (moves if out is v else find_moves(p, out, rate))


def _chain(p: BandWalkDetector, moves: list[Hump], run: list[Hump], anchors: np.ndarray,
           rate_hz: float) -> list[Hump]:
    """The run (moves of `moves`) with the moves either way back to back with it (each within
    max_pause_s of the next, flank to flank, no standstill in `anchors` between them), up to the
    standstills on either side. The drift that turned the run builds from the standstill before it
    and falls back to zero at the one after: toward them it crosses zero, and the steps there
    read as moves back and forth, none of them in the run (physics case 24: its first and last
    steps missed, 5 of 20). Their moves the run's way are halts too, read through the drift."""
    n = int(round(STANDSTILL_S * rate_hz))
    k0 = next(k for k, h in enumerate(moves) if h is run[0])
    k1 = next(k for k, h in enumerate(moves) if h is run[-1])
    while (k0 > 0 and edge_gap(moves[k0 - 1], moves[k0]) <= p.max_pause_s * rate_hz
           and not standstill(anchors[moves[k0 - 1].onset : moves[k0].onset + 1], n)):
        k0 -= 1
    while (k1 + 1 < len(moves) and edge_gap(moves[k1], moves[k1 + 1]) <= p.max_pause_s * rate_hz
           and not standstill(anchors[moves[k1].offset : moves[k1 + 1].offset + 1], n)):
        k1 += 1
    return moves[k0 : k1 + 1]


def standstill(held: np.ndarray, n: int) -> bool:
    """True when held (bool) has a stretch of at least n consecutive True samples."""
    if n <= 1:
        return bool(held.any())
    run = np.convolve(held.astype(np.int64), np.ones(n, np.int64), "valid")
    return bool((run >= n).any())
