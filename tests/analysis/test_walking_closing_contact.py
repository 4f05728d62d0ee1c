"""Walking: the termination swing (the trailing foot closing up after the last contact) ends at that
foot's contact, and the analysis lists it as the swing's `closing_contact_s`, the foot the other
one than the swing's stance. Main listed no contact there: the walk's last contact went missing
from the contact list (mobgap-lowback bench section 3: the INDIP lists it where its walking bout
takes it in, HA_001 Test11 123.36 s and HA_002 Test11 72.29 s)."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.constants import other_side
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec


@pytest.mark.parametrize("seed", [1, 3, 11])
def test_the_termination_swing_lists_the_closing_feet_contact(seed):
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], seed=seed, rest_s=5.0))
    closing = sim.reps[-1]  # the simulator's termination swing: it ends where the trailing foot lands
    res = analyze(sim.imu, "walking")
    ends = [r for r in res.reps if r.details.get("edge") == "termination"]
    assert len(ends) == 1
    r = ends[0]
    assert r.details.get("closing_contact_s") is not None
    assert abs(r.details["closing_contact_s"] - closing.end_s) <= 0.1
    assert r.details["closing_contact_s"] == pytest.approx(r.end_s, abs=0.02)
    # The closing foot is the one the swing's stance leg is not, as for every step.
    assert other_side(r.side) == other_side(closing.side)


@pytest.mark.parametrize("seed", [3, 9])
def test_every_listed_contact_of_a_walk_is_a_true_one(seed):
    # Every contact of the walk (the starts and ends of its steps and swings but the initiation
    # swing's start, a lift-off) is listed once, at most 0.1 s off.
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], seed=seed, rest_s=5.0))
    truth = np.array(sorted({t.end_s for t in sim.reps}))
    res = analyze(sim.imu, "walking")
    listed = sorted({x for r in res.reps for x in (r.details.get("contact_s"), r.details.get("closing_contact_s"))
                     if x is not None})
    assert len(listed) == len(truth)
    assert np.max(np.abs(np.asarray(listed) - truth)) <= 0.1
