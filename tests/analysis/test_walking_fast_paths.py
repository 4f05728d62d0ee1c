"""The walking detector's and the scoring's batched forms give their per-item forms'
values to the bit: `RepScorer.parts_many` (`parts` rep by rep), `tilt_moves_deg` column by column
(the row formula: stride-tilt rows and their dot products), the spot steps' half-waves filtered as
arrays (`away_from` of `sway_half_waves`), and the walking detector's steps' drops written out in
`finish` (`signed_drop_deg` of each step's roll against its bout's neutral)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from analysis_helpers import noisy_up, two_turning_walks_motion

import hiplevel.exercises.walking_posture_change as wpc
from hiplevel.exercises.walking import WalkingDetector
from hiplevel.exercises.walking_drops import signed_drop_deg
from hiplevel.exercises.walking_spot_turns import _away_from_spans, away_from, sway_half_wave_spans, sway_half_waves
from hiplevel.exercises.walking_splits import split_step_bumps
from hiplevel.exercises.walking_turns import run_turns_deg
from hiplevel.scoring import RepScorer, Thresholds

EXERCISES = ["walking", "band-walk", "single-leg-stance", "step-down", "single-leg-squat", "clamshell"]
DROPS_DEG = [-12.0, -4.0, -1.5, -0.0, 0.0, 1.0, 2.5, 4.0, 4.999, 5.0, 5.0000000001, 6.0, 7.0, 7.5, 11.0, 40.0,
             float("nan"), float("inf")]
METRICS = [{}, {"hold_s": 12.0}, {"hold_s": None}, {"sway_deg": 2.0}, {"bob_cm": 6.0}, {"step_m": 0.1},
           {"side_confidence": 0.55}, {"side_confidence": 0.97}, {"side_confidence": None},
           {"rollback_deg": 6.0}, {"step_s": 0.5, "side_confidence": 0.89, "bout_neutral_s": 1.0},
           {"hold_s": 5.0, "sway_deg": 1.5, "bob_cm": 5.0, "step_m": 0.05, "side_confidence": 0.6},
           {"side_confidence": float("nan")}, {"side_confidence": Thresholds().side_min_confidence},
           {"step_s": 0.5, "side_confidence": 0.3, "bout_neutral_s": 1.0, "edge": 2}]
THRESHOLDS = [Thresholds(),
              Thresholds().with_overrides(drop_flag_deg_walking=5.5, drop_ok_deg_walking=1.0, hike_flag_deg=1.5,
                                          penalty_points=40.0, side_min_confidence=0.99),
              Thresholds().with_overrides(penalty_points=float("inf")),
              Thresholds().with_overrides(hike_flag_deg=1e-9)]


@pytest.mark.parametrize("th", THRESHOLDS)
@pytest.mark.parametrize("exercise", EXERCISES)
def test_parts_many_is_parts_rep_by_rep(exercise, th):
    cases = list(itertools.product(("left", "right"), DROPS_DEG, METRICS))
    scorer = RepScorer(exercise, th)
    for order in (cases, cases[::-1]):
        sides, drops, metrics = zip(*order)
        got = scorer.parts_many(sides, drops, metrics)
        want = [scorer.parts(*case) for case in order]
        # Scores to the bit (NaN, -0 included), flags and reasons equal.
        assert [np.float64(s).tobytes() for s, _, _ in got] == [np.float64(s).tobytes() for s, _, _ in want]
        assert [(f, r) for _, f, r in got] == [(f, r) for _, f, r in want]
    assert scorer.parts_many([], [], []) == []


def _tilt_moves_rows(up: np.ndarray, c: np.ndarray, med: int, span_steps: float) -> tuple[np.ndarray, np.ndarray]:
    """`tilt_moves_deg`'s before / after as its definition reads: the stride tilt's rows at every
    offset, their dot products with the contact's own row (einsum), the least cosine a side."""
    w = max(1, int(round(span_steps * med)))
    lo = max(0, int(c[0]) - w - 2 * med)
    part = up[lo : int(c[-1]) + w + 2 * med + 1]
    side = np.arange(0, w + 1, max(1, w // wpc.SPAN_SAMPLES))
    both = wpc.stride_tilt(part, 2 * med)((np.asarray(c) - lo)[:, None] + np.concatenate([-side, side]))
    cos = np.einsum("kmi,ki->km", both, np.ascontiguousarray(both[:, 0]))
    deg = [np.degrees(np.arccos(np.clip(x, -1.0, 1.0)))
           for x in (cos[:, : len(side)].min(axis=1), cos[:, len(side) :].min(axis=1))]
    return deg[0], deg[1]


@pytest.mark.parametrize("rows_path", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_tilt_moves_column_by_column_are_the_row_formula(monkeypatch, seed, rows_path):
    if rows_path:  # (a numpy whose einsum sums otherwise: the rows and einsum themselves)
        monkeypatch.setattr(wpc, "einsum_order_ok", lambda: False)
    rng = np.random.default_rng(seed)
    for _ in range(12):
        n = int(rng.integers(200, 4000))
        up = noisy_up(rng, n, 0.3, 0.3, 3)
        med, span = int(rng.integers(2, 80)), float(rng.uniform(0.5, 4.0))
        c = np.sort(rng.choice(n, int(rng.integers(1, 40)), replace=False))
        before, after, span_of = wpc.tilt_moves_deg(up, c, med, span)
        want_before, want_after = _tilt_moves_rows(up, c, med, span)
        assert before.tobytes() == want_before.tobytes() and after.tobytes() == want_after.tobytes()
        assert np.isfinite(span_of(0))


@pytest.mark.parametrize("seed", range(5))
def test_spot_half_waves_away_from_spans_as_arrays_are_away_from(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    sway = np.convolve(rng.normal(0.0, 0.05, n), np.ones(25) / 5.0, mode="same")
    waves = sway_half_waves(sway, 100.0, 0.02, 0.1)
    assert len(waves) > 20
    assert list(zip(*(x.tolist() for x in sway_half_wave_spans(sway, 100.0, 0.02, 0.1)))) == waves
    for k in range(6):
        lo = np.sort(rng.integers(-100, n, k))
        spans = [(int(x), int(x + rng.integers(1, 400))) for x in lo]
        got = _away_from_spans(sway_half_wave_spans(sway, 100.0, 0.02, 0.1), spans)
        assert got == away_from(waves, spans)
        assert all(type(v) is int for w in got for v in w)
    assert _away_from_spans(sway_half_wave_spans(np.zeros(0), 100.0, 0.0, 0.0), [(0, 5)]) == []


@pytest.mark.parametrize("seed", [5, 6])
def test_walking_finish_drops_are_signed_drop_deg(seed):
    m = two_turning_walks_motion(seed)
    windows = WalkingDetector().detect(m)
    assert len(windows) > 20
    for w in windows:
        offset = float(w.metrics["bout_neutral_deg"]) if w.metrics.get("bout_neutral_s") is not None else 0.0
        want = signed_drop_deg(m.roll_deg[w.start : w.end] - offset, w.measure_side)
        assert np.float64(w.drop_deg).tobytes() == np.float64(want).tobytes()


def _run_ranges(yaw, c, rate_hz, steps, pad_s=0.5):
    """`run_turns_deg` as its definition reads: each run's window of the bout's integrated yaw."""
    pad = int(round(pad_s * rate_hz))
    lo, hi = max(0, int(c[0]) - pad), min(len(yaw), int(c[-1]) + pad + 1)
    heading = np.cumsum(yaw[lo:hi]) / rate_hz
    out = []
    for s in steps:
        w = [heading[max(0, a - lo - pad) : min(b - lo + pad + 1, len(heading))] for a, b in zip(c[:-s], c[s:])]
        out.append(np.array([np.max(x) - np.min(x) if len(x) else 0.0 for x in w], dtype=float))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_run_turns_from_single_step_windows_are_each_runs_range(seed):
    rng = np.random.default_rng(seed)
    for _ in range(150):
        n = int(rng.integers(5, 800))
        yaw = rng.normal(0.0, 40.0, n)
        if rng.random() < 0.1:
            yaw[rng.integers(0, n)] = np.nan
        c = np.sort(rng.choice(n, int(rng.integers(1, min(n, 40))), replace=False))
        if rng.random() < 0.1:
            c = c + n // 2  # contacts past the yaw's end: the per-run windows
        for steps in ((2, 1), (1,), (5, 3, 2, 1), (40, 2)):
            for got, want in zip(run_turns_deg(yaw, c, 100.0, steps), _run_ranges(yaw, c, 100.0, steps)):
                assert got.shape == want.shape and np.array_equal(got, want, equal_nan=True)
                assert got[~np.isnan(got)].tobytes() == want[~np.isnan(want)].tobytes()


def _split_bumps_loop(c, h, weak_fraction, irregular_ratio):
    """`split_step_bumps` as its loop read: contact by contact, numpy scalars and Python's min."""
    keep = np.ones(len(c), dtype=bool)
    if weak_fraction <= 0 or len(c) < 4:
        return keep
    steps = np.diff(np.asarray(c, dtype=float))
    med, weak = float(np.median(steps)), weak_fraction * float(np.median(h))
    for k in range(1, len(c) - 1):
        if not keep[k - 1]:
            continue
        d1, d2 = steps[k - 1], steps[k]
        if (h[k] < weak and h[k] < min(h[k - 1], h[k + 1]) and d1 < med and d2 < med
                and med / irregular_ratio <= d1 + d2 <= irregular_ratio * med):
            keep[k] = False
    return keep


@pytest.mark.parametrize("seed", range(4))
def test_split_step_bumps_at_once_are_the_contact_by_contact_loop(seed):
    rng = np.random.default_rng(seed)
    found = 0
    for _ in range(300):
        n = int(rng.integers(0, 40))
        c = np.cumsum(rng.choice([20, 25, 26, 50, 51, 52, 55, 90], n)) + 100
        h = rng.choice([0.02, 0.05, 0.05, 0.3, 0.31, 0.4], n) * rng.uniform(0.9, 1.1, n)
        if n and rng.random() < 0.1:
            h[rng.integers(0, n)] = np.nan
        for frac in (0.0, 0.2, 0.5):
            got, want = split_step_bumps(c, h, frac, 1.5), _split_bumps_loop(c, h, frac, 1.5)
            assert np.array_equal(got, want)
            found += int((~want).sum())
    assert found > 50  # (contacts dropped, runs of candidates among them)
