"""Ground-truth labels: reps inside sets, rep semantics, weak side, flags, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.constants import EXERCISES, other_side as other
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session


@pytest.fixture(scope="module")
def sim():
    spec = SessionSpec(
        exercises=[
            ExerciseSpec("walking", reps=14, weak_side="left", drop_deg=9.0),
            ExerciseSpec("band-walk", reps=6, sets=2, weak_side="right", drop_deg=7.0, bobbing=True),
            ExerciseSpec("single-leg-stance", reps=2, hold_s=12.0, weak_side="right", drop_deg=6.0),
        ],
        rate_hz=100.0, seed=11, standing_s=3.0, rest_s=6.0,
    )
    return simulate_session(spec)


def test_reps_inside_their_sets(sim):
    assert len(sim.sets) == 4
    for r in sim.reps:
        s = next(s for s in sim.sets if s.exercise == r.exercise and s.set_index == r.set_index)
        assert s.start_s <= r.start_s < r.end_s <= s.end_s
        assert s.standing_start_s < s.standing_end_s <= s.start_s
    counts = {(s.exercise, s.set_index): sum(1 for r in sim.reps if (r.exercise, r.set_index) == (s.exercise, s.set_index)) for s in sim.sets}
    assert counts == {("walking", 0): 14, ("band-walk", 0): 6, ("band-walk", 1): 6, ("single-leg-stance", 0): 2}


def test_walking_sides_alternate_and_weak_side_drops_more(sim):
    walk = [r for r in sim.reps if r.exercise == "walking"]
    assert all(a.side != b.side for a, b in zip(walk, walk[1:]))
    assert all(a.end_s == pytest.approx(b.start_s) for a, b in zip(walk, walk[1:]))
    weak = [r.drop_deg for r in walk[1:-1] if r.side == "left"]
    normal = [r.drop_deg for r in walk[1:-1] if r.side == "right"]
    assert np.mean(weak) == pytest.approx(9.0, abs=1.5)
    assert 2.5 < np.mean(normal) < 5.5  # physiological 3-5 deg contralateral drop
    assert min(weak) > max(normal)
    assert all("pelvic_drop" in r.flags for r in walk[1:-1] if r.side == "left" and r.drop_deg > 7.0)
    assert not any("pelvic_drop" in r.flags for r in walk if r.side == "right")


def test_drop_matches_true_roll(sim):
    """A rep's drop is the measured side's peak below the set neutral in the true roll."""
    tr = sim.truth_1k
    r = next(r for r in sim.reps if r.exercise == "walking" and r.side == "left")
    s = next(s for s in sim.sets if s.exercise == "walking")
    i0, i1 = int(r.start_s * 1000), int(r.end_s * 1000)
    right_drop = np.max(tr.roll_deg[i0:i1] - s.neutral_roll_deg)  # left stance: right side drops, roll > 0
    assert r.drop_deg == pytest.approx(right_drop, abs=0.01)
    stand = slice(int(s.standing_start_s * 1000), int(s.standing_end_s * 1000))
    assert s.neutral_roll_deg == pytest.approx(np.mean(tr.roll_deg[stand]), abs=1e-9)


def test_band_walk_both_ways_hinge_and_flags(sim):
    band = [r for r in sim.reps if r.exercise == "band-walk" and r.set_index == 0]
    assert [r.direction for r in band] == ["left"] * 3 + ["right"] * 3
    # Both single-support phases, lead swing first: the trailing leg holds the pelvis, then the lead.
    assert all([p.stance for p in r.phases] == [other(r.direction), r.direction] for r in band)
    # Weak right stance: the phase on the right leg drops (leftward steps: lead swing, the left side
    # drops; rightward steps: trail swing), and the rep is that worse phase: side = right stance.
    for r in band:
        weak, normal = (p for p in sorted(r.phases, key=lambda p: p.stance != "right"))
        assert weak.drop_deg > 4.5 and "pelvic_drop" in weak.flags and normal.drop_deg < 3.5
        assert r.side == "right" and r.drop_deg == weak.drop_deg
    assert all("bobbing" in r.flags for r in band)
    s = next(s for s in sim.sets if s.exercise == "band-walk")
    mid = slice(int((s.start_s + 3) * 1000), int((s.end_s - 3) * 1000))
    assert 14.0 < np.median(sim.truth_1k.pitch_deg[mid]) < 32.0


def test_single_leg_stance_holds(sim):
    holds = [r for r in sim.reps if r.exercise == "single-leg-stance"]
    assert [r.side for r in holds] == ["left", "right"]
    assert holds[0].hold_s == pytest.approx(12.0, rel=0.2)
    assert holds[1].drop_deg > 4.0 and "pelvic_drop" in holds[1].flags
    assert holds[0].drop_deg < 3.0
    assert all("short_hold" in r.flags for r in holds)


def test_hip_hike_is_negative_drop():
    spec = SessionSpec([ExerciseSpec("single-leg-stance", reps=1, hold_s=6.0, side="left", weak_side="left", drop_deg=-5.0)],
                       seed=2, standing_s=2.0, rest_s=2.0)
    rep = simulate_session(spec).reps[0]
    assert rep.drop_deg < -3.0
    assert "hip_hike" in rep.flags and "pelvic_drop" not in rep.flags


def test_reproducible_from_seed():
    spec = SessionSpec([ExerciseSpec("band-walk", reps=2)], seed=21, standing_s=2.0, rest_s=2.0)
    a, b = simulate_session(spec), simulate_session(spec)
    assert np.array_equal(a.imu.acc_g, b.imu.acc_g) and np.array_equal(a.imu.t_s, b.imu.t_s)
    assert a.reps == b.reps
    c = simulate_session(SessionSpec([ExerciseSpec("band-walk", reps=2)], seed=22, standing_s=2.0, rest_s=2.0))
    assert not np.array_equal(a.imu.acc_g[:100], c.imu.acc_g[:100])


@pytest.mark.parametrize("rate_hz", [50.0, 125.0, 200.0])
def test_output_rate_and_jitter(rate_hz):
    spec = SessionSpec([ExerciseSpec("step-down", reps=1)], rate_hz=rate_hz, seed=1, standing_s=2.0, rest_s=2.0)
    sim = simulate_session(spec)
    dt = np.diff(sim.imu.t_s)
    assert sim.imu.sample_rate_hz == pytest.approx(rate_hz, rel=0.035)
    assert np.all(dt > 0) and np.std(dt) > 1e-5
    assert len(sim.truth) == len(sim.imu)


def test_every_modelled_exercise_runs():
    modelled = [e for e in EXERCISES if e != "clamshell"]
    spec = SessionSpec([ExerciseSpec(e, reps=1, hold_s=3.0) for e in modelled], seed=5, standing_s=2.0, rest_s=2.0)
    sim = simulate_session(spec)
    assert [r.exercise for r in sim.reps] == modelled


def test_spec_validation():
    with pytest.raises(ValueError):
        ExerciseSpec("jogging")
    with pytest.raises(ValueError):
        SessionSpec([ExerciseSpec("walking")], rate_hz=300.0)
