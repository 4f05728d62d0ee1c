"""`signal.peaks`' fast paths (no equal neighbours; no peak closer than the distance to another;
the prominences' flanks from the gaps between candidates) give the general algorithm's peaks:
compared with that algorithm written out here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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


def _plain_prominences(x: np.ndarray, pk: np.ndarray) -> np.ndarray:
    """scipy's walk written out: from each peak out to the first higher sample (or NaN, or the end),
    the lowest point of each flank."""
    out = []
    for p in pk.tolist():
        v, lows = x[p], []
        for step in (-1, 1):
            i, low = p, x[p]
            while 0 <= i < len(x) and not x[i] > v and x[i] == x[i]:
                low = min(low, x[i])
                i += step
            lows.append(low)
        out.append(v - max(lows))
    return np.array(out)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.integers(-3, 3).map(float), st.floats(-2, 2, allow_nan=False), st.just(np.nan),
                          st.just(-0.0)), min_size=3, max_size=300),
       st.sampled_from([0, 10**9]), st.integers(1, 3))
@example([-5.0, 1.0, 0.0, 1.0, -1.0], 0, 1)  # a walk passes a maximum as high as its peak
@example([0.0, 2.0, np.nan, 1.0, 0.5, 1.0, 0.0, np.nan, np.nan], 0, 1)  # and stops at NaN
def test_prominences_are_the_walks(values: list[float], dense_max: int, every: int) -> None:
    """The flanks' ends from the sparse table's descent (both directions in one) or the whole table,
    their minimums from the gaps between candidates: the plain walk's prominences (ties, plateaus,
    NaN anywhere, signed zeros; every maximum or some)."""
    x = np.array(values)
    maxima = peaks.local_maxima(x)
    pk = maxima[::every]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(peaks, "DENSE_MAX_PAIRS", dense_max)
        got = peaks.prominences(x, pk, maxima)
    np.testing.assert_array_equal(got, _plain_prominences(x, pk))
