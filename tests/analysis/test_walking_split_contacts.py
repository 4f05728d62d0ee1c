"""The contacts a walking analysis lists (each rep's `contact_s` and `closing_contact_s`) agree with
its reps: a rep dropped as half of a split step (`exercises.walking_turns`) is no step, so its
contact is no contact, and the step before it closes where the dropped half closed
(`walking_splits.closing_past`). Main listed the lift-off jolt as the closing contact of the step
before it (mobgap-lowback bench section 3 counts these lists)."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.walking_splits import closing_past
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec


def _listed_contacts(reps) -> list[float]:
    found = {r.details.get("contact_s") for r in reps} | {r.details.get("closing_contact_s") for r in reps}
    return sorted(t for t in found if t is not None)


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_a_split_off_lift_off_jolt_is_listed_as_no_contact(seed):
    # Slow pivot steps whose other foot lifts off mid-step with a jolt of 0.8 of a heel strike
    # (as tests/analysis/test_walking_turns.py): the jolt's rep is dropped; main still listed the
    # jolt as a contact, 0.3-0.7 s from every true one, in each of these walks.
    sim = simulate_session(SessionSpec(
        exercises=[ExerciseSpec("walking", reps=20, turn_every_steps=6, turn_bounce_fraction=0.3,
                                turn_lift_off_fraction=0.8, cadence_spm=85.0)],
        rate_hz=100, seed=seed, rest_s=5.0))
    res = analyze(sim.imu, "walking")
    truth = np.array(sorted({r.start_s for r in sim.reps} | {r.end_s for r in sim.reps}))
    listed = _listed_contacts(res.reps)
    assert len(listed) >= len(truth) - 2
    assert all(np.min(np.abs(truth - t)) <= 0.15 for t in listed)


def test_a_step_closes_past_dropped_reps():
    dropped = {10.4: 10.9, 10.9: 11.5}  # two dropped reps in a row: 10.4-10.9 and 10.9-11.5
    assert closing_past(10.4, dropped) == 11.5
    assert closing_past(10.9, dropped) == 11.5
    assert closing_past(12.0, dropped) == 12.0
    assert closing_past(None, dropped) is None
