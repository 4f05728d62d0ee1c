"""No reps where nobody exercises (issue 14): the few steps turning into lying down, and a sit-down
whose shuffling feet look like lateral steps, are the posture change, not walking or a band walk
(hapt-dev: e04's two steps turning 75 deg 1.7 s before lying, e07's four steps turning 86 deg to
the bed 3 s before lying, e07's sit-down read as three band-walk steps by a sensor turned on the belt)."""

import pytest

from analysis_helpers import LYING_DEG, walk_then_posture

from hiplevel.analysis import analyze
from hiplevel.sim import ExerciseSpec, Scene, SessionSpec, simulate_session
from hiplevel.sim.posture_change import PostureChange


def _walk_then(seed: int, reps: int, turn_deg: float, bounce: float, tilt_deg: float | None, delay_s: float,
               **change):
    """(true reps, reps found offline) of `walk_then_posture` (its arguments)."""
    truth, imu = walk_then_posture(seed, reps, turn_deg, bounce, tilt_deg, delay_s, **change)
    return truth, analyze(imu, "walking").reps


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("delay_s", [0.5, 1.5])
def test_steps_turning_on_the_spot_into_lying_are_no_steps(seed, delay_s):
    # Four flat steps turning 90 deg on the spot, then lying down: turning one's back to the bed.
    # Main found the four steps on the spot; standing after them they are found (the control).
    assert len(_walk_then(seed, 6, 90.0, 0.25, None, delay_s)[1]) == 4
    assert _walk_then(seed, 6, 90.0, 0.25, LYING_DEG, delay_s)[1] == []


@pytest.mark.parametrize("seed", [1, 2])
def test_a_short_walk_turning_into_lying_is_no_walk(seed):
    # Five firm steps turning 90 deg, lying down 1.5 s after the last (main: five reps). The same
    # walk standing afterwards is a walk, and so is a straight one into lying (walking to the bed:
    # it does not turn).
    truth, found = _walk_then(seed, 5, 90.0, 1.0, None, 1.5)
    assert len(found) == len(truth) == 5
    assert _walk_then(seed, 5, 90.0, 1.0, LYING_DEG, 1.5)[1] == []
    assert len(_walk_then(seed, 5, 0.0, 1.0, LYING_DEG, 1.5)[1]) == 5


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_turn_into_lying_split_from_its_bumps_is_no_walk(seed):
    # hapt-dev e07: the turn's steps and the first bumps of lying down (every 0.6 s, 0.2 s after
    # the last step) make one long bout; the posture-change rule cuts the bumps off, and the turn
    # left over is a short bout into lying like any other (main: six reps).
    assert _walk_then(seed, 5, 90.0, 1.0, LYING_DEG, 0.2, duration_s=4.0, bump_every_s=0.6)[1] == []


@pytest.mark.parametrize("seed", [1, 2, 5, 6])
def test_a_sit_down_read_in_roll_is_no_band_walk(seed):
    # Sitting down over 4 s (30 deg back, the feet shuffling) with the sensor turned on the belt so
    # that the seat's tilt reads as roll: the pelvis' lateral drift during it made three steps one
    # way on main. A band walk holds its posture; this tilts 10 deg a step.
    sim = simulate_session(SessionSpec([ExerciseSpec("band-walk", strategy=Scene("quiet-standing", duration_s=20.0))],
                                       rate_hz=100, seed=seed, rest_s=4.0))
    imu = PostureChange(start_s=12.0, tilt_deg=-30.0, duration_s=4.0, axis_deg=90.0).apply(sim.imu)
    assert analyze(imu, "band-walk").reps == []
