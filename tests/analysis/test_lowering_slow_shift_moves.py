"""The sideways moves of a hover lowering set read on the re-fused acceleration (issue 14, stop 40j,
`step_down.single_leg_reps`).

The moves (`step_down.shift_evidence`) are velocity humps of the sideways acceleration; a weight
shift of about a second passes the fusion's rest test, whose 0.5 s constant takes its acceleration
for tilt (stop 40e), so the set's own fusion leaves a high-passed remnant whose humps point either
way. Read on the set re-fused as the displacements are (`step_down.shift_acc_g`), the moves agree
with the stance leg more often, and a hover set of a level pelvis (no roll cue) keeps its reps out of
doubt."""

from analysis_helpers import lowering_sides_of_a_level_pelvis

from hiplevel.sim import LoweringStrategy


def test_moves_of_one_second_shifts_keep_hover_reps_out_of_doubt():
    # The free foot held up between reps (hover), 4 cm shifts in 1.0 s, 15 mg balance corrections,
    # the left leg's drop 0.5 deg (under the roll cue). main (3f51a26) left 5 right reps of the 40
    # in doubt (side_uncertain): its moves read 22 right, 5 unclear, 13 the wrong way (here 25 / 4 / 11).
    st = LoweringStrategy(hover=True, shift_s=1.0, shift_m=0.04, balance_mg=15.0)
    n, wrong, doubt = lowering_sides_of_a_level_pelvis(st)
    assert n == 40
    assert wrong == []
    assert doubt == []
