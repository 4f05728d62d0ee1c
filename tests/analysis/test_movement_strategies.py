"""Holds and band walks of people who move differently from the classic simulated person (issue 14):
the two independent simulations as described, and the strategies around them."""

import pytest

from hiplevel.analysis import analyze
from hiplevel.constants import other_side
from hiplevel.sim import BandStepStrategy, ExerciseSpec, HoldStrategy, SessionSpec, simulate_session

from analysis_helpers import match


def _found(exercise, spec_kw, seed, mount=(2.0, -2.0, 3.0), rate=100.0):
    sim = simulate_session(SessionSpec([ExerciseSpec(exercise, **spec_kw)], rate_hz=rate, seed=seed,
                                       mount_offset_deg=mount, rest_s=5.0))
    res = analyze(sim.imu, exercise)
    return sim, res, match(sim.reps, res.reps)


def test_sixteen_holds_with_a_7cm_1s_shift_and_0_4deg_sway():
    # The independent simulation: a 7 cm weight shift in 1 s at an even speed (it measures 6-7 cm/s;
    # the old detector needed 9 cm/s), postural sway 0.4 deg, no landing jolt or balance corrections.
    strategy = HoldStrategy(shift_m=0.07, shift_s=1.0, shift_profile="even", landing_mm=0.0, lift_mm=0.0, balance_mg=0.0)
    sim, res, (pairs, missing, extra) = _found("single-leg-stance", dict(reps=16, hold_s=10.0, sway_deg=0.4, strategy=strategy), 7)
    assert len(sim.reps) == 16
    assert not missing and not extra
    assert all(t.side == r.side for t, r in pairs)


@pytest.mark.parametrize("kw", [dict(shift_m=0.04), dict(shift_m=0.12), dict(shift_s=0.5), dict(shift_s=1.5),
                                dict(lift_lag_s=-0.3), dict(lift_lag_s=1.0), dict(lift_roll_deg=3.0),
                                dict(balance_mg=15.0, landing_mm=3.0)])
def test_holds_across_strategies(kw):
    sim, res, (pairs, missing, extra) = _found("single-leg-stance", dict(reps=4, hold_s=10.0, weak_side="left", drop_deg=8.0,
                                                                         strategy=HoldStrategy(**kw)), 21)
    assert not missing and not extra
    assert [r.side for _, r in pairs] == [t.side for t, _ in pairs]
    assert {r.side for r in res.reps if "pelvic_drop" in r.flags} == {"left"}


@pytest.mark.parametrize("sway", [0.2, 1.0, 1.5])
def test_holds_from_little_to_excess_sway(sway):
    sim, res, (pairs, missing, extra) = _found("single-leg-stance", dict(reps=4, hold_s=10.0, sway_deg=sway), 22)
    assert not missing and not extra
    assert [r.side for _, r in pairs] == [t.side for t, _ in pairs]
    for t, r in pairs:
        assert abs(r.details["sway_deg"] - t.sway_deg) <= 0.15
        if abs(t.sway_deg - 1.0) > 0.15:  # the flag where the truth is clearly on one side of 1 deg
            assert ("excess_sway" in r.flags) == ("excess_sway" in t.flags)


def test_fifty_six_band_walk_steps_each_one_smooth_pelvis_move():
    # The independent simulation: the weight goes onto the lead leg in one smooth move per step.
    sim, res, (pairs, missing, extra) = _found("band-walk", dict(reps=56, strategy=BandStepStrategy(profile="one-move")), 8)
    assert len(sim.reps) == 56
    assert len(res.reps) == 56 and not missing and not extra
    assert [r.details["direction"] for _, r in pairs] == [t.direction for t, _ in pairs]


@pytest.mark.parametrize("strategy", [BandStepStrategy(profile="one-move", step_s=2.2), BandStepStrategy(profile="one-move", step_s=0.9),
                                      BandStepStrategy(profile="counter-shift", counter_m=0.04),
                                      BandStepStrategy(profile="lead-trail", lead_share=0.5),
                                      BandStepStrategy(profile="lead-trail", lead_share=0.75, pause_s=0.4)])
def test_one_rep_per_lateral_step_whatever_the_profile(strategy):
    sim, res, (pairs, missing, extra) = _found("band-walk", dict(reps=8, weak_side="right", drop_deg=8.0, strategy=strategy), 23)
    assert not missing and not extra
    assert [r.details["direction"] for _, r in pairs] == ["left"] * 4 + ["right"] * 4
    # The weak right leg is the stance leg of the worse phase of every step, both ways.
    assert {r.side for r in res.reps} == {"right"} and all("pelvic_drop" in r.flags for r in res.reps)


@pytest.mark.parametrize("lead_share,seed", [(0.4, 25), (0.45, 26), (0.85, 27), (0.9, 28)])
def test_lead_then_trail_steps_beyond_the_human_lead_share(lead_share, seed):
    # Margin on both sides of the human lead share (0.5-0.8). Main paired the moves wrongly: a lead
    # smaller than its trail (0.4-0.45) made the sizes overturn "a run starts with a lead", and a
    # 2-4 cm trailing move (0.85-0.9) fell under min_move_m, so the trailing swing (where the weak
    # lead leg stands) was cut off and the step's side came out wrong.
    strategy = BandStepStrategy(profile="lead-trail", lead_share=lead_share)
    sim, res, (pairs, missing, extra) = _found("band-walk", dict(reps=8, weak_side="left", drop_deg=8.0, strategy=strategy), seed)
    assert not missing and not extra
    assert [r.details["direction"] for _, r in pairs] == ["left"] * 4 + ["right"] * 4
    assert [r.side for _, r in pairs] == ["left"] * 8  # the weak leg stands in the worse phase, both ways


def test_band_walk_rep_carries_both_phases_and_the_trailing_legs_dip():
    # Weak left leg: stepping left it is the lead leg, tested while the trailing leg swings (the
    # second phase); the old analysis measured the lead swing only and called these steps level.
    sim, res, (pairs, missing, extra) = _found("band-walk", dict(reps=6, weak_side="left", drop_deg=9.0), 24)
    assert not missing and not extra
    for t, r in pairs:
        lead = r.details["direction"]
        assert [p.stance for p in r.phases] == [other_side(lead), lead]
        worse = max(r.phases, key=lambda p: p.drop_deg)
        assert worse.stance == "left" and worse.drop_deg > 6.0 and "pelvic_drop" in worse.flags
        assert r.side == "left" and r.drop_deg == worse.drop_deg and "pelvic_drop" in r.flags
    leftward = [r for _, r in pairs if r.details["direction"] == "left"]
    assert leftward and all(r.phases[1].stance == "left" and r.phases[1].drop_deg > 6.0 for r in leftward)
    doc = res.to_json()["reps"][0]
    assert doc["direction"] == pairs[0][1].details["direction"]
    assert [set(p) >= {"stance", "side_dropped", "drop_deg", "flags"} for p in doc["phases"]] == [True, True]
