"""Slow one-move band-walk steps with no pause, read half a step out of phase although the run holds
a standstill (issue 14 part 3). Over a run of such steps the fusion's tilt error bulges the
integrated velocity as fast as the steps move, and the halts between moves can go on the crests
(every step the wrong way, half a step off); the height's step rhythm gives the true way
(`band_phase.rhythm_way`) and `band_phase.rephased` re-anchors such a run at its moves' crests. It
skipped runs holding a standstill (0.05 s of quiet), taken as anchored; but with the pelvis wobbling
in the hinge the drift can make a crest still for 0.1-0.2 s, a standstill inside a run read the
wrong way (bench.physics seed 2 case 7, 1.85 s steps of 10 cm: 10 of 20 right). On main these sets
found 10 of 20 right (5 the wrong way, 5 missed, 1 extra) and 10 of 20 (8 the wrong way, 2 missed)."""

import pytest

from hiplevel.sim import BandStepStrategy

from analysis_helpers import every_band_step_right


@pytest.mark.parametrize("step_s,step_m,wobble_deg,seed", [(1.85, 0.10, 1.5, 1), (2.2, 0.10, 0.75, 3)])
def test_slow_one_move_steps_with_a_still_crest_go_their_way(step_s, step_m, wobble_deg, seed):
    strategy = BandStepStrategy(profile="one-move", step_s=step_s, pause_s=0.0, hinge_wobble_deg=wobble_deg)
    every_band_step_right(strategy, seed, step_m)
