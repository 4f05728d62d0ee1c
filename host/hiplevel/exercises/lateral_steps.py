"""How many pelvis moves make one lateral step: cues that do not depend on one person's strategy.

In a band walk the pelvis travels sideways once per step (the weight goes onto the lead leg in one
move, maybe after a small counter-shift toward the trailing leg) or twice (with the lead leg, then
with the trailing leg). A run of same-direction moves is therefore one step per move or one step
per two moves. Three independent cues tell them apart; each is a vote in [-1, 1] (+ = two moves
per step):

- **Step rhythm in the roll and the height**: each step has two single-support phases (the lead
  side unsupported, then the trailing side) and one low point of the pelvis (feet apart), so the
  roll and the vertical acceleration repeat once per step. Centred on consecutive moves, their
  patterns look alike when a move is a step, and differ (lead half against trail half) when two
  moves are: in sign when both sides drop, in size when one side hikes and the other drops (both
  tilt the pelvis the same way). The measure does not care about the tempo.
- **Alternating sizes**: a lead move and a trail move usually differ in size; one-move steps do not
  alternate.
"""

from __future__ import annotations

import numpy as np

PATTERN_BINS = 16


def hump_patterns(x: np.ndarray, centres: list[int], half_n: int) -> np.ndarray | None:
    """(K, PATTERN_BINS) patterns of x over [c - half_n, c + half_n] for each centre c, resampled,
    less their common mean (the run's level); None when a window leaves x."""
    if half_n < 2 or any(c - half_n < 0 or c + half_n >= len(x) for c in centres):
        return None
    grid = np.linspace(-half_n, half_n, PATTERN_BINS)
    out = np.array([np.interp(c + grid, np.arange(len(x)), x) for c in centres])
    return out - out.mean()


def rhythm_vote(x: np.ndarray, centres: list[int], half_n: int, noise: float) -> float:
    """Vote (+ = two moves per step) from how the move-centred patterns of x alternate. The patterns
    are fitted as a common part C plus an alternating part A (+A on even moves, -A on odd ones, by
    least squares); q = |A| / |C| is |L - T| / |L + T| for lead and trail patterns L and T. One move
    per step repeats one pattern (q about 0: only step-to-step variation); two moves per step differ
    in sign (each side drops: q > 1) or in size (a hike then a drop tilt the same way: q 0.5-1).
    vote = log2(2 q) in [-1, 1]: 0 at |L - T| = |L + T| / 2 (L three times T). Patterns whose
    spread is within `noise` (same unit as x) carry no rhythm and give 0."""
    p = hump_patterns(x, centres, half_n)
    if p is None or len(p) < 2 or float(np.sqrt(np.mean(p**2))) < noise:
        return 0.0
    s = (-1.0) ** np.arange(len(p))
    k, sum_s = float(len(p)), float(np.sum(s))
    det = k * k - sum_s * sum_s  # > 0: s is not constant for two patterns or more
    total, alt = p.sum(axis=0), (s[:, None] * p).sum(axis=0)
    common = (k * total - sum_s * alt) / det
    alternating = (k * alt - sum_s * total) / det
    q = float(np.linalg.norm(alternating)) / max(float(np.linalg.norm(common)), 1e-12)
    return float(np.clip(np.log2(max(2.0 * q, 1e-12)), -1.0, 1.0))


def alternation(sizes: list[float]) -> float:
    """Mean of (-1)^k log(s_k / s_k+1): > 0 when the even moves are the larger (leads first), < 0
    when the odd ones are; about 0 for moves of one kind."""
    if len(sizes) < 2:
        return 0.0
    logs = np.log(np.maximum(np.asarray(sizes, float), 1e-6))
    d = logs[:-1] - logs[1:]
    return float(np.mean(d * (-1.0) ** np.arange(len(d))))


def size_vote(sizes: list[float], min_log_ratio: float) -> float:
    """Vote (+ = two moves per step) from alternating move sizes: +1 once the alternation (mean
    |log| size ratio of consecutive moves) reaches twice min_log_ratio, -1 with none."""
    if len(sizes) < 2 or not min_log_ratio > 0:
        return 0.0
    a = abs(alternation(sizes))
    return float(np.clip((a - min_log_ratio) / min_log_ratio, -1.0, 1.0))


def steady_runs(times_s: list[float], durations_s: list[float], min_len: int, max_interval_ratio: float,
                max_duration_ratio: float, inner_s: list[float | None] | None = None,
                max_inner_ratio: float = float("inf")) -> list[bool]:
    """Which of a series of steps (times, e.g. their centres, and durations, s, in time order) belong
    to a steady run: at least min_len consecutive steps whose intervals (longest / shortest) stay
    within max_interval_ratio and whose durations stay within max_duration_ratio, and whose inner
    rhythm (inner_s, s: e.g. lead to trail within a step; None for a step without one) stays within
    max_inner_ratio. Runs are taken greedily, longest first from the earliest step."""
    n = len(times_s)
    keep = [False] * n
    k = 0
    while k < n:
        e = k + 1
        while e < n:
            iv = np.diff(times_s[k : e + 1])
            dur = durations_s[k : e + 1]
            if ((len(iv) > 1 and float(np.max(iv)) > max_interval_ratio * float(np.min(iv)))
                    or max(dur) > max_duration_ratio * min(dur)
                    or _ratio([x for x in (inner_s or [])[k : e + 1] if x is not None]) > max_inner_ratio):
                break
            e += 1
        if e - k >= min_len:
            keep[k:e] = [True] * (e - k)
            k = e
        else:
            k += 1
    return keep


def _ratio(values: list[float]) -> float:
    """Longest / shortest of positive values (1 for fewer than two)."""
    return max(values) / max(min(values), 1e-9) if len(values) >= 2 else 1.0
