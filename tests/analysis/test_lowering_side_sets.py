"""Both legs of a step-down session on the leg they stood on, or flagged (issue 14,
`lowering_side.set_sides`): a set stands on one leg, so a rep whose own cues fail together (a
slow weight shift read the wrong way, balance corrections on one leg passing for the moves) takes
its leg's side from the other reps, and one left against them is flagged `side_uncertain`."""

import pytest

from hiplevel.analysis import analyze
from hiplevel.sim import ExerciseSpec, LoweringStrategy, SessionSpec, match_reps, simulate_session


@pytest.mark.parametrize("hover", [False, True])
def test_no_leg_of_a_slow_shifting_set_goes_to_the_other_leg_silently(hover):
    # The same strategy on both legs, the left one dropping 8 deg in half the sessions, none in the
    # others: main (c7f0724) put 8 of 80 reps on the wrong leg touching down, 6 of them unflagged,
    # and 6 (4) hovering (a displacement read the wrong way; where none was clear the balance
    # corrections decided); weighed with the leg's other reps, 2 and 0 wrong, none unflagged.
    st = LoweringStrategy(hover=hover, shift_s=1.4, balance_mg=15.0)
    n, wrong, silent = 0, [], []
    for seed in range(8):
        weak = "left" if seed % 2 == 0 else None
        sim = simulate_session(SessionSpec([ExerciseSpec("step-down", reps=5, weak_side=weak, drop_deg=8.0, sets=2,
                                                         strategy=st)], rate_hz=100.0, seed=seed, rest_s=4.0))
        pairs = match_reps(sim.reps, analyze(sim.imu, "step-down").reps).pairs
        n += len(pairs)
        wrong += [(seed, t.start_s) for t, r in pairs if r.side != t.side]
        silent += [(seed, t.start_s) for t, r in pairs if r.side != t.side and "side_uncertain" not in r.flags]
    assert n == 80
    assert silent == []
    assert len(wrong) <= 3


def test_one_bad_displacement_window_does_not_carry_a_hover_leg():
    # Hovering, the free foot stays up: a leg's five reps share one shift in and one shift out, and
    # main (f359931) gave that one displacement to each rep (4 log-odds five times): at seed 11 (1.0 s
    # shifts, 8 mg) it read the wrong way and put the whole leg of 5 reps on the other leg,
    # unflagged, against the reps' own rolls. Counted once for the run, the rolls outweigh it or
    # leave it in doubt.
    st = LoweringStrategy(hover=True, shift_s=1.0, balance_mg=8.0)
    n, silent = 0, []
    for seed in range(8, 16):
        weak = "left" if seed % 2 == 0 else None
        sim = simulate_session(SessionSpec([ExerciseSpec("step-down", reps=5, weak_side=weak, drop_deg=8.0, sets=2,
                                                         strategy=st)], rate_hz=100.0, seed=seed, rest_s=4.0))
        pairs = match_reps(sim.reps, analyze(sim.imu, "step-down").reps).pairs
        n += len(pairs)
        silent += [(seed, t.start_s) for t, r in pairs if r.side != t.side and "side_uncertain" not in r.flags]
    assert n == 80
    assert silent == []
