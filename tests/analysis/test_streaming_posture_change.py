"""Live walking holds a short run of steps until it sees what follows (issue 14, no reps where
nobody exercises): steps turning into lying down are a posture change offline, where the lying a
few seconds later is seen, and the live screen must not show them as steps before it comes
(hapt-dev e04, e07: live showed them 1 s after each step)."""

import pytest

from analysis_helpers import LYING_DEG, walk_then_posture

from hiplevel.analysis import analyze
from hiplevel.analysis.streaming import OnlineAnalyzer
from hiplevel.analysis.streaming.reps import ShortRunHold
from hiplevel.samples import ImuSeries
from hiplevel.scoring import Rep

PACKET = 5  # samples per push: 50 ms at 100 Hz, as the BLE link delivers them


def _live(imu) -> list[Rep]:
    oa = OnlineAnalyzer("walking", 100.0)
    for a in range(0, len(imu), PACKET):
        oa.push_many(imu.t_s[a : a + PACKET], acc_g=imu.acc_g[a : a + PACKET], gyro_dps=imu.gyro_dps[a : a + PACKET])
    oa.finish()
    return oa.reps


@pytest.mark.parametrize("seed", [1, 2])
def test_a_short_walk_turning_into_lying_is_no_walk_live(seed):
    # Five steps turning 90 deg, lying down 1.5 s after the last: offline finds none; live showed
    # all five, emitted before the lying came into its window.
    _, imu = walk_then_posture(seed, 5, 90.0, 1.0, LYING_DEG, 1.5)
    assert analyze(imu, "walking").reps == []
    assert _live(imu) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_a_short_walk_standing_afterwards_is_shown_live(seed):
    # The control: the same turn with the person standing on afterwards is a walk, live as offline.
    truth, imu = walk_then_posture(seed, 5, 90.0, 1.0, None, 1.5)
    assert len(_live(imu)) == len(analyze(imu, "walking").reps) == len(truth) == 5


def _rep(start_s: float, end_s: float) -> Rep:
    return Rep(index=0, start_s=start_s, end_s=end_s, side="left", drop_deg=0.0, score=100.0)


def test_a_run_is_held_while_short_and_until_its_hold_after_it():
    hold = ShortRunHold(max_reps=3, gap_s=2.0, hold_s=5.0)
    run = [_rep(t, t + 0.4) for t in (10.0, 10.6, 11.2)]  # three reps: short, ends 11.6 s
    assert hold.waiting(run, 12.0) == {0, 1, 2}
    assert hold.waiting(run, 16.7) == set()  # 5 s after its last rep ended
    longer = run + [_rep(11.8, 12.2)]  # four reps: a walk, whatever follows
    assert hold.waiting(longer, 12.5) == set()
    apart = run + [_rep(20.0, 20.4)]  # a gap over gap_s starts a run of its own
    assert hold.waiting(apart, 21.0) == {3}


def test_the_steps_held_at_the_end_of_a_stream_are_shown_when_it_ends():
    # A short walk whose stream stops 1 s after its last step: held for what would follow, then
    # shown by `finish` (before it, a session stopped that soon after a walk lost them).
    truth, imu = walk_then_posture(3, 5, 90.0, 1.0, None, 1.5)
    keep = imu.t_s <= max(r.end_s for r in truth) + 1.0
    cut = ImuSeries(imu.t_s[keep], imu.acc_g[keep], imu.gyro_dps[keep])
    oa = OnlineAnalyzer("walking", 100.0)
    oa.push_many(cut.t_s, acc_g=cut.acc_g, gyro_dps=cut.gyro_dps)
    assert oa.reps == []
    assert len(oa.finish()) == len(oa.reps) == 5


def test_the_live_hold_is_the_short_run_the_detector_declares():
    # The hold follows the walking detector's own short-bout rule (steps plus its two edge swings,
    # the gap that ends a bout, the reach of the lying test), not a copy of its numbers; detectors
    # that never undo a run declare none and hold nothing.
    from hiplevel.exercises import DETECTORS, WalkingDetector
    from hiplevel.exercises.walking_spot_turns import LYING_REACH_S
    from hiplevel.analysis.streaming.reps import short_run_hold

    hold = short_run_hold(WalkingDetector(short_bout_steps=3, max_step_s=1.8))
    assert (hold.max_reps, hold.gap_s, hold.hold_s) == (5, 1.8, LYING_REACH_S)
    for exercise in ("band-walk", "single-leg-stance", "step-down", "single-leg-squat", "clamshell"):
        assert short_run_hold(DETECTORS[exercise]) is None, exercise
