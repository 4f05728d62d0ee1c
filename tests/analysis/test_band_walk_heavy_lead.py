"""Quick lead-then-trail steps whose lead carries most of the step, with pauses (issue 14 item 3:
"one rep per lateral step whatever the profile"). A 0.6-0.7 s step of 20 cm with an 80 % lead
leaves a trailing move of 1-2 cm measured, kept as a move only between the leads around it
(`band_steps._between_moves`). After a fast lead the velocity settles in the pause in humps the
other way of 0.5-1.3 cm, which parted trails from the next lead: trails were dropped here and
there, the run's sizes stopped alternating, the run voted one move per step, and its leads and
trails became steps of their own or paired lead with lead (main: 5 of 20 steps right at 0.6 s,
14 of 20 and 4 extra at 0.7 s); with 1 s pauses every lead fell into a run of its own, and a step
without its trailing swing lost its drop (6 of 20 on the right side). `band_steps._heavy_leads`:
one step per lead, with its trail where one is found."""

import pytest

from hiplevel.sim import BandStepStrategy

from analysis_helpers import every_band_step_right


@pytest.mark.parametrize("step_s,pause_s,seed", [(0.6, 0.5, 1), (0.7, 0.5, 5), (0.6, 1.0, 3)])
def test_a_heavy_lead_keeps_its_step_and_trail_across_the_settling_in_the_pause(step_s, pause_s, seed):
    strategy = BandStepStrategy(profile="lead-trail", lead_share=0.8, step_s=step_s, pause_s=pause_s)
    every_band_step_right(strategy, seed, 0.2)
