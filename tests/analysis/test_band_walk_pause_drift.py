"""Quick heavy-lead steps with pauses (issue 14 item 3): after a quick 80 % lead and its trail the
lateral velocity drifts back through the whole 0.5 s pause in a 2-5 cm hump, which was taken for
the next step's counter-shift: that step then started where the last one ended and no longer
matched its span (main: 16-18 of 20 right and 2-3 extra, lead share 0.8, 0.6 s steps, seeds 7, 9,
10; 14 of 20 at lead share 0.7, seed 11). A counter-shift is a brief push before its move (at
most 0.91 of its duration measured), the drift lasts 1.2-2.2 times the next lead
(`band_steps._pause_drift`)."""

import pytest

from hiplevel.sim import BandStepStrategy

from analysis_helpers import every_band_step_right


@pytest.mark.parametrize("lead_share,seed", [(0.8, 7), (0.8, 10), (0.7, 11)])
def test_the_velocity_drifting_back_in_a_pause_is_no_counter_shift(lead_share, seed):
    strategy = BandStepStrategy(profile="lead-trail", lead_share=lead_share, step_s=0.6, pause_s=0.5)
    every_band_step_right(strategy, seed, 0.2)


@pytest.mark.parametrize("counter_m,pause_s", [(0.05, 0.5), (0.07, 0.0)])
def test_a_counter_shift_between_quick_steps_still_starts_its_step(counter_m, pause_s):
    # 0.6 s steps: the counter-shifts here last up to 0.91 of their move, the closest to the limit.
    strategy = BandStepStrategy(profile="counter-shift", counter_m=counter_m, step_s=0.6, pause_s=pause_s)
    every_band_step_right(strategy, 1, 0.2)
