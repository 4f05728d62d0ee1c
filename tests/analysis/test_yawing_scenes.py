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


SHIFT_CAUSE = ("weight shift 67201: a 13 cm shift in 0.57 s and back, a 3.0 s hold between; a turn at the shift in "
               "lifts the vertical foot-off vote 0.49 -> 0.60 (the plain scene pairs it too, votes 1.26), and the roll "
               "rate sways 1.41x standing's (vote 0.62; its 1.4 s window holds no amplitude reading), enough with the "
               "weak foot vote (`stance_roll.sway_unseen`, stop 36); its sideways corrections read 1.87x quiet "
               "standing's, over `stance_corroboration`'s 1.65 (real holds relying on them 2.3x and up: no margin "
               "to raise it, stop 37); 1 false hold of 40 scenes so")


@pytest.mark.parametrize("kind, seed", [
    # A 4 deg turn at the end of a stretch of standing sway: the sway moves around it paired as a 3.9 s
    # hold, no foot seen, roll rate 1.8x and amplitude 1.7x standing's but sideways corrections 1.25x
    # quiet standing's (stop 37, `stance_corroboration`: a second sign of one leg).
    ("quiet-standing", 67216),
    # A look round of 20.8 deg about a pivot moved the pelvis 2.7 cm: a "shift back" (stop 35: `stance_turns`).
    ("quiet-standing", 67224),
    pytest.param("weight-shift", 67201, marks=pytest.mark.xfail(strict=True, reason=SHIFT_CAUSE)),
    # A weak foot vote (stop 36, `stance_roll.sway_unseen`'s FOOT_CLEAR_VOTE): 67210's two 4-5 deg
    # turns inside the hold raise the sideways acceleration to 1.6x standing's (the sway vote) and
    # tip the roll at its edge (foot-off 0.56); its roll rate reads 1.04x and amplitude 0.64x.
    ("weight-shift", 67210),
])
def test_no_holds_while_the_pelvis_turns(kind, seed):
    # Known limit: 67201 (stop 34-37). The bench's cases
    # (`bench.robustness._spec`: 100 Hz, a random mount within +-3 deg).
    imu = simulate_session(_spec("single-leg-stance", None, None, seed, kind, YAW_DEG)).imu
    assert analyze(imu, "single-leg-stance").reps == []


@pytest.mark.parametrize("kind, seeds", [("quiet-standing", (67216, 67224)), ("weight-shift", (67201, 67210))])
def test_the_same_scenes_without_the_turns_have_no_hold(kind, seeds):
    for seed in seeds:
        imu = simulate_session(_spec("single-leg-stance", None, None, seed, kind)).imu
        assert analyze(imu, "single-leg-stance").reps == []
