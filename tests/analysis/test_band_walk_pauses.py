"""Band walks with the person standing still between steps (issue 14: "pauses between steps or
none"). With one pelvis move per step, a pause of 1 s or more made every step a lone move (a run
of one), taken for a weight shift: no rep at all in the set (an independent generator, step, stand
1-1.5 s, step: 0 of 8-16 steps found). A deliberate walker who stands 2-2.5 s between steps
(past the product's assumed 0-1.5 s) broke the set into lone steps, none a bout: 0 of 8 found."""

import pytest

from hiplevel.analysis import analyze
from hiplevel.sim import BandStepStrategy, ExerciseSpec, SessionSpec, simulate_session

from analysis_helpers import match


@pytest.mark.parametrize("profile,pause_s", [("one-move", 1.0), ("one-move", 1.5), ("counter-shift", 1.0),
                                             ("lead-trail", 1.5), ("lead-trail", 2.5), ("one-move", 2.5)])
def test_one_rep_per_step_with_a_pause_between_steps(profile, pause_s):
    strategy = BandStepStrategy(profile=profile, pause_s=pause_s, step_s=1.4)
    spec = ExerciseSpec("band-walk", reps=8, weak_side="left", drop_deg=6.0, strategy=strategy)
    sim = simulate_session(SessionSpec([spec], rate_hz=100.0, seed=3, mount_offset_deg=(1.0, -2.0, 0.0), rest_s=5.0))
    res = analyze(sim.imu, "band-walk")
    pairs, missing, extra = match(sim.reps, res.reps)
    assert not missing and not extra
    assert [r.details["direction"] for _, r in pairs] == [t.direction for t, _ in pairs]
    assert [r.side for _, r in pairs] == ["left"] * 8  # the weak leg stands in the worse phase, both ways
