"""Lead-then-trail band-walk steps whose trail the drift hides: where their velocity is held at zero
(`band_walk.BandWalkDetector`, its parameters documented there).

A run of steps with no standstill drifts (the fusion's tilt error, as in `band_phase`). Drifting
against the way of travel by more than a small trail's speed (bench.physics seed 2 case 9: 13 cm
steps of 2 s, 81 % lead, 0.2 s pauses, about +0.07 m/s against the way), the velocity reads
above zero at both halts of a step, after the lead and in the pause, and the 2.5 cm trail between
them (0.04 m/s) as a dip between two humps back: each step shows its lead and two humps the other
way. Held at zero where those humps cross zero (`band_moves.halt`, between moves either way) and
on the trail's slow middle (no acceleration, a level roll: still to the rest test), the drift
stays: every lead stood alone, its trail and pause a move back, and no step of the run was found
(10 of 20). Neither a run one way (`band_phase.rephased`) nor strictly alternating moves
(`band_alternation`) form.

Two humps back between each two moves one way, all slower than the moves (the velocity settling
between them, `dip_ratio`), each lead running straight into the hump after it and out of the hump
before it (no standstill between them, `band_phase.STANDSTILL_S`: the drift carries the velocity
through the halt, which only crosses zero), are the halts of a step read through a drift: a move
back shows one hump, a counter-shift merges with the pause before it into one (no move between
them makes a dip), and stepping aside and back (`hiplevel.sim`'s stepping-about scene: one move
aside, two back) stands between its moves (0.14-0.7 s held at zero; case 9: one sample). Such a
chain is held at zero at the humps' crests, the halts, instead. Where a step's two humps merged
into one (its trail too small to part them), the crest is one halt and the other goes at its usual
time, the chain's median (`TWO_BACK_SHARE`: most steps show both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hiplevel.exercises.band_moves import edge_gap, find_moves
from hiplevel.exercises.band_phase import STANDSTILL_S, standstill
from hiplevel.exercises.base import Hump, Motion
from hiplevel.signal.exact_median import median

if TYPE_CHECKING:
    from hiplevel.exercises.band_walk import BandWalkDetector

# A chain of at least this many moves one way (the leads; as `band_phase.MIN_RUN_MOVES`: the drift
# needs time to build, and a pattern a few steps).
MIN_LEADS = 4
# ...with one or two humps back between each two (two: the halt after the lead and the pause)...
HALTS_PER_STEP = 2
# ...two between at least this share of them (a step's trail may be too small to part its humps).
TWO_BACK_SHARE = 0.5


def hidden_trail_chains(p: BandWalkDetector, moves: list[Hump], anchors: np.ndarray, rate_hz: float) -> list[list[Hump]]:
    """Chains of moves (`find_moves`, time order): a lead, one or two humps the other way, a lead
    the lead's way, ... (at least MIN_LEADS leads, back to back: each move within max_pause_s of the
    next, flank to flank), each hump back under dip_ratio of the faster lead beside it (peak
    speed), no standstill in anchors (bool, where the velocity is held at zero; STANDSTILL_S)
    between a lead and the hump back next to it, and two humps back between at least
    TWO_BACK_SHARE of the leads."""
    out: list[list[Hump]] = []
    gap = p.max_pause_s * rate_hz
    still_n = int(round(STANDSTILL_S * rate_hz))
    k, n = 0, len(moves)
    while k < n:
        way = moves[k].sign
        chain, twos, j = [moves[k]], 0, k
        while True:
            nb = 0
            while j + 1 + nb < n and moves[j + 1 + nb].sign != way and nb <= HALTS_PER_STEP:
                nb += 1
            if not 1 <= nb <= HALTS_PER_STEP or j + 1 + nb >= n:
                break
            lead, backs, nxt = moves[j], moves[j + 1 : j + 1 + nb], moves[j + 1 + nb]
            faster = max(lead.height, nxt.height)
            if not (all(edge_gap(a, b) <= gap for a, b in zip([lead, *backs], [*backs, nxt]))
                    and all(h.height < p.dip_ratio * faster for h in backs)
                    and not standstill(anchors[lead.peak : backs[0].peak + 1], still_n)
                    and not standstill(anchors[backs[-1].peak : nxt.peak + 1], still_n)):
                break
            chain += [*backs, nxt]
            twos += nb == HALTS_PER_STEP
            j += nb + 1
        leads = sum(h.sign == way for h in chain)
        if leads >= MIN_LEADS and twos >= TWO_BACK_SHARE * (leads - 1):
            out.append(chain)
            k = j + 1
        else:
            k += 1
    return out


def with_hidden_trails(p: BandWalkDetector, m: Motion, v: np.ndarray, moves: list[Hump]) -> tuple[np.ndarray, list[Hump]]:
    """(velocity, its moves): the lateral velocity v (m/s, held at zero where it reads exactly 0)
    and its moves, with each chain of `hidden_trail_chains` held at the crests of its humps back
    (the halts) instead of the anchors between its first and last leads. Between two leads with
    one hump back, its crest is the halt nearer its usual time (median over the chain's steps with
    two: after the lead before, or before the lead after), and the other halt goes at its usual
    time when that falls within the hump. As it was when no chain is found (most sets)."""
    rate = m.rate_hz
    anchors = v == 0.0
    chains = hidden_trail_chains(p, moves, anchors, rate)
    if not chains:
        return v, moves
    for chain in chains:
        way = chain[0].sign
        leads = [k for k, h in enumerate(chain) if h.sign == way]
        steps = [(chain[a], chain[a + 1 : b], chain[b]) for a, b in zip(leads[:-1], leads[1:])]
        after = float(median([backs[0].peak - lead.peak for lead, backs, _ in steps if len(backs) == 2]))
        before = float(median([nxt.peak - backs[1].peak for _, backs, nxt in steps if len(backs) == 2]))
        anchors[chain[0].peak : chain[-1].peak + 1] = False
        for lead, backs, nxt in steps:
            anchors[[h.peak for h in backs]] = True
            if len(backs) == 1:
                h = backs[0]
                first = abs(h.peak - lead.peak - after) <= abs(nxt.peak - h.peak - before)
                other = int(round(nxt.peak - before if first else lead.peak + after))
                if h.onset <= other <= h.offset:
                    anchors[other] = True
    idx = np.flatnonzero(anchors)
    out = v - np.interp(np.arange(len(v)), idx, v[idx])
    return out, find_moves(p, out, rate)
