"""No reps where nobody exercises while the pelvis turns (issue 14, "your simulator is not the
world"): real standing turns the pelvis (hapt-dev, 3 s windows inside the standing labels: 1.3 deg
in the median window, 6.4 at the 90th percentile, up to 26 deg at up to 46 deg/s; people look
round, turn to reach, shuffle round) while the classic scenes barely did (0.11 deg within a weight
shift), so no case checked that a turn in standing makes no rep. `Scene.yaw_deg` 6 is the top of
that range (`SCENE_YAW_RANGE`). Over 40 seeds of each yawing scene (quiet standing, weight shift,
fidgeting, stepping about: stop 34) walking, band walk, step-down, single-leg squat and clamshell
found no rep; single-leg stance found false holds (below)."""

import sys
from pathlib import Path

import pytest

from hiplevel.analysis import analyze
from hiplevel.sim import ExerciseSpec, Scene, SessionSpec, simulate_session

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.robustness import _spec  # noqa: E402

YAW_DEG = 6.0
SEEDS = (1, 2, 3)
NOT_HOLDS = ("walking", "band-walk", "step-down", "single-leg-squat", "clamshell")


def _sim(kind: str, seed: int):
    sim = simulate_session(SessionSpec([ExerciseSpec("band-walk", strategy=Scene(kind, yaw_deg=YAW_DEG))], seed=seed,
                                       rest_s=3.0, mount_offset_deg=(2.0, -2.0, 3.0)))
    assert not sim.reps
    return sim


@pytest.mark.parametrize("kind", ["quiet-standing", "weight-shift", "fidgeting", "stepping-about"])
def test_no_reps_in_any_exercise_while_the_pelvis_turns(kind):
    found = {}
    for seed in SEEDS:
        imu = _sim(kind, seed).imu
        for exercise in NOT_HOLDS:
            found[(exercise, seed)] = len(analyze(imu, exercise).reps)
    assert not any(found.values()), {k: v for k, v in found.items() if v}


QUIET_CAUSE = ("quiet standing: a turn in place is not calm to the hold detector (`calm` reads the sensor's "
               "sideways acceleration, which a turn swings 12 cm behind the hips), so standing sway integrates "
               "through the turn into a 'shift back' paired with a sway move seconds before: 2 false holds in 40 "
               "seeds turning, 0 without the turns")
SHIFT_CAUSE = ("weight shift: a turn while the weight is on one foot raises the sway cue's sideways acceleration "
               "0.6 -> 3.1-3.4 mg (3-5x standing's: vote 1.0), from the sensor's swing and the pelvis' move about "
               "the turn's pivot: 7 false holds in 6 of 40 scenes turning, 2 without (these seeds: 0), after "
               "`stance_roll.sway_unseen` (16 in 14 before it)")


@pytest.mark.parametrize("kind, seed", [
    pytest.param("quiet-standing", 67216, marks=pytest.mark.xfail(strict=True, reason=QUIET_CAUSE)),
    pytest.param("quiet-standing", 67224, marks=pytest.mark.xfail(strict=True, reason=QUIET_CAUSE)),
    pytest.param("weight-shift", 67201, marks=pytest.mark.xfail(strict=True, reason=SHIFT_CAUSE)),
    pytest.param("weight-shift", 67210, marks=pytest.mark.xfail(strict=True, reason=SHIFT_CAUSE)),
])
def test_no_holds_while_the_pelvis_turns(kind, seed):
    # Known limits (stop 34, no cue separates them with margin). The bench's cases
    # (`bench.robustness._spec`: 100 Hz, a random mount within +-3 deg).
    imu = simulate_session(_spec("single-leg-stance", None, None, seed, kind, YAW_DEG)).imu
    assert analyze(imu, "single-leg-stance").reps == []


@pytest.mark.parametrize("kind, seeds", [("quiet-standing", (67216, 67224)), ("weight-shift", (67201, 67210))])
def test_the_same_scenes_without_the_turns_have_no_hold(kind, seeds):
    for seed in seeds:
        imu = simulate_session(_spec("single-leg-stance", None, None, seed, kind)).imu
        assert analyze(imu, "single-leg-stance").reps == []
