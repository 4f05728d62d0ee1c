"""A step split in two by the other foot's lift-off in a turn (`exercises.walking_turns`): turning
slowly, the pelvis jolts upward at the lift-off after a long double support as well as at the
heel strike, so one step gives two candidate contacts and two reps of one stance side (ipol-dev
U-turns: 5 of 17 extras)."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.walking_turns import missed_step_sides, pair_turns_deg, run_turns_deg, split_step_reps
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec

from analysis_helpers import every_turning_step_right, lift_off_turn_walk, match


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_a_lift_off_jolt_in_a_turn_is_no_step(seed):
    # Pivot steps with a lift-off jolt (`lift_off_turn_walk`): main found 1-2 extra steps in every such walk.
    sim = lift_off_turn_walk(seed)
    res = analyze(sim.imu, "walking")
    pairs, missing, extra = match(sim.reps, res.reps)
    assert not missing and not extra
    assert all(t.side == r.side for t, r in pairs)


@pytest.mark.parametrize("seed,missed", [(42, 0), (3, 2), (5, 2)])
def test_a_flat_turning_step_inside_a_long_one_is_split_out(seed, missed):
    # A U-turn on flat pivot steps (0.02 g at their contacts, under the floor): a step whose
    # contact is missed makes one long step, which the chain gives a neighbour's side. It holds the
    # missed contact's bump mid-step: two steps, sides alternating (main: 2-3 missed, one of the
    # found steps on the wrong side).
    sim = simulate_session(SessionSpec(
        exercises=[ExerciseSpec("walking", reps=20, turn_every_steps=6, turn_bounce_fraction=0.1)],
        rate_hz=100, seed=seed, rest_s=5.0))
    res = analyze(sim.imu, "walking")
    pairs, missing, extra = match(sim.reps, res.reps)
    assert len(missing) == missed and not extra
    assert all(t.side == r.side for t, r in pairs)


def test_a_long_step_repeating_a_side_splits_alternating():
    sides = ["left", "right", "right", "left", "right"]
    # Step 2 repeats step 1's side: its halves take left, right (after right, before left).
    assert missed_step_sides(sides, [2]) == {2: ("left", "right")}
    # Step 1 repeats step 2: the halves alternate from step 0 (left): right, left.
    assert missed_step_sides(sides, [1]) == {1: ("right", "left")}
    # A long step that alternates with both neighbours holds no missed step (a pause, a pivot).
    assert missed_step_sides(sides, [3]) == {}
    # The bout's first step: alternating into the next one.
    assert missed_step_sides(["left", "left", "right"], [0]) == {0: ("left", "right")}


STEPS = [0.6, 0.58, 0.36, 0.62, 0.6]  # the third step is a split-off piece of the second
SIDES = ["left", "right", "right", "left", "right"]


def test_the_weaker_half_of_a_split_step_goes():
    assert split_step_reps(STEPS, SIDES, [0.99, 0.7, 0.95, 0.99, 0.99], [60, 150, 150, 60], 0.8, 90) == {1}
    assert split_step_reps(STEPS, SIDES, [0.99, 0.95, 0.7, 0.99, 0.99], [60, 150, 150, 60], 0.8, 90) == {2}


def test_repeated_feet_keep_their_steps():
    conf = [0.99, 0.7, 0.95, 0.99, 0.99]
    # Not in a turn (a treadmill, the shuffling after a walk): the chain's doing, not a pivot.
    assert split_step_reps(STEPS, SIDES, conf, [5, 40, 40, 5], 0.8, 90) == set()
    # Both steps of full length: a foot repeated in a turn, two real steps.
    full = [0.6, 0.58, 0.6, 0.62, 0.6]
    assert split_step_reps(full, SIDES, conf, [60, 150, 150, 60], 0.8, 90) == set()
    # Disabled.
    assert split_step_reps(STEPS, SIDES, conf, [60, 150, 150, 60], 0.0, 90) == set()


def test_pair_turns_span_the_pair_and_half_a_second_around_it():
    rate = 100.0
    yaw = np.zeros(1000)
    yaw[500:600] = 90.0  # 90 deg in 1 s, from 5 to 6 s
    contacts = np.array([100, 200, 300, 400, 500, 600, 700, 800])
    turns = pair_turns_deg(yaw, contacts, rate)
    assert len(turns) == 6
    assert turns[0] == pytest.approx(0.0)  # 0.5-3.5 s: straight
    assert turns[2] == pytest.approx(45.0, abs=1.0)  # 2.5-5.5 s: the turn's first 0.5 s
    assert turns[4] == pytest.approx(90.0, abs=1.0)


@pytest.mark.parametrize("n_contacts", [1, 2, 3, 40])
def test_run_turns_of_several_lengths_are_each_runs_own_range(n_contacts):
    # One integrated yaw for pairs and single steps (`WalkingDetector.prepare`): each run's turn is
    # the range of the bout's integrated yaw over the run and 0.5 s either side, to the bit.
    rate, pad = 100.0, 50
    rng = np.random.default_rng(n_contacts)
    yaw = rng.normal(0.0, 40.0, 3000)
    c = np.sort(rng.choice(np.arange(20, 2990), n_contacts, replace=False))
    lo, hi = max(0, int(c[0]) - pad), min(len(yaw), int(c[-1]) + pad + 1)
    heading = np.cumsum(yaw[lo:hi]) / rate
    pairs, singles = run_turns_deg(yaw, c, rate, (2, 1))
    for got, steps in ((pairs, 2), (singles, 1)):
        want = [np.ptp(heading[max(c[k] - lo - pad, 0) : c[k + steps] - lo + pad + 1]) for k in range(len(c) - steps)]
        assert np.array_equal(got, np.array(want, dtype=float).reshape(-1))
        assert np.array_equal(got, pair_turns_deg(yaw, c, rate, steps=steps))


@pytest.mark.xfail(strict=True, reason=(
    "known limit (issue 14): a pivot on both feet in a U-turn (`turn_pivot_fraction`) gives a short rep of "
    "its own, which the chain gives the other foot (ipol-dev: 7 of 13 U-turn extras lie between two truth "
    "steps of one stance foot). The pelvis' vertical excursion was tried as the cue (docs/analysis.md, "
    "round 16): ipol-dev's pivots measure 0.12-0.16 of the bout's median step and its real short turning "
    "steps 0.20 up, but this model's flat pivot measures 0.19-0.46 (the rep's contacts straddle the "
    "neighbouring steps' fall and rise), so no threshold holds on both"))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_pivot_on_both_feet_in_a_turn_is_no_step(seed):
    # The turn's middle step a double support of half a step (main: 1-2 extra reps a walk).
    every_turning_step_right(seed, turn_pivot_fraction=0.5)
