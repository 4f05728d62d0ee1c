"""The sideways moves of a hover lowering set read on the re-fused acceleration (issue 14, stop 40j,
`step_down.single_leg_reps`).

The moves (`step_down.shift_evidence`) are velocity humps of the sideways acceleration; a weight
shift of about a second passes the fusion's rest test, whose 0.5 s constant takes its acceleration
for tilt (stop 40e), so the set's own fusion leaves a high-passed remnant whose humps point either
way. Read on the set re-fused as the displacements are (`step_down.shift_acc_g`), the moves agree
with the stance leg more often, and a hover set of a level pelvis (no roll cue) keeps its reps out of
doubt."""

from hiplevel.analysis import analyze
from hiplevel.sim import ExerciseSpec, LoweringStrategy, SessionSpec, match_reps, simulate_session


def test_moves_of_one_second_shifts_keep_hover_reps_out_of_doubt():
    # The free foot held up between reps (hover), 4 cm shifts in 1.0 s, 15 mg balance corrections,
    # the left leg's drop 0.5 deg (under the roll cue). main (3f51a26) left 5 right reps of the 40
    # in doubt (side_uncertain): its moves read 22 right, 5 unclear, 13 the wrong way (here 25 / 4 / 11).
    st = LoweringStrategy(hover=True, shift_s=1.0, shift_m=0.04, balance_mg=15.0)
    n, wrong, doubt = 0, [], []
    for seed in range(4):
        sim = simulate_session(SessionSpec([ExerciseSpec("step-down", reps=5, weak_side="left", drop_deg=0.5, sets=2,
                                                         strategy=st)], rate_hz=100.0, seed=seed, rest_s=4.0))
        for t, r in match_reps(sim.reps, analyze(sim.imu, "step-down").reps).pairs:
            n += 1
            if r.side != t.side:
                wrong.append((seed, round(t.start_s, 1)))
            elif "side_uncertain" in r.flags:
                doubt.append((seed, round(t.start_s, 1), r.details.get("side_confidence")))
    assert n == 40
    assert wrong == []
    assert doubt == []
