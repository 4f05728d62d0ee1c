"""The per-step records of walking (Stop 42 speedA, issue 13): `WalkingDetector.finish` copies one
dict of the metrics a bout's reps share and `score_windows` copies each window's metrics and reads
its fields from its __dict__; the records are those of the former formulation, key order included:
`{"step_s", "side_confidence", "bout_side_confidence", **neutral}` then contact, closing contact and
edge when present, and `{**metrics, "measured_side", "reasons"}`; every rep its own dicts."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import two_turning_walks_motion

from hiplevel.analysis.offline import score_windows
from hiplevel.constants import other_side
from hiplevel.exercises import DETECTORS
from hiplevel.exercises.base import Motion, PhaseWindow, RepWindow
from hiplevel.scoring import RepScorer, Thresholds

OPTIONAL = ("contact_s", "closing_contact_s", "edge")


@pytest.fixture(scope="module")
def walk():
    return two_turning_walks_motion(5)


def test_finish_metrics_as_the_merged_dict_each_rep_its_own(walk) -> None:
    det = DETECTORS["walking"]
    draft = det.prepare(walk)
    windows = det.finish(draft)
    assert len(windows) > 20
    firsts = ["step_s", "side_confidence", "bout_side_confidence", "bout_neutral_deg", "bout_neutral_s"]
    for w in windows:
        if "edge" in w.metrics and w.metrics["edge"] not in ("initiation", "termination", "closing"):
            continue  # (a spot step's record: `spot_rep`)
        keys = list(w.metrics)
        assert keys[:5] == firsts, keys
        assert keys[5:] == [k for k in OPTIONAL if k in w.metrics], keys
        assert w.measure_side == other_side(w.side) and w.win == (w.start, w.end)
    # Each rep's own dict: a change to one window's metrics shows in no other.
    ids = {id(w.metrics) for w in windows}
    assert len(ids) == len(windows)
    windows[0].metrics["step_s"] = -1.0
    assert all(w.metrics.get("step_s") != -1.0 for w in windows[1:])


def _motion(t: np.ndarray, roll: np.ndarray) -> Motion:
    """A roll stream's motion (the times and roll alone)."""
    return Motion(t, 100.0, roll, np.zeros(len(t)), None, None, np.zeros(len(t), bool))


def _former(exercise, m, windows, th):
    """score_windows' reps as the former loop made them (attribute reads, a merged details dict)."""
    last, scorer, out = len(m.t_s) - 1, RepScorer(exercise, th), []
    for w in windows:
        score, flags, reasons = scorer.parts(w.side, w.drop_deg, w.metrics)
        out.append((float(m.t_s[w.start]), float(m.t_s[min(w.end, last)]), w.side, round(w.drop_deg, 3), score, flags,
                    {**w.metrics, "measured_side": w.measure_side, "reasons": list(reasons)}))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_score_windows_records_as_the_former_loop(seed) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    t = np.cumsum(rng.uniform(0.009, 0.011, n))
    m = _motion(t, rng.normal(size=n))
    keys = ["step_s", "side_confidence", "measured_side", "reasons", "hold_s", "contact_s", "edge"]
    windows = []
    for _ in range(60):
        a = int(rng.integers(0, n - 1))
        b = a + int(rng.integers(1, 40))  # past the end at times: its end time is the last sample's
        side = "left" if rng.random() < 0.5 else "right"
        metrics = {k: float(rng.uniform(0.3, 60.0)) for k in rng.permutation(keys)[: int(rng.integers(0, 6))]}
        windows.append(RepWindow(a, b, side, (a, min(b, n)), other_side(side), False, metrics,
                                 float(rng.normal() * 5.0)))
    reps = score_windows("walking", m, windows, Thresholds(), first_index=7)
    for k, (r, want, w) in enumerate(zip(reps, _former("walking", m, windows, Thresholds()), windows)):
        assert r.index == 7 + k
        got = (r.start_s, r.end_s, r.side, r.drop_deg, r.score, r.flags, r.details)
        assert got == want and list(r.details) == list(want[-1])
        assert r.details is not w.metrics


def test_score_windows_phases_read_from_fields() -> None:
    """A window with phases (band walk) still takes its worse phase's side and drop."""
    t = np.arange(200) / 100.0
    roll = np.zeros(200)
    roll[20:40], roll[60:80] = -1.0, -6.0  # the left side drops in the second phase (right stance)
    m = _motion(t, roll)
    w = RepWindow(10, 90, "left", (10, 90), "right", False, {"direction": "left"}, None,
                  (PhaseWindow(15, 45, "left", (15, 45)), PhaseWindow(55, 85, "right", (55, 85))))
    (r,) = score_windows("band-walk", m, [w], Thresholds())
    assert r.side == "right" and r.drop_deg == 6.0 and len(r.phases) == 2
    assert list(r.details) == ["direction", "measured_side", "reasons"]


@pytest.mark.parametrize("points", [25.0, 0.0, -5.0, float("inf"), float("nan")])
def test_a_rep_without_flags_loses_zero_times_the_points(points) -> None:
    """`RepScorer.parts` subtracts 0 x penalty_points from a rep without flags without counting
    them: the former score to the bit, also for points that are not finite (NaN, then 0)."""
    th = Thresholds().with_overrides(penalty_points=points)
    scorer = RepScorer("walking", th)
    for drop in (-0.5, 0.0, 0.7, 1.9, 2.6, 3.9):
        score, flags, _ = scorer.parts("left", drop, {"side_confidence": 0.95})
        assert flags == ()
        ok, flag, _ = th.drop_band_deg("walking")
        base = 100.0 if drop <= ok else 100.0 - 40.0 * (drop - ok) / (flag - ok)
        want = round(max(0.0, base - 0 * points) if base - 0 * points == base - 0 * points else 0.0, 1)
        assert np.float64(score).view(np.int64) == np.float64(want).view(np.int64), (drop, score, want)
