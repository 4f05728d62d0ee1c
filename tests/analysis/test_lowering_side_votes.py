"""The stance leg of step-downs and single-leg squats from three cues (`lowering_side.set_sides`,
issue 14): the displacement of the weight shifts, the sideways moves around the rep and the roll
(the free side hangs lower), weighed with the other reps of the same leg (a set stands on one leg).
A slow weight shift reads as no clear displacement, and balance corrections on one leg then pass for
the moves (physics check, seed 1: 12 of 17 step-downs on the wrong leg); the roll, independent of
the acceleration, decides where the drop is clear; a rep whose cues fail together takes its set's
leg, and one whose own cues stand against its set is flagged `side_uncertain` instead of being
guessed silently."""

import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.lowering_side import ROLL_SURE_DEG, set_sides
from hiplevel.scoring.thresholds import Thresholds
from hiplevel.sim import ExerciseSpec, LoweringStrategy, SessionSpec, match_reps, simulate_session

LEFT, RIGHT = 1, -1
SURE = Thresholds().side_min_confidence


def _vote(run, move_mps, roll_deg, pooled=0.1):
    return set_sides([run], [move_mps], [roll_deg], [True], [pooled])[0]


def _set(cues, breaks=()):
    """Sides and confidences of a stream of reps given as (run, move, roll); breaks: indices after a rest."""
    runs, moves, rolls = zip(*cues)
    return set_sides(list(runs), list(moves), list(rolls), [i == 0 or i in breaks for i in range(len(cues))],
                     [0.1] * len(cues))


def test_a_clear_displacement_decides_and_weak_cues_against_it_do_not_doubt_it():
    assert _vote(LEFT, -0.08, 0.0)[0] == LEFT and _vote(LEFT, -0.08, 0.0)[1] >= SURE
    side, conf = _vote(LEFT, -0.08, -2.0)  # a hip hike reads as the other leg's drop: not sure
    assert side == LEFT and conf >= SURE


def test_a_sure_drop_overrules_moves_where_no_displacement_decides():
    assert _vote(0, -0.08, ROLL_SURE_DEG + 1.0)[0] == LEFT
    side, conf = _vote(0, 0.0, ROLL_SURE_DEG + 1.0)
    assert side == LEFT and conf >= SURE


def test_a_sure_drop_with_the_moves_against_the_displacement_is_in_doubt_either_way():
    side, conf = _vote(RIGHT, 0.08, ROLL_SURE_DEG + 1.0)
    assert side == LEFT and conf < SURE
    side, conf = _vote(RIGHT, -0.08, ROLL_SURE_DEG + 1.0)  # the two acceleration cues agree
    assert side == RIGHT and conf < SURE


def test_a_lone_rep_with_no_cue_takes_the_tie_break_in_doubt():
    assert _vote(0, 0.0, 0.0, pooled=-0.2) == (RIGHT, 0.5)


def test_a_rep_whose_cues_fail_together_takes_its_sets_leg():
    # physics check: the displacement read the wrong way with the moves (the rest before it),
    # the roll under its cue (a shallow rep); the four other reps of the leg are clearly right.
    left = (LEFT, 0.1, 2.0)
    sides = _set([left, left, (RIGHT, -0.1, 0.5), left, left])
    assert [s for s, _ in sides] == [LEFT] * 5


def test_a_rep_whose_own_cues_stand_against_its_set_is_in_doubt():
    left = (LEFT, 0.1, 2.0)
    # a displacement, the moves and a roll cue against the four others: either leg is in doubt
    sides = _set([left, left, (RIGHT, -0.1, -2.0), left, left])
    assert sides[2][1] < SURE
    assert all(c >= SURE for _, c in sides[:2] + sides[3:])


def test_the_leg_changes_across_a_rest_without_doubt():
    left, right = (LEFT, 0.1, 2.0), (RIGHT, -0.1, -2.0)
    sides = _set([left] * 5 + [right] * 5, breaks=(5,))
    assert [s for s, _ in sides] == [LEFT] * 5 + [RIGHT] * 5
    assert all(c >= SURE for _, c in sides)


def test_the_leg_changes_without_a_rest_where_the_reps_say_so():
    # touch protocol: the rest between the legs no longer than twice the reps' interval
    left, right = (LEFT, 0.1, 2.0), (RIGHT, -0.1, -2.0)
    assert [s for s, _ in _set([left] * 5 + [right] * 5)] == [LEFT] * 5 + [RIGHT] * 5


@pytest.mark.parametrize("hover", [False, True])
def test_balance_corrections_do_not_put_a_clear_drop_on_the_wrong_leg_silently(hover):
    # hiplevel.sim with the physics check's failure: a slow shift (1.4 s) before the lowering,
    # balance corrections on one leg (15 mg), the left leg's reps dropping 8 deg. main put 5 of the
    # 40 left-leg reps on the right leg, unflagged, in either protocol.
    st = LoweringStrategy(hover=hover, shift_s=1.4, balance_mg=15.0)
    n, silent = 0, []
    for seed in range(8):
        sim = simulate_session(SessionSpec([ExerciseSpec("step-down", reps=5, weak_side="left", drop_deg=8.0, sets=2,
                                                         strategy=st)], rate_hz=100.0, seed=seed, rest_s=4.0))
        pairs = match_reps(sim.reps, analyze(sim.imu, "step-down").reps).pairs
        n += sum(t.side == "left" for t, _ in pairs)
        silent += [(seed, t.start_s) for t, r in pairs
                   if t.side == "left" and r.side != t.side and "side_uncertain" not in r.flags]
    assert n == 40
    assert silent == []
