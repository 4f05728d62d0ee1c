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


@pytest.mark.parametrize("seed", [1, 3, 11])
def test_a_settling_bump_a_swing_after_the_last_contact_is_no_step(seed):
    # A weak bump (0.05 g, under the edge trim's floor) 0.7 median steps after the walk's last
    # heel strike, inside the closing swing: the trailing foot's lift-off or the pelvis settling
    # as the walk stops. Main kept it as a soft last contact (its step was over 2/3 of a median
    # step), so the closing swing became a step ending at the bump, 0.2 s before the closing
    # foot landed, and no termination swing was found. Only a swing after the last contact it is
    # no step (the lift-off limit of a walk's first contact, lift_off_step_ratio): the walk ends
    # with its termination swing at the closing contact.
    from hiplevel.samples import ImuSeries
    from hiplevel.sim import match_reps

    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], seed=seed, rest_s=5.0))
    truth = sim.reps
    step = float(np.median([t.end_s - t.start_s for t in truth[1:-1]]))
    tb, acc = truth[-1].start_s + 0.7 * step, sim.imu.acc_g.copy()
    s = np.abs(sim.imu.t_s - tb) <= 0.08
    acc[s, 2] += 0.05 * np.cos(np.pi * (sim.imu.t_s[s] - tb) / 0.16)
    res = analyze(ImuSeries(sim.imu.t_s, acc, sim.imu.gyro_dps, dict(sim.imu.meta)), "walking")
    pairs, missing, extra = match_reps(truth, res.reps)
    assert not missing and not extra
    assert all(t.side == r.side for t, r in pairs)
    last = max(res.reps, key=lambda r: r.end_s)
    assert last.details.get("edge") == "termination"
    assert abs(last.details["closing_contact_s"] - truth[-1].end_s) <= 0.1
