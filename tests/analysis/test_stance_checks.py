"""Single-leg stance: the decision chain declared in one place (`stance_checks`), and each candidate
turned down carrying the name of the check that did (`SingleLegStanceDetector.decide`). Scenes of
bench section 7 where nobody exercises (their mount and rest drawn as there) whose one false hold
on main before stops 33-34 each check now drops (`test_weight_shift_holds.py`)."""

import numpy as np
import pytest

from hiplevel.analysis.offline import motion_of
from hiplevel.exercises import DETECTORS
from hiplevel.exercises.stance_candidate import EDGE, VELOCITY
from hiplevel.exercises.stance_checks import EDGE_GATES, JOINED_UNSEEN, VELOCITY_DROPS, VELOCITY_GATES
from hiplevel.signal.neutral import neutral_roll
from hiplevel.signal.orientation import trace_from_series
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session
from hiplevel.sim.strategies import Scene

DET = DETECTORS["single-leg-stance"]
NAMES = {k.name for k in EDGE_GATES + VELOCITY_GATES + VELOCITY_DROPS} | {JOINED_UNSEEN}


def _motion(spec: ExerciseSpec, seed: int):
    mount = tuple(float(x) for x in np.random.default_rng([seed, 7]).uniform(-3.0, 3.0, 3))
    sim = simulate_session(SessionSpec([spec], rate_hz=100.0, seed=seed, mount_offset_deg=mount, rest_s=4.0))
    tr = trace_from_series(sim.imu)
    return sim, motion_of(tr, 0, len(tr.t_s), neutral_roll(tr.roll_deg, tr.standing))


@pytest.mark.parametrize("seed, check, span_s", [
    (67202, "moved_unseen", (6.4, 42.1)),  # 36 s, the weight going to the other foot and back inside
    (67208, "only_foot_off", (13.5, 17.1)),  # a foot-off vote from the shift's stop, alone
    (67207, "sway_unseen", (5.8, 9.6)),  # the roll rate up, its amplitude not
])
def test_a_dropped_hold_carries_the_check_that_dropped_it(seed, check, span_s):
    _, m = _motion(ExerciseSpec("single-leg-stance", strategy=Scene("weight-shift", duration_s=40.0)), seed)
    d = DET.decide(m)
    assert d.holds == []
    dropped = [r for r in d.rejected if r.check in {k.name for k in VELOCITY_DROPS}]
    assert [r.check for r in dropped] == [check]
    assert dropped[0].path == VELOCITY
    t = m.t_s
    start, end = t[dropped[0].shift_in.offset] - t[0], t[dropped[0].shift_back.onset] - t[0]
    assert abs(start - span_s[0]) < 0.5 and abs(end - span_s[1]) < 0.5


def test_holds_found_and_the_candidates_passed_over_are_named():
    sim, m = _motion(ExerciseSpec("single-leg-stance", reps=2, weak_side="left", drop_deg=8.0, hold_s=8.0), 61)
    d = DET.decide(m)
    assert d.holds == DET.detect(m) and len(d.holds) == len(sim.reps) == 2
    assert {r.check for r in d.rejected} <= NAMES
    assert all(r.path in (VELOCITY, EDGE) for r in d.rejected)


def test_the_detector_reports_each_decision_to_a_listener_while_one_is_open():
    # `bench.physics --why` reads the decisions so, without patching the detector.
    from hiplevel.exercises.stance_candidate import decisions_reported

    sim, m = _motion(ExerciseSpec("single-leg-stance", reps=2, weak_side="left", drop_deg=8.0, hold_s=8.0), 61)
    seen = []
    with decisions_reported(lambda motion, decision: seen.append((motion, decision))):
        holds = DET.detect(m)
    assert len(seen) == 1 and seen[0][0] is m
    assert seen[0][1].holds is holds and seen[0][1] == DET.decide(m)
    DET.detect(m)
    assert len(seen) == 1  # closed: told no more
