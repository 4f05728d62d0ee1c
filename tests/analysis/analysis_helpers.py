"""Shared helpers: short simulated sets and matching detected reps to the simulator's truth."""

from __future__ import annotations

from hiplevel.samples import ImuSeries


def match(true_reps, reps):
    """Pair each true rep with the detected rep whose midpoint lies inside it; returns
    (pairs, missing true reps, extra detected reps)."""
    used, pairs, missing = set(), [], []
    for t in true_reps:
        hit = [i for i, r in enumerate(reps) if i not in used and t.start_s <= 0.5 * (r.start_s + r.end_s) <= t.end_s]
        if hit:
            used.add(hit[0])
            pairs.append((t, reps[hit[0]]))
        else:
            missing.append(t)
    return pairs, missing, [r for i, r in enumerate(reps) if i not in used]


def crop(series: ImuSeries, t0: float, t1: float) -> ImuSeries:
    """Samples with t0 <= t < t1."""
    m = (series.t_s >= t0) & (series.t_s < t1)
    return ImuSeries(series.t_s[m], series.acc_g[m], series.gyro_dps[m])
