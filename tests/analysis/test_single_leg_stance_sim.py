"""Single-leg stance against the simulator's ground truth: every hold found with its timing, side
= stance leg, robust drop within 1 deg, hip hikes included; hold and sway flags agree."""

import pytest

from hiplevel.analysis import analyze
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec

from analysis_helpers import match

CASES = [
    (50, None, (2.0, -3.0, 4.0), 51, 8.0),
    (100, "left", (-3.0, 2.0, -5.0), 52, 8.0),
    (200, "right", (1.0, 3.0, 3.0), 53, -5.0),  # hip hike on right stance
    (100, "left", (4.0, -2.0, 2.0), 54, -5.0),
]


@pytest.mark.parametrize("rate,weak,mount,seed,drop", CASES)
def test_every_hold_found_and_timed(rate, weak, mount, seed, drop):
    sim = simulate_session(SessionSpec(
        exercises=[ExerciseSpec("single-leg-stance", reps=2, weak_side=weak, drop_deg=drop, hold_s=8.0)],
        rate_hz=rate, seed=seed, mount_offset_deg=mount, rest_s=5.0))
    res = analyze(sim.imu, "single-leg-stance")
    pairs, missing, extra = match(sim.reps, res.reps)
    assert not missing and not extra
    assert [r.side for _, r in pairs] == [t.side for t, _ in pairs] == ["left", "right"]
    for t, r in pairs:
        assert abs(r.start_s - t.start_s) < 0.5 and abs(r.end_s - t.end_s) < 0.5
        assert abs(r.details["hold_s"] - t.hold_s) < 0.5
        assert abs(r.drop_deg - t.drop_deg) <= 1.0
        assert set(r.flags) == set(t.flags)
    if weak:
        flag = "hip_hike" if drop < 0 else "pelvic_drop"
        assert {r.side for r in res.reps if flag in r.flags} == {weak}
