"""Back-to-back counter-shift steps, no pause (issue 14 item 3, "with a counter-shift first"): a
5 cm counter-shift (the top of the simulator's human 1-5 cm) before a 10 cm step of 0.8-1.2 s.
With no standstill the velocity drifts through the run by up to ~0.1 m/s; the moves alternate way
(counter-shift, move), so the halts between them were zero crossings, which hold the drift: the
counter-shifts read 7-9 cm, their moves 9-14 cm, past counter_ratio, and they ended the bouts as
steps back (main: 9-20 of 20 right). The ends of the steps' moves now hold the velocity
(`band_alternation`), read on the velocity band-limited at 12 Hz (`band_moves.HALT_LOWPASS_HZ`),
and a counter-shift step's rest-to-rest start is the lowest speed before its counter-shift
(`band_reps`)."""

import pytest

from hiplevel.sim import BandStepStrategy

from analysis_helpers import every_band_step_right


@pytest.mark.parametrize("step_s,seed", [(0.8, 2), (0.8, 1), (1.2, 1)])
def test_short_steps_after_a_large_counter_shift_without_a_pause(step_s, seed):
    every_band_step_right(BandStepStrategy(profile="counter-shift", counter_m=0.05, step_s=step_s), seed, 0.1)
