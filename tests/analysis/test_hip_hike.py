"""Hip hike measured everywhere (issue 14, item 4): a rise of the unsupported side is reported as a
negative drop and flagged `hip_hike` in band walks, single-leg stance, step-downs and single-leg
squats (walking is measured by the walking detector)."""

import pytest

from hiplevel.analysis import analyze
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

from analysis_helpers import match


@pytest.mark.parametrize("exercise,kw", [("band-walk", {}), ("single-leg-stance", {"hold_s": 8.0}),
                                         ("step-down", {"side": "left"}), ("single-leg-squat", {"side": "left"})])
def test_a_rise_of_the_free_side_is_a_negative_drop_and_flagged(exercise, kw):
    reps = 6 if exercise == "band-walk" else 4  # a band walk is a bout of >= 3 steps each way
    sim = simulate_session(SessionSpec([ExerciseSpec(exercise, reps=reps, weak_side="left", drop_deg=-5.0, **kw)], seed=31,
                                       mount_offset_deg=(2.0, -2.0, 3.0), rest_s=4.0))
    res = analyze(sim.imu, exercise)
    pairs, missing, extra = match(sim.reps, res.reps)
    assert not missing and not extra
    hiked = [(t, r) for t, r in pairs if t.side == "left"]  # the weak left leg stands: the right side rises
    assert hiked
    for t, r in hiked:
        assert t.drop_deg < -3.0 and "hip_hike" in t.flags
        assert r.side == "left" and r.drop_deg < -3.0 and abs(r.drop_deg - t.drop_deg) <= 1.0
        assert "hip_hike" in r.flags and "pelvic_drop" not in r.flags
        assert any("right side hiked" in reason for reason in r.details["reasons"])
