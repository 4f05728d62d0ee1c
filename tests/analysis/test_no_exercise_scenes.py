"""No reps where nobody exercises (issue 14, item 2 for band walks and single-leg stance): quiet
standing with sway, shifting the weight from foot to foot without lifting, bending over, sitting
down and standing up, fidgeting, stepping aside and back again and again. Each scene is 40 s of
simulated daily life analysed as a set."""

import pytest

from hiplevel.analysis import analyze
from hiplevel.sim import ExerciseSpec, Scene, SessionSpec, simulate_session

SEEDS = (1, 2, 3)


def _reps(exercise: str, scene: Scene, seed: int) -> list:
    sim = simulate_session(SessionSpec([ExerciseSpec(exercise, strategy=scene)], seed=seed, rest_s=3.0,
                                       mount_offset_deg=(2.0, -2.0, 3.0)))
    assert not sim.reps
    return analyze(sim.imu, exercise).reps


@pytest.mark.parametrize("scene", [Scene("quiet-standing", sway_deg=0.5), Scene("weight-shift"), Scene("weight-shift", shift_m=0.12),
                                   Scene("bending"), Scene("sit-to-stand"), Scene("fidgeting"), Scene("stepping-about")],
                         ids=lambda s: f"{s.kind}-{s.shift_m}")
def test_no_band_walk_steps(scene):
    # Stepping aside (two moves) and straight back (one), again and again: every step aside goes
    # one way, and main counted them as a band walk (0, 3 and 3 false steps in these seeds) as it
    # did not see the one-move steps back (issue 14: hapt-dev e03 before lying down, the belt
    # slipped by -1 deg).
    assert [len(_reps("band-walk", scene, seed)) for seed in SEEDS] == [0, 0, 0]


@pytest.mark.parametrize("scene", [Scene("quiet-standing", sway_deg=0.5), Scene("bending"), Scene("sit-to-stand")],
                         ids=lambda s: s.kind)
def test_no_holds_standing_bending_or_sitting(scene):
    assert [len(_reps("single-leg-stance", scene, seed)) for seed in SEEDS] == [0, 0, 0]


def test_few_holds_while_fidgeting():
    # Known limit: a weight shift held on one foot, with the pelvis swaying as much as on one leg,
    # can pass for a hold without a foot-off jolt (docs/analysis.md): 1 false hold in these two
    # minutes of fidgeting (2 before its look round turned as people do, stop 34; the old detector:
    # 7), and 2 in two minutes of shifting the weight from foot to foot (as before).
    n = sum(len(_reps("single-leg-stance", Scene("fidgeting"), seed)) for seed in SEEDS)
    assert n <= 3
