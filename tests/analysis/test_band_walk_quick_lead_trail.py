"""The lead and trail of a quick lead-then-trail step are two moves (issue 14 item 3: "one rep per
lateral step whatever the profile"; the human range's steps take 0.5-2 s). In a 0.6 s step each move
takes about 0.25-0.3 s and their peaks may come 0.22 s apart; with 0.25 s as the least time between
two moves' peaks (`min_gap_s`) they were one move, and a run's lead/trail pairing slipped by one:
every later step took the next step's lead as its trail, its two phases swapped (the weak leg's drop
read as a hike on the other leg)."""

import numpy as np
import pytest

from hiplevel.exercises import band_moves
from hiplevel.exercises.band_walk import BandWalkDetector

from analysis_helpers import min_jerk_speed

RATE_HZ = 100.0


@pytest.mark.parametrize("gap_s", [0.2, 0.22, 0.25])
def test_lead_and_trail_of_a_quick_step_are_two_moves(gap_s):
    # A 23 cm lead and a 15 cm trail, their peaks gap_s apart, no halt between them.
    t = np.arange(0.0, 4.0, 1.0 / RATE_HZ)
    v = min_jerk_speed(t, 1.0, 0.27, 0.23) + min_jerk_speed(t, 1.0 + gap_s - 0.005, 0.25, 0.15)
    assert len(band_moves.find_moves(BandWalkDetector(), v, RATE_HZ)) == 2
