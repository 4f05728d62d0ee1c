"""The stance leg of step-downs and single-leg squats where the displacement's own windows split, and
the roll on one leg around a hike (issue 14, `lowering_side.displacement_agreement`,
`lowering_side.edge_rolls_deg`).

The displacement into and out of a rep is the median of eleven sliding windows, each off by its length
times the velocity at its ends: on one leg the balance corrections make that centimetres, and where
the windows split the median is a draw of them (physics check, main cba4d15: under 80 % of the windows
agreeing it was right in 92.8 % of reps, against 99.4 % above). A hike reads as the other leg's drop,
but the free side already hangs lower on one leg before and after the rep (the single-leg stance
drop), which the hike, the rep's own move, does not reach."""

from __future__ import annotations

import numpy as np

from hiplevel.exercises import lowering_side
from hiplevel.scoring.thresholds import Thresholds

LEFT, RIGHT = 1, -1
SURE = Thresholds().side_min_confidence
RATE_HZ = 100.0


def _windows(values_m):
    return np.array(values_m, float)


def test_a_displacement_whose_windows_split_is_a_weaker_cue():
    # one rep, touching down: its shift in read 4 cm to the left by the median of windows that
    # split 6 to 5 (balance corrections at their ends), the shift out 1 cm; the roll (2 deg) and the
    # moves point to the right leg. Main gave the left leg at 0.91, unflagged; a split reading is
    # worth a sure roll, not more: in doubt.
    split_in = _windows([0.04, 0.05, 0.07, -0.02, -0.03, 0.04, -0.05, 0.06, -0.01, 0.05, -0.04])
    out = _windows([0.01] * 11)
    windows = [(split_in, out)]
    shifts = lowering_side.rep_shifts_m(windows)
    assert shifts[0][0] == 0.04
    runs = lowering_side.run_signs(shifts, [True])
    agree = lowering_side.displacement_agreement(windows, shifts, [True])
    assert runs == [1.0] and agree[0] < lowering_side.DISPLACEMENT_AGREE_SHARE
    side, conf = lowering_side.set_sides(runs, [-0.08], [-2.0], [True], [-0.1], None, agree, [0.0])[0]
    assert conf < SURE
    # the same median with every window agreeing stands as before (left, sure)
    clean = [(_windows([0.04] * 11), out)]
    agree = lowering_side.displacement_agreement(clean, shifts, [True])
    assert agree == [1.0]
    assert lowering_side.set_sides(runs, [-0.08], [-2.0], [True], [-0.1], None, agree, [0.0])[0] == (LEFT, 0.909)


def test_a_run_is_doubted_by_its_summed_windows():
    # a hover run: the shift in before the first rep and back after the last; each rep's share of
    # the run's displacement is doubted where the run's summed windows split
    n = 11
    zero = np.zeros(n)
    steady = [(np.full(n, 0.05), zero), (zero, zero), (zero, np.full(n, -0.05))]
    split = [(np.where(np.arange(n) % 2 == 0, 0.09, -0.03), zero), (zero, zero), (zero, np.full(n, -0.0))]
    new_set = [True, False, False]
    assert lowering_side.displacement_agreement(steady, lowering_side.rep_shifts_m(steady), new_set) == [1.0] * 3
    agree = lowering_side.displacement_agreement(split, lowering_side.rep_shifts_m(split), new_set)
    assert all(a < lowering_side.DISPLACEMENT_AGREE_SHARE for a in agree)


def _hike_on_the_left_leg() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    # standing (0 deg), the shift onto the left foot, 0.5 s on one leg with the right (free) side
    # 2 deg lower (+2 deg roll), a 2.5 s squat hiking the free side 5 deg above that at the bottom
    # (-3 deg), back to +2 deg for 0.5 s, the shift back
    t = np.arange(int(8 * RATE_HZ)) / RATE_HZ
    on_leg = (t >= 2.0) & (t < 5.5)
    roll = np.where(on_leg, 2.0, 0.0)
    a, b = int(2.5 * RATE_HZ), int(5.0 * RATE_HZ)
    roll[a:b] -= 5.0 * np.sin(np.pi * (t[a:b] - 2.5) / 2.5)
    return roll, (int(0.5 * RATE_HZ), a, b, int(7.5 * RATE_HZ))


def test_the_roll_on_one_leg_around_a_hike_names_its_leg():
    roll, span = _hike_on_the_left_leg()
    edge = lowering_side.edge_rolls_deg(roll, [span], RATE_HZ)[0]
    assert edge > lowering_side.EDGE_ROLL_DEG  # the free side lower on one leg: the left leg
    rep_mean = float(np.mean(roll[span[1] : span[2] + 1]))
    assert rep_mean <= -lowering_side.ROLL_CUE_DEG  # the rep's own roll: the hike, the other way
    # no clear displacement, the moves to the right: main put the hike on the right leg; the edges
    # outweigh the rep's roll and moves, not sure of it
    side, conf = lowering_side.set_sides([0.0], [-0.08], [rep_mean], [True], [-0.1], None, [1.0], [edge])[0]
    assert side == LEFT and conf < SURE
    # under EDGE_ROLL_DEG (sway, the belt's slip) the edges give no side
    assert lowering_side.set_sides([0.0], [-0.08], [rep_mean], [True], [-0.1], None, [1.0], [1.0])[0][0] == RIGHT


def test_a_hover_rep_takes_its_edges_from_its_own_standing():
    # the window before a rep stops at its standing's start (lo) and after it at its end (hi)
    roll = np.concatenate([np.full(100, 5.0), np.full(100, 2.0), np.zeros(100), np.full(100, 2.0), np.full(100, 5.0)])
    edge = lowering_side.edge_rolls_deg(roll, [(100, 200, 299, 400)], RATE_HZ)[0]
    assert edge == 2.0


def test_no_step_down_of_a_slow_shifting_set_goes_to_the_other_leg_silently_later_seeds():
    # touching down between reps, 1.4 s shifts, 15 mg balance corrections on one leg (as
    # test_lowering_side_sets, seeds 15-17): main (cba4d15) put seed 17's rep at 40 s on the
    # wrong leg at 0.918 (its shift in read 2 cm the wrong way by windows that split) and seed 15's
    # at 87 s at 0.566; with the split windows weighed less, the one left wrong is flagged
    from hiplevel.analysis import analyze
    from hiplevel.sim import ExerciseSpec, LoweringStrategy, SessionSpec, match_reps, simulate_session

    st = LoweringStrategy(hover=False, shift_s=1.4, balance_mg=15.0)
    n, wrong, silent = 0, [], []
    for seed in (15, 16, 17):
        weak = "left" if seed % 2 == 0 else None
        sim = simulate_session(SessionSpec([ExerciseSpec("step-down", reps=5, weak_side=weak, drop_deg=8.0, sets=2,
                                                         strategy=st)], rate_hz=100.0, seed=seed, rest_s=4.0))
        pairs = match_reps(sim.reps, analyze(sim.imu, "step-down").reps).pairs
        n += len(pairs)
        wrong += [(seed, round(t.start_s, 1)) for t, r in pairs if r.side != t.side]
        silent += [(seed, round(t.start_s, 1)) for t, r in pairs if r.side != t.side and "side_uncertain" not in r.flags]
    assert n == 30
    assert silent == []
    assert len(wrong) <= 1
