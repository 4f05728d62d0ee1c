"""`RepScorer`: a set's reps scored with its exercise's thresholds looked up once (`score_windows`)
score exactly as each rep scored alone (`score_rep`, `phase_of` without a scorer), flags and
reasons included, whatever the order of flagged and clean reps."""

import itertools

import pytest

import hiplevel.analysis.offline as offline
from hiplevel.analysis import analyze
from hiplevel.scoring import RepScore, RepScorer, Thresholds, score_rep
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

EXERCISES = ["walking", "band-walk", "single-leg-stance", "step-down", "single-leg-squat", "clamshell"]
DROPS_DEG = [-12.0, -4.0, -2.5, -1.5, -0.2, 0.0, 1.0, 2.5, 3.5, 4.5, 6.0, 7.5, 11.0, 16.0, 40.0]
METRICS = [{}, {"hold_s": 12.0}, {"hold_s": 45.0}, {"sway_deg": 2.0}, {"bob_cm": 6.0}, {"step_m": 0.1},
           {"side_confidence": 0.55}, {"side_confidence": 0.97}, {"rollback_deg": 6.0}, {"rollback_deg": -3.0},
           {"hold_s": 5.0, "sway_deg": 1.5, "bob_cm": 5.0, "step_m": 0.05, "side_confidence": 0.6}]
# Thresholds that flag often (a low drop flag, a costly penalty): most reps carry a flag.
STRICT = Thresholds().with_overrides(drop_flag_deg_walking=5.5, drop_ok_deg_walking=1.0, hike_flag_deg=1.5,
                                     penalty_points=40.0, side_min_confidence=0.99)


@pytest.mark.parametrize("th", [Thresholds(), STRICT])
@pytest.mark.parametrize("exercise", EXERCISES)
def test_one_scorer_scores_each_rep_as_alone(exercise, th):
    cases = list(itertools.product(("left", "right"), DROPS_DEG, METRICS))
    scorer = RepScorer(exercise, th)
    for order in (cases, cases[::-1]):
        for side, drop, metrics in order:
            assert RepScore(*scorer.parts(side, drop, metrics)) == score_rep(exercise, side, drop, metrics, th)


@pytest.mark.parametrize("th", [Thresholds(), STRICT])
@pytest.mark.parametrize("exercise", EXERCISES)
def test_score_windows_scores_each_window_as_alone(monkeypatch, exercise, th):
    real = offline.score_windows
    checked = []

    def each_alone(ex, m, windows, th_, first_index=0):
        reps = real(ex, m, windows, th_, first_index)
        for w, r in zip(windows, reps):
            if w.phases:  # each phase scored alone, and the rep its worse phase
                phases = tuple(offline.phase_of(ex, m, w, p, th_) for p in w.phases)
                assert r.phases == phases
                worst = min(phases, key=lambda p: (p.score, -abs(p.drop_deg)))
                side, drop = worst.stance, worst.drop_deg
            else:
                side, drop = w.side, offline.window_drop_deg(m, w)
            alone = score_rep(ex, side, drop, w.metrics, th_)
            assert (r.score, r.flags, r.details["reasons"]) == (alone.score, alone.flags, list(alone.reasons))
            checked.append(r)
        return reps

    monkeypatch.setattr(offline, "score_windows", each_alone)
    spec = ExerciseSpec(exercise, reps=8, weak_side="left", drop_deg=6.0)
    sim = simulate_session(SessionSpec(exercises=[spec], rate_hz=100, seed=3, rest_s=5.0))
    res = analyze(sim.imu, exercise, thresholds=th)
    assert len(checked) == len(res.reps) > 0


@pytest.mark.parametrize("exercise", EXERCISES)
def test_scorer_score_is_drop_score(exercise):
    # `RepScorer.parts` skips `drop_score`'s calls where its first ramp is flat: the same score at
    # and around each bend (ok, flag), for signed zeros and NaN.
    from hiplevel.scoring.reps import drop_score

    for th in (Thresholds(), STRICT):
        scorer = RepScorer(exercise, th)
        ok, flag, fail = scorer.ok, scorer.flag, scorer.fail
        bends = [ok, flag, fail, ok + 1e-9, -th.hike_flag_for(exercise), -th.hike_fail_deg]
        drops = [b + d for b in bends for d in (-1e-12, -1e-15, 0.0, 1e-15, 1e-12)] + DROPS_DEG
        for drop in drops + [0.0, -0.0, 5e-324, float("nan"), float("inf"), -float("inf")]:
            score, _, _ = scorer.parts("left", drop, {})
            if exercise == "clamshell":
                drop = max(0.0, float(drop))
            want = round(max(0.0, drop_score(drop, ok, flag, fail, th, scorer.hike_flag)), 1)
            assert repr(score) == repr(want), drop
