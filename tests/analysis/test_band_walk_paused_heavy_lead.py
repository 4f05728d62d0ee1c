"""Heavy-lead steps with a pause after each (issue 14 item 3): a pause longer than max_pause_s parts
every step into a run of its own, and a quick 75-80 % lead's trail (1.1-2.1 cm measured after 0.6 s
steps of 20 cm) is under min_move_m with no lead within max_pause_s after it, so it was dropped:
the lead stood alone as a one-move step and its trailing swing (with that side's drop) was read
inside the lead (main: 3-7 of 20 right at lead share 0.8, 1.5 and 2.5 s pauses; 8-18 at 0.75).
The series of such steps is judged as one heavy-lead run (`band_steps._paused_heavy_leads`)."""

import pytest

from hiplevel.sim import BandStepStrategy

from analysis_helpers import every_band_step_right


@pytest.mark.parametrize("lead_share,step_s,pause_s,seed", [
    (0.8, 0.6, 1.5, 2), (0.8, 0.6, 2.5, 3), (0.75, 0.6, 2.5, 2), (0.8, 0.7, 2.5, 2)])
def test_a_heavy_lead_keeps_its_trail_across_long_pauses(lead_share, step_s, pause_s, seed):
    strategy = BandStepStrategy(profile="lead-trail", lead_share=lead_share, step_s=step_s, pause_s=pause_s)
    every_band_step_right(strategy, seed, 0.2)


@pytest.mark.parametrize("profile", ["one-move", "counter-shift"])
def test_paused_one_move_steps_stay_one_move(profile):
    # No hump their way follows these moves: the series is no heavy-lead run, the steps as before.
    every_band_step_right(BandStepStrategy(profile=profile, step_s=0.6, pause_s=2.5), 1, 0.2)
