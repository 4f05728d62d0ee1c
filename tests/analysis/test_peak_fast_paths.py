"""`signal.peaks`' fast paths (no equal neighbours; no peak closer than the distance to another)
give the general algorithm's peaks: compared with that algorithm written out here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hiplevel.signal import peaks


def _local_maxima_runs(x: np.ndarray) -> np.ndarray:
    n = len(x)
    if n < 3:
        return np.zeros(0, np.intp)
    starts = np.concatenate([[0], np.flatnonzero(x[1:] != x[:-1]) + 1])
    ends = np.concatenate([starts[1:] - 1, [n - 1]])
    v = x[starts]
    k = np.flatnonzero((v[1:-1] > v[:-2]) & (v[1:-1] > v[2:])) + 1
    return (starts[k] + ends[k]) // 2


def _greedy(pos: np.ndarray, priority: np.ndarray, distance: float) -> np.ndarray:
    keep = np.ones(len(pos), bool)
    for j in np.argsort(priority)[::-1]:
        if keep[j]:
            near = np.abs(pos - pos[j]) < math.ceil(distance)
            near[j] = False
            keep &= ~near
    return keep


@pytest.mark.parametrize("seed", range(3))
def test_local_maxima_with_and_without_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n in (0, 1, 2, 3, 4, 50, 2000):
        for x in (rng.normal(size=n), np.round(rng.normal(size=n), 1), np.where(rng.random(n) < 0.05, np.nan, rng.normal(size=n))):
            np.testing.assert_array_equal(peaks.local_maxima(x), _local_maxima_runs(x))


@pytest.mark.parametrize("seed", range(3))
def test_select_by_distance_with_isolated_and_close_peaks(seed: int) -> None:
    """Peaks all farther apart than the distance (kept, no loop), some close (the loop over those),
    tied priorities (argsort's order)."""
    rng = np.random.default_rng(seed)
    for gap_max, distance in ((60, 30), (45, 30), (12, 5.5), (200, 1.0)):
        pos = np.cumsum(rng.integers(1, gap_max, 300))
        for priority in (rng.normal(size=300), np.round(rng.normal(size=300))):
            np.testing.assert_array_equal(peaks.select_by_distance(pos, priority, distance),
                                          _greedy(pos, priority, distance))


def test_spaced_peaks_of_a_slow_wave_are_every_prominent_peak() -> None:
    """A walk-like wave (peaks ~45 samples apart, distance 30): no peak is dropped for distance."""
    rng = np.random.default_rng(11)
    t = np.arange(20_000)
    x = np.sin(2 * np.pi * t / 45.0) * 0.1 + rng.normal(size=len(t)) * 1e-4
    spaced, every = peaks.spaced_and_all_peaks(x, 0.035, 30, 0.035)
    np.testing.assert_array_equal(spaced, every)
    assert len(every) > 400
