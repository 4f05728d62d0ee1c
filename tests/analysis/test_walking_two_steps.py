"""Walking: a walk of two steps after a pause is a walk when each step shows (firm contacts, the
pelvis swaying away from each stance foot in turn, nobody lying down nearby); a bend on the way is
no lying (mobgap-lowback Test11 HA_002 18.7-21.2 s: two steps of 1.59 and 0.92 s between bends to
54 and 38 deg; main kept no bout of fewer than three steps, and took the bend for lying)."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.walking_spot_turns import lies_near
from hiplevel.sim.daily_life import simulate_daily_life
from hiplevel.sim.matching import match_reps
from hiplevel.sim.posture_change import PostureChange
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec

RATE = 100.0


def _short_walk(seed: int, cadence_spm: float, standing_s: float = 4.0):
    # Four reps: the initiation swing, two steps and the termination swing (three contacts).
    return simulate_session(SessionSpec([ExerciseSpec("walking", reps=4, cadence_spm=cadence_spm)], seed=seed,
                                        standing_s=standing_s))


def _found_with_sides(sim, imu=None) -> tuple[int, int, bool]:
    reps = analyze(sim.imu if imu is None else imu, "walking").reps
    pairs, missing, extra = match_reps(sim.reps, reps)
    return len(pairs), len(extra), all(t.side == r.side for t, r in pairs)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("cadence_spm", [70.0, 80.0])
def test_a_walk_of_two_steps_is_found(seed, cadence_spm):
    # Main found none of the four reps (fewer than min_bout_steps steps).
    sim = _short_walk(seed, cadence_spm)
    assert _found_with_sides(sim) == (4, 0, True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_firm_steps_in_place_after_a_walk_are_a_walk_of_two_steps(seed):
    # Stepping in place to settle after a walk (test_walking_spot_turns.py): main found its two
    # steps (the in-place rule), not its initiation and termination swings; all four now.
    from test_walking_spot_turns import steps_in_place_after_a_walk

    sim = steps_in_place_after_a_walk(seed)
    reps = analyze(sim.imu, "walking").reps
    pairs, missing, extra = match_reps(sim.reps, reps)
    assert not missing and not extra and all(t.side == r.side for t, r in pairs)


@pytest.mark.parametrize("seed", [0, 3])
def test_a_bend_before_a_short_walk_is_no_lying(seed):
    # The pelvis bends forward to 60 deg and back within 1.6 s (past 50 deg for about 0.6 s), 1 s
    # before the walk: lying is held, a bend passes (daily life: 0.2-1.7 s past 50 deg).
    sim = _short_walk(seed, 75.0, standing_s=9.0)
    t0 = sim.reps[0].start_s - 2.8
    bent = PostureChange(start_s=t0, tilt_deg=60.0, duration_s=0.8, bump_g=0.0, sway_g=0.0).apply(sim.imu)
    bent = PostureChange(start_s=t0 + 1.0, tilt_deg=-60.0, duration_s=0.8, bump_g=0.0, sway_g=0.0).apply(bent)
    assert _found_with_sides(sim, bent) == (4, 0, True)


@pytest.mark.parametrize("seed", [0, 3])
def test_two_steps_into_lying_down_are_no_walk(seed):
    # Two steps to the bed, then lying down 1 s after the last contact: that posture change's turn.
    sim = _short_walk(seed, 75.0)
    lying = PostureChange(start_s=sim.reps[-1].end_s + 1.0, tilt_deg=80.0, duration_s=2.5, bump_g=0.0,
                          sway_g=0.0).apply(sim.imu)
    assert analyze(lying, "walking").reps == []


@pytest.mark.parametrize("seed", [9, 45, 60, 74])
def test_weight_shifts_and_sitting_down_are_no_two_step_walk(seed):
    # The simulator's daily life where two-step bouts at one pace appear (fidgets standing, the
    # shuffles of sitting down, fidgets seated: bumps of 36-48 mg, 0.7-1.4 s apart): seeds 9, 45
    # and 74 sway the pelvis to one side only; seed 60 sways 43 and 70 mg the two ways in turn, as
    # steps do, but lands 38-39 mg (no firm contact).
    assert analyze(simulate_daily_life(seed).imu, "walking").reps == []


def test_lying_is_a_tilt_held():
    t = np.arange(int(20 * RATE)) / RATE

    def near(pitch):  # lying looked for LYING_REACH_S (5 s) around samples 10-11 s, held LYING_HOLD_S (3 s)
        return lies_near(np.zeros(len(pitch)), pitch, int(10 * RATE), int(11 * RATE), RATE, 50.0)

    bend = 60.0 * np.exp(-0.5 * ((t - 7.0) / 0.35) ** 2)  # past 50 deg for 0.4 s, 3 s before
    lying = 80.0 * np.clip((t - 12.0) / 1.0, 0.0, 1.0) * (t < 16.0)  # past 50 deg for 3.4 s, 1.6 s after
    assert not near(bend)
    assert near(lying)
    end = t < 16.8
    assert near((80.0 * np.clip((t - 15.5) / 0.5, 0.0, 1.0))[end])  # lying down as the recording ends (1 s in)
    assert not near(80.0 * (t > 17.0))  # out of reach
