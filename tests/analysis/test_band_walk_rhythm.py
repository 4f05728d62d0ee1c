"""A band walk keeps one rhythm (issue 14): standing whose integrated lateral position creeps one
way in irregular moves (hapt-dev, a waist phone after standing up: "steps" of 0.9, 2.8, 0.85,
0.85 and 1.0 s, 1-2.6 s apart, 7-28 cm each, no foot lifted) is not a series of lateral steps;
regular steps of the same sizes are."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.lateral_steps import rhythm_vote, steady_runs
from hiplevel.sim import ExerciseSpec, Scene, SessionSpec, simulate_session
from hiplevel.sim import session as sim_session
from hiplevel.sim.motion import Segment, ramp, time_axis

from analysis_helpers import match

# (start s, duration s, lateral travel m) of each move, the hapt-dev drift's rhythm.
IRREGULAR = ((2.0, 0.9, 0.07), (4.0, 2.8, 0.25), (7.1, 0.85, 0.11), (9.8, 0.85, 0.07), (10.8, 1.0, 0.08))
REGULAR = tuple((2.0 + 1.3 * k, 1.2, d) for k, (_, _, d) in enumerate(IRREGULAR))


def _moves(plan):
    def scene(ex, rng, k=0):
        t = time_axis(16.0)
        n = len(t)
        seg = Segment(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros((n, 3)), np.full(n, 1.0), kind="scene")
        for s, d, m in plan:  # to the right, each move a smooth ramp, the pelvis level
            seg.pos[:, 1] -= m * ramp(t, s, s + d)
        return seg
    return scene


def _reps(monkeypatch, plan, seed):
    monkeypatch.setattr(sim_session.scenes, "scene", _moves(plan))
    sim = simulate_session(SessionSpec([ExerciseSpec("band-walk", strategy=Scene("fidgeting"))], seed=seed,
                                       rest_s=3.0, mount_offset_deg=(2.0, -2.0, 3.0)))
    return analyze(sim.imu, "band-walk").reps


@pytest.mark.parametrize("seed", [1, 2])
def test_irregular_drift_one_way_is_no_band_walk(monkeypatch, seed):
    assert _reps(monkeypatch, IRREGULAR, seed) == []


def test_the_same_moves_at_a_steady_rhythm_are_steps(monkeypatch):
    assert len(_reps(monkeypatch, REGULAR, 1)) >= 3


def test_steady_runs():
    starts = [0.0, 1.3, 2.6, 3.9, 8.0, 8.4]
    durs = [1.2, 1.1, 1.3, 1.2, 1.2, 0.3]
    assert steady_runs(starts, durs, 3, 2.0, 2.5) == [True] * 4 + [False] * 2
    # Intervals 2.0, 3.1, 2.6, 1.0 s and durations 0.9-2.8 s: no run of three.
    assert steady_runs([0.0, 2.0, 5.1, 7.7, 8.7], [0.9, 2.8, 0.85, 0.85, 1.0], 3, 2.0, 2.5) == [False] * 5


def test_a_hike_then_a_drop_is_two_moves_per_step():
    """Lead then trail, the weak side hiking in one half and the other side dropping in the other:
    both halves tilt the pelvis the same way, a 5 deg and a 1.5 deg hump. The halves differ in
    size, not in sign, and that is still two moves per step; one move per step repeats one hump."""
    half = 50
    hump = np.sin(np.linspace(0.0, np.pi, 2 * half + 1))
    centres = [half + 2 * half * k for k in range(8)]
    x = np.zeros(centres[-1] + half + 1)
    for k, c in enumerate(centres):
        x[c - half : c + half + 1] += (5.0 if k % 2 == 0 else 1.5) * hump
    assert rhythm_vote(x, centres, half, 0.15) > 0.5
    same = np.zeros_like(x)
    for c in centres:
        same[c - half : c + half + 1] += 5.0 * hump
    assert rhythm_vote(same, centres, half, 0.15) == -1.0


def test_band_walk_with_a_hip_hike_keeps_one_rep_per_step():
    """Section 7's hip-hike case on another simulated person (bench seed 22): a weak left side
    that hikes 5 deg; main's roll and height rhythms read the first four lead-then-trail steps as
    one move per step (8 reps, 4 on the wrong side)."""
    sim = simulate_session(SessionSpec([ExerciseSpec("band-walk", reps=8, weak_side="left", drop_deg=-5.0)],
                                       rate_hz=100.0, seed=22, rest_s=4.0,
                                       mount_offset_deg=(1.207675618363714, 1.4186623896563342, 2.620170304928723)))
    reps = analyze(sim.imu, "band-walk").reps
    pairs, missing, extra = match(sim.reps, reps)
    assert not missing and not extra
    assert all(t.side == r.side and t.direction == r.details["direction"] for t, r in pairs)
