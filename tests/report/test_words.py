"""The side vocabulary in words (hiplevel.scoring.words) and the advice that judges each tested leg
on its own (hiplevel.scoring.summary): known answers from reps built by hand."""

from __future__ import annotations

import pytest

from hiplevel.scoring import Phase, Rep, Thresholds, advise, summarize_set
from hiplevel.scoring.summary import LEVELS, level_words
from hiplevel.scoring.words import (
    clinician_sentence, leg_findings, patient_words, session_finding, set_finding, stance_leg, support_phases,
)

TH = Thresholds()


def _rep(i: int, stance: str, drop: float, flags: tuple[str, ...] = (), score: float = 90.0, phases=()) -> Rep:
    return Rep(i, float(i), i + 1.0, stance, drop, score, flags, {}, tuple(phases))


def _band_step(i: int, lead_drop: float, trail_drop: float, lead: str = "right") -> Rep:
    """One lateral step: lead swing (the trailing leg stands), then trail swing (the lead leg stands)."""
    trail = "left" if lead == "right" else "right"
    p1 = Phase(trail, i, i + 0.5, lead_drop, 20.0 if lead_drop > 4 else 100.0, ("pelvic_drop",) if lead_drop > 4 else ())
    p2 = Phase(lead, i + 0.5, i + 1.0, trail_drop, 20.0 if trail_drop > 4 else 100.0,
               ("pelvic_drop",) if trail_drop > 4 else ())
    worse = min((p1, p2), key=lambda p: (p.score, -abs(p.drop_deg)))
    return _rep(i, worse.stance, worse.drop_deg, worse.flags, worse.score, (p1, p2))


def test_clinician_sentence_names_the_dropped_side_and_the_stance_leg():
    assert clinician_sentence("walking", _rep(0, "right", 7.2, ("pelvic_drop",))) == \
        "left side dropped 7.2 deg during right stance"
    assert clinician_sentence("single-leg-stance", _rep(0, "left", -3.5, ("hip_hike",))) == \
        "right side rose 3.5 deg (hip hike) during left stance"
    assert clinician_sentence("clamshell", _rep(0, "right", 5.0, ("pelvis_roll_back",))) == \
        "pelvis rolled back 5.0 deg while the right leg worked"


def test_band_walk_step_names_both_phases_worse_first():
    step = _band_step(0, lead_drop=1.0, trail_drop=8.0, lead="right")
    assert stance_leg("band-walk", step) == "right"
    assert [p.stance for p in support_phases("band-walk", step)] == ["left", "right"]
    assert clinician_sentence("band-walk", step) == (
        "left side dropped 8.0 deg during right stance; right side dropped 1.0 deg during left stance")


def test_band_walk_rep_without_phases_is_read_as_its_leading_leg():
    # hiplevel.analysis/1 before phases: side = leading leg, whose side dropped; the trailing leg stood
    old = _rep(0, "left", 6.0, ("pelvic_drop",))
    assert stance_leg("band-walk", old) == "right"
    assert clinician_sentence("band-walk", old) == "left side dropped 6.0 deg during right stance"


def test_patient_words_have_no_jargon():
    words = patient_words("walking", _rep(0, "right", 7.2, ("pelvic_drop",)))
    assert words == "on your right leg: left hip dropped 7 deg, keep your hip bones level"
    for rep in (_rep(0, "left", 1.0), _rep(0, "left", -4.0, ("hip_hike",)), _band_step(0, 1.0, 8.0)):
        w = patient_words("band-walk" if rep.phases else "walking", rep)
        assert "stance" not in w and "pelvic_drop" not in w and "_" not in w, w
    assert patient_words("walking", _rep(0, "left", 1.0)) == "on your left leg: hips level, well done"


def test_finding_per_leg_in_the_clinicians_words():
    reps = [_rep(2 * i, "right", d, ("pelvic_drop",)) for i, d in enumerate((8.0, 9.1, 10.0))]
    reps += [_rep(2 * i + 1, "left", d) for i, d in enumerate((2.0, 3.1, 1.5))]
    f = leg_findings("walking", reps)
    assert f["right"].verdict == "weak" and f["left"].verdict == "controlled"
    assert set_finding("walking", reps) == (
        "right hip abductors: drops of 8.0-10.0 deg on right stance in 3 of 3 steps (weak); "
        "left hip abductors: level on left stance (largest drop 3.1 deg in 3 steps) (controlled)")
    head = session_finding([("walking", reps), ("single-leg-stance", [_rep(9, "right", 7.8, ("pelvic_drop",))])])
    assert head.startswith("Right hip abductors weak: walking: drops of 8.0-10.0 deg on right stance")
    assert "single-leg stance: a drop of 7.8 deg on right stance in 1 of 1 hold (weak)" in head
    assert head.endswith("Left stance: level in every exercise.")


def test_regress_fires_for_the_weak_leg_when_the_good_leg_dilutes_the_set():
    # 6 weak-leg holds scored 0-16 and 6 clean ones on the other leg: half the set fails, most of the
    # right leg does. Pooled, regress (more than half) can never fire here.
    reps = [_rep(i, "right", 9.0 + i, ("pelvic_drop",), score=16.0 - 3 * i) for i in range(6)]
    reps += [_rep(6 + i, "left", 1.0) for i in range(6)]
    adv = advise("single-leg-stance", reps, TH)
    assert adv["action"] == "regress" and adv["leg"] == "right"
    assert adv["reason"].startswith("6 of 6 right-stance holds dropped beyond 4.0 deg (left side)")
    assert "level 2" in adv["reason"] and adv["reason"].endswith(".")


def test_band_walk_advice_counts_both_phases():
    # every step: lead swing level, trail swing (right leg standing) drops 8 deg
    reps = [_band_step(i, 1.0, 8.0) for i in range(8)]
    s = summarize_set("band-walk", reps, TH)
    assert s["per_side"]["right"]["n"] == 8 and s["per_side"]["left"]["n"] == 8
    assert s["per_side"]["right"]["mean_drop_deg"] == pytest.approx(8.0)
    assert s["advice"]["action"] == "regress" and s["advice"]["leg"] == "right"
    assert s["finding"].startswith("right hip abductors: drops of 8.0 deg on right stance in 8 of 8 steps (weak)")


@pytest.mark.parametrize("exercise", ["walking", "band-walk", "single-leg-stance", "clamshell"])
def test_every_advice_is_a_finished_sentence(exercise):
    for reps in ([_rep(0, "right", 9.0, ("pelvic_drop",)), _rep(1, "left", 1.0), _rep(2, "left", 1.0)],
                 [_rep(0, "right", 1.0), _rep(1, "left", 1.0)], []):
        reason = advise(exercise, reps, TH)["reason"]
        assert reason.endswith(".") and not reason.rstrip(".").endswith((":", "stay")), reason
        assert not reason[0].islower(), reason


def test_levels_are_defined():
    assert set(LEVELS) == {1, 2, 3}
    assert level_words(2).startswith("level 2 (weight-bearing") and level_words(None) == ""


def test_an_uncertain_stance_side_is_no_compensation():
    # side_uncertain is the sensor's doubt about which leg stood, not a fault of the movement
    reps = [_rep(i, "left" if i % 2 else "right", 3.0, ("side_uncertain",) if i == 3 else ()) for i in range(8)]
    adv = advise("walking", reps, TH)
    assert adv["action"] == "progress"
    assert adv["reason"].endswith("The stance leg of 1 of 8 steps was uncertain (the sensor could not tell the legs apart).")
    assert summarize_set("walking", reps, TH)["clean_reps"] == 8
