"""The simulator covers movement strategies, not one person: holds, band-walk step profiles,
lowering and clamshell ranges, scenes without exercise, and draws across the human ranges."""

import numpy as np
import pytest

from hiplevel.sim import (HUMAN_RANGES, BandStepStrategy, ClamshellStrategy, ExerciseSpec, HoldStrategy, LoweringStrategy,
                          Scene, SessionSpec, draw_strategy, simulate_session)
from hiplevel.sim.scenes import scene
from hiplevel.sim.strategies import SCENES, strategy_class


def _sim(name, seed=3, **kw):
    return simulate_session(SessionSpec([ExerciseSpec(name, **kw)], seed=seed, noise=False, standing_s=2.0, rest_s=2.0))


def _lateral_speed(sim):
    return np.gradient(sim.params["pos_m"][:, 1]) * 1000.0


def test_hold_shift_size_duration_and_profile():
    for profile, peak_over_mean in (("min-jerk", 1.875), ("even", 1.18)):
        sim = _sim("single-leg-stance", reps=1, hold_s=5.0, side="left",
                   strategy=HoldStrategy(shift_m=0.05, shift_s=1.5, shift_profile=profile))
        y = sim.params["pos_m"][:, 1]
        assert np.percentile(y, 70) - y[0] == pytest.approx(0.05, abs=0.01)  # over the left foot during the hold
        assert np.max(_lateral_speed(sim)) == pytest.approx(peak_over_mean * 0.05 / 1.5, rel=0.25)


def test_hold_lift_transients_and_balance():
    quiet = _sim("single-leg-stance", reps=1, hold_s=6.0, strategy=HoldStrategy(landing_mm=0.0, lift_mm=0.0, balance_mg=0.0))
    busy = _sim("single-leg-stance", reps=1, hold_s=6.0, strategy=HoldStrategy(landing_mm=3.0, lift_mm=2.0, balance_mg=15.0))
    acc_z = [np.max(np.abs(np.gradient(np.gradient(s.params["pos_m"][:, 2])))) * 1e6 for s in (quiet, busy)]
    assert acc_z[1] > 5 * acc_z[0]  # the foot coming down jolts the pelvis


@pytest.mark.parametrize("profile,humps_per_step", [("lead-trail", 2), ("one-move", 1), ("counter-shift", 2)])
def test_band_walk_step_profiles(profile, humps_per_step):
    sim = _sim("band-walk", reps=2, strategy=BandStepStrategy(profile=profile))
    v = _lateral_speed(sim)
    step = sim.reps[0]
    seg = v[int(step.start_s * 1000) : int(step.end_s * 1000)]
    from scipy.signal import find_peaks

    peaks = find_peaks(np.abs(seg), height=0.05, distance=150)[0]
    assert len(peaks) == humps_per_step
    if profile == "counter-shift":  # first toward the trailing (right) leg, stepping left
        assert seg[peaks[0]] < 0 < seg[peaks[1]]
    # Every step carries both single-support phases, lead swing first, inside the step.
    assert [p.stance for p in step.phases] == ["right", "left"] and step.direction == "left"
    assert step.start_s <= step.phases[0].start_s < step.phases[1].end_s <= step.end_s + 0.1


def test_band_walk_lead_trail_halt_between_the_moves():
    """lead_halt_share: the pelvis stands between the lead and the trailing move (bench.physics's
    lead-then-trail steps halt for 10 % of the step there); 0 keeps the moves back to back."""
    still_s = []
    for halt in (0.0, 0.2):
        sim = _sim("band-walk", reps=2, strategy=BandStepStrategy(profile="lead-trail", step_s=2.0, lead_halt_share=halt))
        step = sim.reps[0]
        mid = int((step.start_s + 0.5 * (step.end_s - step.start_s)) * 1000)  # about the middle of the step
        around = np.abs(_lateral_speed(sim))[mid - 500 : mid + 500]
        still_s.append(np.sum(around < 0.005) / 1000.0)  # standing (the pelvis sways < 5 mm/s)
    assert still_s[0] < 0.1 and 0.35 < still_s[1] < 0.65  # 0.2 of a 2 s step: 0.4 s and the moves' slow ends


def test_lowering_and_clamshell_strategies_set_their_ranges():
    sd = _sim("step-down", reps=1, side="left", strategy=LoweringStrategy(depth_m=0.18, pitch_deg=14.0, shift_m=0.07))
    z, pitch = sd.params["pos_m"][:, 2], sd.truth_1k.pitch_deg
    assert z[0] - np.min(z) == pytest.approx(0.18, abs=0.03) and np.max(pitch) - pitch[0] == pytest.approx(14.0, abs=1.5)
    cs = _sim("clamshell", reps=2, strategy=ClamshellStrategy(rollback_deg=1.8))
    assert [r.drop_deg for r in cs.reps] == pytest.approx([1.8, 1.8], abs=0.4)


def test_step_down_wobble_after_every_other_rep():
    plain = _sim("step-down", reps=3, side="left", strategy=LoweringStrategy())
    wob = _sim("step-down", reps=3, side="left", strategy=LoweringStrategy(wobble_deg=10.0))
    roll, t = wob.truth_1k.roll_deg - plain.truth_1k.roll_deg, wob.truth_1k.t_s
    assert [r.start_s for r in wob.reps] == [r.start_s for r in plain.reps]  # the same draws
    for k, rep in enumerate(wob.reps):
        near = (t > rep.end_s - 0.3) & (t < rep.end_s + 0.6)
        # The free (right) side drops: the roll goes up (left side higher), then back by 0.6 s after the rep.
        assert np.max(roll[near]) == pytest.approx(10.0 if k == 1 else 0.0, abs=0.1)
        assert abs(roll[np.searchsorted(t, rep.end_s + 0.7)]) < 0.01


@pytest.mark.parametrize("kind", SCENES)
def test_scenes_have_no_reps_and_move(kind):
    sim = _sim("single-leg-stance", strategy=Scene(kind, duration_s=30.0))
    assert not sim.reps
    moved = np.ptp(sim.params["pos_m"], axis=0).max() + np.ptp(sim.truth_1k.pitch_deg) / 100.0
    assert moved > (0.005 if kind == "quiet-standing" else 0.03)


@pytest.mark.parametrize("kind", SCENES)
def test_scenes_end_at_rest(kind):
    """The next part of a session starts from standing at rest: a scene's moves are over before
    it ends (a weight-shift scene cut mid-hold jumped 1.25 deg of roll at the join)."""
    for seed in range(100):
        for duration_s in (20.0, 40.0, 60.0):
            ex = ExerciseSpec("single-leg-stance", strategy=Scene(kind, duration_s=duration_s))
            seg = scene(ex, np.random.default_rng(seed))
            assert np.abs([seg.roll[-1], seg.pitch[-1], seg.yaw[-1]]).max() < 1e-9, (seed, duration_s)
            assert np.abs(seg.pos[-1]).max() < 1e-9, (seed, duration_s)


def test_draws_stay_within_the_human_ranges():
    rng = np.random.default_rng(0)
    for exercise, ranges in HUMAN_RANGES.items():
        if strategy_class(exercise) is None:
            continue
        for _ in range(5):
            st = draw_strategy(exercise, rng)
            for name, r in ranges.items():
                # None: not set, the classic rule (e.g. balance_fade_s: with the load, over lift_s).
                if getattr(st, name, None) is not None:
                    assert r.lo <= getattr(st, name) <= r.hi, (exercise, name)


def test_cli_builds_a_strategy_from_its_fields():
    from hiplevel.sim.cli import parse_exercise

    ex = parse_exercise("band-walk:reps=8,profile=one-move,step_s=1.8")
    assert ex.strategy == BandStepStrategy(profile="one-move", step_s=1.8) and ex.reps == 8
    assert parse_exercise("single-leg-stance:shift_m=0.05,shift_profile=even").strategy == HoldStrategy(shift_m=0.05, shift_profile="even")


@pytest.mark.parametrize("hover", [False, True])
def test_squat_hover_keeps_the_weight_on_the_stance_foot_between_reps(hover):
    # The single-leg squat's hover (stop 38): one shift onto the stance foot before the first rep and
    # back after the last; without it, a shift with each rep.
    sq = _sim("single-leg-squat", reps=3, side="left", strategy=LoweringStrategy(shift_m=0.06, hover=hover))
    y, t = sq.params["pos_m"][:, 1], sq.truth_1k.t_s
    at = lambda s: float(y[np.searchsorted(t, s)])  # noqa: E731
    assert at(sq.reps[0].start_s - 1.0) == pytest.approx(0.0, abs=0.01)
    assert at(sq.reps[-1].end_s + 1.0) == pytest.approx(0.0, abs=0.01)
    between = 0.5 * (sq.reps[0].end_s + sq.reps[1].start_s)
    assert at(between) == pytest.approx(0.06 if hover else 0.0, abs=0.015)


@pytest.mark.parametrize("hover", [False, True])
def test_step_down_weight_shift_before_the_reps(hover):
    # The test's protocol (issue 14): the weight moves onto the stance foot over shift_s before the
    # lowering and back after it, once per rep or, hovering, once for the set; on one leg the pelvis
    # makes balance corrections.
    st = LoweringStrategy(shift_m=0.06, shift_s=1.4, hover=hover, balance_mg=15.0)
    sd = _sim("step-down", reps=3, side="left", strategy=st)
    y, t = sd.params["pos_m"][:, 1], sd.truth_1k.t_s
    first, last = sd.reps[0], sd.reps[-1]
    at = lambda s: float(y[np.searchsorted(t, s)])  # noqa: E731
    assert at(first.start_s - 1.5) == pytest.approx(0.0, abs=0.01)  # standing on both feet
    assert at(first.start_s) == pytest.approx(0.06, abs=0.015)  # over the left foot as the rep starts
    assert at(last.end_s + 1.5) == pytest.approx(0.0, abs=0.01)  # and back after the last
    between = 0.5 * (sd.reps[0].end_s + sd.reps[1].start_s)
    assert at(between) == pytest.approx(0.06 if hover else 0.0, abs=0.015)
