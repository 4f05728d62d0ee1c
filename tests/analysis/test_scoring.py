"""Scoring: monotonicity, thresholds overrides, flags and reasons, progression advice, JSON."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplevel.scoring import Rep, Thresholds, advise, score_rep, summarize_set
from hiplevel.signal.errors import AnalysisError

EXERCISES = ["walking", "band-walk", "single-leg-stance", "step-down", "single-leg-squat", "clamshell"]


@settings(max_examples=200, deadline=None)
@given(ex=st.sampled_from(EXERCISES), a=st.floats(0, 40), b=st.floats(0, 40), side=st.sampled_from(["left", "right"]))
def test_larger_drop_never_scores_higher(ex, a, b, side):
    lo, hi = sorted((a, b))
    th = Thresholds()
    assert score_rep(ex, side, hi, {}, th).score <= score_rep(ex, side, lo, {}, th).score


@settings(max_examples=100, deadline=None)
@given(a=st.floats(0, 30), b=st.floats(0, 30))
def test_larger_hike_never_scores_higher(a, b):
    lo, hi = sorted((a, b))
    th = Thresholds()
    assert score_rep("walking", "left", -hi, {}, th).score <= score_rep("walking", "left", -lo, {}, th).score


def test_scores_span_0_to_100_and_flag_with_reason():
    th = Thresholds()
    assert score_rep("band-walk", "left", 0.5, {}, th).score == 100
    assert score_rep("band-walk", "left", 30.0, {}, th).score == 0
    s = score_rep("walking", "left", 8.0, {}, th)
    assert s.flags == ("pelvic_drop",)
    assert s.reasons[0] == "right side dropped 8.0 deg during left stance (limit 7.0 deg)"
    # A band-walk rep's side is the stance leg of its worse phase, like every single-leg rep.
    s = score_rep("band-walk", "right", 6.0, {}, th)
    assert s.reasons[0] == "left side dropped 6.0 deg during right stance (limit 4.0 deg)"
    s = score_rep("single-leg-stance", "left", -5.0, {"hold_s": 12.0, "sway_deg": 2.0}, th)
    assert set(s.flags) == {"hip_hike", "short_hold", "excess_sway"}


def test_overrides_change_the_flag_and_unknown_names_fail():
    th = Thresholds().with_overrides(drop_flag_deg_walking=9.0)
    assert "pelvic_drop" not in score_rep("walking", "left", 8.0, {}, th).flags
    assert Thresholds.from_dict({"hike_flag_deg": 2.0}).hike_flag_deg == 2.0
    with pytest.raises(AnalysisError, match="unknown threshold"):
        Thresholds().with_overrides(drop_flag=3)
    with pytest.raises(AnalysisError):
        Thresholds(drop_ok_deg_walking=8.0, drop_flag_deg_walking=7.0)


def _reps(drops, side="left", exercise="band-walk"):
    th = Thresholds()
    out = []
    for i, d in enumerate(drops):
        s = score_rep(exercise, side, d, {}, th)
        out.append(Rep(i, i, i + 1, side, d, s.score, s.flags))
    return out


def test_advice_progress_stay_regress():
    th = Thresholds()
    assert advise("band-walk", _reps([1, 2, 1.5]), th)["action"] == "progress"
    stay = advise("band-walk", _reps([1] * 12 + [7, 8, 9], side="right"), th)
    assert stay["action"] == "stay"
    # a band-walk rep without phases names its leading leg (right): the trailing left leg stood
    assert stay["reason"] == ("3 of 15 left-stance steps dropped beyond 4.0 deg (right side): stay at level 2 "
                              "until every rep is clean, keeping the hip bones level.")
    assert advise("band-walk", _reps([7] * 9 + [1] * 6), th)["action"] == "regress"
    assert advise("walking", [], th)["action"] == "repeat"


def test_set_summary_counts_and_asymmetry():
    th = Thresholds()
    reps = _reps([3, 4], "left", "walking") + _reps([9, 10], "right", "walking")
    s = summarize_set("walking", reps, th)
    assert s["reps"] == 4 and s["clean_reps"] == 2
    assert s["per_side"]["right"]["mean_drop_deg"] == 9.5
    assert s["asymmetry_deg"] == -6.0
    assert "larger on right stance" in s["asymmetry_text"]
    assert s["finding"].startswith("right hip abductors: drops of 9.0-10.0 deg on right stance in 2 of 2 steps (weak)")


def test_a_reps_own_phase_is_made_once_and_stays_out_of_its_fields() -> None:
    # The set's summary, finding and advice each walk every rep's single-support phases: a rep
    # without phases is its own one phase, made once (15,600 Phase objects an hour of walking -> 5,200).
    from dataclasses import replace

    from hiplevel.scoring.reps import Phase, Rep
    from hiplevel.scoring.words import support_phases

    rep = Rep(3, 1.0, 1.6, "left", 4.2, 80.0, ("pelvic_drop",), {"step_s": 0.6})
    first = support_phases("walking", rep)
    assert first == (Phase("left", 1.0, 1.6, 4.2, 80.0, ("pelvic_drop",)),)
    assert support_phases("walking", rep) is first and support_phases("step-down", rep) is first
    assert replace(rep) == rep and "own_phase" not in repr(rep)
    # A band-walk rep without phases (written before band-walk phases) stood on the other leg.
    assert support_phases("band-walk", rep)[0].stance == "right"
