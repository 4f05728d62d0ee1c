"""A band walk keeps one rhythm (issue 14): standing whose integrated lateral position creeps one
way in irregular moves (hapt-dev, a waist phone after standing up: "steps" of 0.9, 2.8, 0.85,
0.85 and 1.0 s, 1-2.6 s apart, 7-28 cm each, no foot lifted) is not a series of lateral steps;
regular steps of the same sizes are."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.lateral_steps import steady_runs
from hiplevel.sim import ExerciseSpec, Scene, SessionSpec, simulate_session
from hiplevel.sim import session as sim_session
from hiplevel.sim.motion import Segment, ramp, time_axis

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
