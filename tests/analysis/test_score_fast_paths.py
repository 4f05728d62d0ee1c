"""Stop 43 speedK's shorter paths give the former values to the bit: `score_windows` of a set without
phases (a comprehension a field) against the per-window loop a set with phases takes, windows with and
without their own drop; `exact_median.median` without np.partition's wrapper (a copy partitioned in
place; NaN by x != x) on non-native, NaN and signed-zero inputs; the walking edges' `_moving` and
`_motion_ratio` against their former numpy expressions; `_motion_rms` against the numpy reference."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import two_turning_walks_motion

from hiplevel.analysis.offline import score_windows
from hiplevel.constants import other_side
from hiplevel.exercises.base import Motion, PhaseWindow, RepWindow
from hiplevel.exercises.walking import WalkingDetector
from hiplevel.exercises.walking_edges import _motion_rms, _motion_rms_numpy
from hiplevel.scoring import Thresholds
from hiplevel.signal.exact_median import median


def _bits(x) -> bytes:
    return np.asarray(x, dtype=np.float64).tobytes()


@pytest.mark.parametrize("seed", range(3))
def test_score_windows_without_phases_as_the_loop_with_phases(seed) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    t = np.cumsum(rng.uniform(0.009, 0.011, n))
    m = Motion(t, 100.0, rng.normal(size=n), np.zeros(n), None, None, np.zeros(n, bool))
    windows = []
    for _ in range(40):
        a = int(rng.integers(0, n - 1))
        b = a + int(rng.integers(1, 30))  # past the end at times
        side = "left" if rng.random() < 0.5 else "right"
        drop = None if rng.random() < 0.4 else float(rng.normal() * 5.0)  # None: measured on the roll
        metrics = {"bout_neutral_deg": float(rng.normal()), "bout_neutral_s": 1.0} if rng.random() < 0.5 else {}
        windows.append(RepWindow(a, b, side, (a, min(b, n)), other_side(side), bool(rng.random() < 0.3),
                                 metrics, drop))
    phased = RepWindow(10, 60, "left", (10, 60), "right", False, {}, None,
                       (PhaseWindow(12, 30, "left", (12, 30)), PhaseWindow(32, 58, "right", (32, 58))))
    fast = score_windows("walking", m, windows, Thresholds(), first_index=3)
    loop = score_windows("walking", m, [*windows, phased], Thresholds(), first_index=3)[:-1]  # (the loop's path)
    assert len(fast) == len(loop) == len(windows)
    for f, g in zip(fast, loop):
        assert (f.index, f.side, f.score, f.flags, f.details, f.phases) == (g.index, g.side, g.score, g.flags,
                                                                          g.details, g.phases)
        assert _bits([f.start_s, f.end_s, f.drop_deg]) == _bits([g.start_s, g.end_s, g.drop_deg])


CASES = [np.array([3.0, -0.0, 0.0, 1.0]), np.array([-0.0, -0.0]), np.array([0.0, -0.0, -0.0]),
         np.array([1.0, np.nan, 2.0]), np.array([np.inf, -np.inf, 1.0, 2.0]), np.arange(7, dtype=np.int32),
         np.array([5, 1, 9, 2], dtype=np.uint8), np.array([2.5, 1.5, 0.5]).astype(">f8"),
         np.array([2.5, 1.5, 0.5, np.nan]).astype(">f8"), np.array([1.5, 2.5], dtype=np.float32),
         np.asfortranarray(np.arange(12.0).reshape(4, 3)[::-1])]


@pytest.mark.parametrize("x", CASES, ids=range(len(CASES)))
def test_median_as_np_median_to_the_bit(x) -> None:
    axis = 0 if x.ndim == 2 else None
    got, want = median(x, axis=axis), np.median(x, axis=axis)
    assert _bits(got) == _bits(want) and np.shape(got) == np.shape(want)
    if x.ndim == 1:
        assert _bits(median(x.tolist())) == _bits(np.median(x.tolist()))


def test_walking_edges_motion_tests_as_their_former_expressions() -> None:
    m = two_turning_walks_motion(5)
    det = WalkingDetector()
    n = len(m.t_s)
    rng = np.random.default_rng(1)
    c = np.arange(200, min(n - 300, 2200), 55)
    for a in rng.integers(0, n - 10, 40).tolist():
        b = a + int(rng.integers(2, 120))
        h = m.acc_lin_g[a:b, :2] - m.acc_lin_g[a:b, :2].mean(axis=0)
        assert det._moving(m, a, b) == (float(np.sqrt(np.mean(np.sum(h * h, axis=1)))) >= det.edge_motion_g)
        assert _bits(_motion_rms(m, a, b)) == _bits(_motion_rms_numpy(m, a, b))
        steps = median(np.array([_motion_rms_numpy(m, x, x + 40) for x in c[:-1]]), axis=0)
        ratio = _motion_rms_numpy(m, a, b) / np.maximum(steps, 1e-9)
        want = float(np.exp(np.mean(np.log(np.maximum(ratio, 1e-6)))))
        single = type("S", (), {"steps": steps})()
        assert _bits(det._motion_ratio(m, a, b, c, 55, single)) == _bits(want)
