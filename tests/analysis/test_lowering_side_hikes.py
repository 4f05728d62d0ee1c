"""The stance leg of step-downs and single-leg squats where one leg hikes in every rep (issue 14,
`lowering_side.rolls_in_doubt`).

The free side drops in single-leg support, so a leg's reps roll toward it; a leg that hikes (the free
side rises: a compensation the domain primer reports as a negative drop, and flags) rolls the other
way in every rep, like the other leg's drops. Its reps then agree with each other on the wrong leg,
and the chain of legs holds the whole set there. Both legs rolling the same way while their
displacements name opposite legs says the roll is the compensation of the leg whose displacements
it contradicts, not its side."""

from __future__ import annotations

from hiplevel.exercises import lowering_side
from hiplevel.scoring.thresholds import Thresholds

LEFT, RIGHT = 1, -1
SURE = Thresholds().side_min_confidence

# Two sets of five touch-down reps (a break before the sixth): the left leg's displacements read left
# on four of its five reps (one unclear), the right leg's right; every rep's roll is negative (right
# side higher): the right leg's drops 1-2 deg, the left leg's hikes 3-4 deg.
NEW_SET = [True, False, False, False, False, True, False, False, False, False]
RUNS = [0.0, 1.0, 1.0, 0.5, 0.5, -1.0, -1.0, -1.0, -0.5, -0.5]
MOVES = [-0.08, 0.06, -0.07, -0.06, 0.07, -0.08, 0.07, -0.08, -0.07, 0.07]
ROLLS = [-3.7, -3.4, -4.1, -2.9, -3.5, -1.2, -1.4, -0.9, -0.7, -1.0]


def _sides(runs=RUNS, rolls=ROLLS, new_set=NEW_SET):
    return lowering_side.set_sides(runs, MOVES, rolls, new_set, [0.0] * len(runs))


def test_a_leg_rolling_like_the_other_leg_is_decided_by_its_displacements():
    assert lowering_side.rolls_in_doubt(RUNS, ROLLS, NEW_SET) == [True] * 5 + [False] * 5
    sides = _sides()
    # the hiking leg: on its own leg (its first rep, with no clear displacement, too), sure of it
    assert [s for s, _ in sides[:5]] == [LEFT] * 5
    assert min(c for _, c in sides[:5]) >= SURE
    assert [s for s, _ in sides[5:]] == [RIGHT] * 5


def test_a_roll_no_hike_reaches_still_counts():
    # in doubt, a roll under ROLL_CERTAIN_DEG counts nothing; from it (a drop no hike reaches) in full
    assert lowering_side.rep_log_odds(0.0, 0.0, -4.0, roll_in_doubt=True) == 0.0
    assert lowering_side.rep_log_odds(0.0, 0.0, -7.0, roll_in_doubt=True) == -lowering_side.ROLL_CERTAIN_LOG_ODDS
    assert lowering_side.rep_log_odds(0.0, 0.0, -4.0) == -lowering_side.ROLL_SURE_LOG_ODDS


def test_the_roll_stays_a_cue_where_the_legs_roll_their_own_ways():
    # the left leg's rolls positive: each leg rolls toward its free side, nothing to doubt
    rolls = [-r for r in ROLLS[:5]] + ROLLS[5:]
    assert lowering_side.rolls_in_doubt(RUNS, rolls, NEW_SET) == [False] * 10
    # one leg only: its roll against its displacements may be a displacement read the wrong way
    assert lowering_side.rolls_in_doubt(RUNS[:5], ROLLS[:5], NEW_SET[:5]) == [False] * 5
    # the other leg level (its median roll 0, not toward its leg): not both legs rolling one way
    level = ROLLS[:5] + [0.1, -0.3, 0.2, -0.1, 0.0]
    assert lowering_side.rolls_in_doubt(RUNS, level, NEW_SET) == [False] * 10


def test_a_leg_whose_one_displacement_reads_the_wrong_way_keeps_its_roll():
    # hovering, one run a leg: the left leg's one displacement (its five shares of 1/5) read to the
    # right, as the right leg's; its rolls (drops, +2 deg) name the left leg. The two sets name the
    # same leg, so no pair of legs rolling one way forms: the roll stays and carries the left leg.
    runs = [-0.2] * 5 + [-0.2] * 5
    rolls = [2.1, 1.8, 2.4, 1.9, 2.2] + ROLLS[5:]
    assert lowering_side.rolls_in_doubt(runs, rolls, NEW_SET) == [False] * 10
    # the same leg read the right way (a hover leg hiking): its one displacement names it, both
    # legs roll one way, its roll is in doubt
    assert lowering_side.rolls_in_doubt([0.2] * 5 + runs[5:], ROLLS, NEW_SET) == [True] * 5 + [False] * 5


def test_no_hiking_leg_of_a_slow_shifting_session_goes_to_the_other_leg_silently():
    # hiplevel.sim, step-down touching down, 1.4 s shifts, 15 mg balance corrections, the weak leg
    # hiking 5 deg in every rep (both legs rolling the right side up): main (7aea8f7) put all five
    # hikes of each of these legs on the other leg, at 0.93-1.0, and reported them as drops of the
    # other leg's free side
    from hiplevel.analysis import analyze
    from hiplevel.sim import ExerciseSpec, LoweringStrategy, SessionSpec, match_reps, simulate_session

    st = LoweringStrategy(hover=False, shift_s=1.4, balance_mg=15.0)
    n, wrong, hikes = 0, [], []
    for seed, weak in ((0, "left"), (14, "left"), (6, "right")):
        sim = simulate_session(SessionSpec([ExerciseSpec("step-down", reps=5, weak_side=weak, drop_deg=-5.0, sets=2,
                                                         strategy=st)], rate_hz=100.0, seed=seed, rest_s=4.0))
        for t, r in match_reps(sim.reps, analyze(sim.imu, "step-down").reps).pairs:
            if t.side != weak:
                continue
            n += 1
            if r.side != t.side:
                wrong.append((seed, round(t.start_s, 1), r.details.get("side_confidence")))
            else:
                hikes.append(r.drop_deg)
    assert n == 15
    assert wrong == []
    assert max(hikes) < -3.0  # reported as hikes (negative drops) of its own free side
