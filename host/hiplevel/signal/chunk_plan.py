"""Where a long segment is cut into fusion chunks, and how much overlap each chunk needs so that
fusing it alone gives the same orientation as fusing the whole segment.

The overlap bound. The offline fusion (`fusion.fuse_passes`) runs `tilt_step` forward and
backward and averages the passes. One step of a pass is u_i = (1 - k_i) R_i u_(i-1) + k_i a_i
(normalised), with k_i the accelerometer fraction of that sample (`fusion.accel_fraction`: dt /
0.5 s at rest, dt / 8 s x a weight <= 1 while moving, 0 for an ignored sample). Two runs of the
same pass that started in different states differ after the step by the same rotation R_i and a
factor of about (1 - k_i cos theta_i), theta_i the angle between the state and the accelerometer
(a few degrees, rarely above 60: cos >= 0.5); the normalisation only removes the part along the
state. So after a stretch of samples the difference from the start has shrunk by

    prod (1 - k_i cos theta_i) <= exp(-0.5 * sum k_i),

and a pass that starts `overlap` samples before a chunk's first kept sample, from any state (at
most 180 deg off), reaches it within 180 deg x exp(-0.5 * sum k) of the whole-segment pass. The
error estimates that weight the two passes (e_i = (1 - k_i)(e_(i-1) + growth)) forget their start
by prod (1 - k_i) <= exp(-sum k). `OVERLAP_GAIN_SUM` = 20 makes both < 0.01 deg (8e-3 deg and
2e-9 of the start). In seconds: 10 s of quiet standing (k = 0.02 per sample at 100 Hz), or 160 s
of walking whose accelerometer is fully trusted (weight 1; impacts lower it), and never where the
accelerometer is ignored throughout. So a cut is placed where the sum grows fastest: in quiet
standing when there is any (`plan_chunks` picks, in each stretch of the segment, the cut with the
shortest overlaps), and a chunk whose overlap would exceed `OVERLAP_MAX_S` keeps the longest one
and is counted as not converged (`ChunkPlan.unconverged`).

Everything else the fusion does per sample is local or global by construction: the rest mask
(a 0.5 s window), the gyro bias (from the rest runs of the whole segment, found beforehand), the
turn errors (each turn, with `turns.TURN_CONTEXT_S` around it, belongs to the chunk that holds
its start; the fit is over all turns). A segment up to `ChunkSettings.fusion_max_samples` long
is one chunk: fused exactly as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hiplevel.signal.scan import SCAN_BLOCK
from hiplevel.signal.turns import TURN_CONTEXT_S

OVERLAP_GAIN_SUM = 20.0  # sum of k over an overlap (see the module docstring)
OVERLAP_MIN_S = TURN_CONTEXT_S  # every overlap holds at least a turn's context
OVERLAP_MAX_S = 600.0  # longest overlap, s; beyond it the chunk is counted as not converged
CUT_SEARCH_STEP = 16  # candidate cuts every this many samples


@dataclass(frozen=True)
class ChunkSettings:
    """How a long recording is cut so that memory stays bounded (docs/analysis.md, "Long
    recordings"). The results do not depend on them: reps, sides, scores and flags are the same
    and drops agree within 0.01 deg (in practice within 1e-6 deg) whatever the sizes; they trade
    memory against speed.

    grid_block_samples: grid samples handed from the reader to the passes at a time.
    store_block_samples: rows per block of the per-sample arrays kept between passes;
    ram_budget_bytes: of those blocks, how many bytes stay in memory (the rest go to temporary
        files; 0: all of them, for a recording longer than one block).
    fusion_max_samples: a segment up to this long is fused whole (as before the chunking);
    fusion_chunk_samples: a longer one is fused in chunks of up to this many samples (plus the
        overlaps of this module's docstring).
    walking_detect_max_s / detect_max_s: a set (or its piece between split gaps) up to this long is
        detected in one run, walking / the other exercises (a hold or a set lasts minutes);
    detect_chunk_s: a longer one is cut every half to one of this (`analysis.chunked`)."""

    grid_block_samples: int = 16_384
    store_block_samples: int = 16_384
    ram_budget_bytes: int = 0
    fusion_max_samples: int = 65_536
    fusion_chunk_samples: int = 131_072
    walking_detect_max_s: float = 600.0
    detect_max_s: float = 2400.0
    detect_chunk_s: float = 600.0


@dataclass(frozen=True)
class Chunk:
    """Kept samples [start, stop) of a segment, fused over [lo, hi) (lo <= start, stop <= hi)."""

    start: int
    stop: int
    lo: int
    hi: int


@dataclass(frozen=True)
class ChunkPlan:
    """The chunks of one segment, in order; `unconverged`: overlaps cut at OVERLAP_MAX_S."""

    chunks: tuple[Chunk, ...]
    unconverged: int = 0


def overlaps(gain_sum: np.ndarray, cuts: np.ndarray, need: float, w0: int = 0, at_end: bool = True
             ) -> tuple[np.ndarray, np.ndarray]:
    """Samples needed before and after each cut (a sample index) for the sum of k to reach
    `need`. gain_sum: the running sum of k (0 before the segment's first sample) from index w0 on;
    at_end: it reaches the segment's end. Where the segment's edge comes first, the overlap reaches
    the edge (a pass from the segment's own edge is the whole pass); where only the window's edge
    does, the overlap is the window's."""
    s = gain_sum
    x = cuts - w0
    before = x - np.maximum(np.searchsorted(s, s[x] - need, side="right") - 1, 0)
    after = np.minimum(np.searchsorted(s, s[x] + need, side="left"), len(s) - 1 if at_end else len(s)) - x
    return before, after


def plan_chunks(n: int, rate_hz: float, gain_sum: Callable[[int, int], np.ndarray],
                chunking: ChunkSettings | None = None) -> ChunkPlan:
    """Fusion chunks of a segment of n samples whose accelerometer fractions k have the running
    sum gain_sum(a, b) (rows [a, b) of the (n + 1,) array that starts at 0): one chunk when
    n <= max_samples; otherwise cuts every chunk_samples / 2 to chunk_samples samples, each where
    the two overlaps it needs cost least per kept sample, the overlaps widened to `OVERLAP_MIN_S` and aligned to
    the scan's blocks (counted from the segment's start for the forward pass, from its end for the
    backward pass, as when the segment is fused whole). Sizes from `chunking`."""
    cs = chunking or ChunkSettings()
    max_samples, chunk_samples = cs.fusion_max_samples, cs.fusion_chunk_samples
    if n <= max_samples:
        return ChunkPlan((Chunk(0, n, 0, n),))
    least = int(round(OVERLAP_MIN_S * rate_hz))
    most = int(round(OVERLAP_MAX_S * rate_hz))

    def need(cand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w0, w1 = max(0, int(cand[0]) - most - 1), min(n + 1, int(cand[-1]) + most + 2)
        return overlaps(gain_sum(w0, w1), cand, OVERLAP_GAIN_SUM, w0, at_end=w1 == n + 1)

    cuts, before, after = [0], [], []
    while n - cuts[-1] > chunk_samples:
        cand = np.arange(cuts[-1] + chunk_samples // 2, min(cuts[-1] + chunk_samples, n - 1) + 1, CUT_SEARCH_STEP)
        bef, aft = need(cand)
        # The least overlap per kept sample: a longer chunk may pay a longer overlap.
        i = int(np.argmin((np.maximum(bef, least) + np.maximum(aft, least)) / (cand - cuts[-1])))
        cuts.append(int(cand[i]))
        before.append(int(bef[i]))
        after.append(int(aft[i]))
    cuts.append(n)
    unconverged = sum(x > most for x in before) + sum(x > most for x in after)
    chunks = []
    for i, (a, b) in enumerate(zip(cuts[:-1], cuts[1:])):
        lo = 0 if i == 0 else max(0, a - min(max(before[i - 1], least), most))
        hi = n if i == len(cuts) - 2 else min(n, b + min(max(after[i], least), most))
        lo -= lo % SCAN_BLOCK
        hi = n - (n - hi) // SCAN_BLOCK * SCAN_BLOCK
        chunks.append(Chunk(a, b, lo, hi))
    return ChunkPlan(tuple(chunks), unconverged)


def fixed_chunks(n: int, overlap: int, chunking: ChunkSettings | None = None) -> ChunkPlan:
    """Chunks of `fusion_chunk_samples` with a fixed overlap (for a filter whose memory is known:
    the device roll stream's low-pass); one chunk when n <= `fusion_max_samples`."""
    cs = chunking or ChunkSettings()
    max_samples, chunk_samples = cs.fusion_max_samples, cs.fusion_chunk_samples
    if n <= max_samples:
        return ChunkPlan((Chunk(0, n, 0, n),))
    edges = list(range(0, n, chunk_samples)) + [n]
    if n - edges[-2] < chunk_samples // 2 and len(edges) > 2:
        edges.pop(-2)
    return ChunkPlan(tuple(Chunk(a, b, max(0, a - overlap), min(n, b + overlap)) for a, b in zip(edges[:-1], edges[1:])))
