"""A fast band-walk move's settling is no move (issue 14 item 3: "one rep per lateral step whatever
the profile"). Within a fast move the integrated velocity picks up an error that stays after it;
held at zero at the next standstill, the straight-line drift correction leaves a hump the other way,
highest where the move ends and falling to zero at the standstill. Taken for a move toward the
trailing leg (the way of a counter-shift), it parted a run of fast counter-shift steps with short
pauses into lone moves, or took the counter-shift's place; after a lead carrying 90 % of a step it
hid the trailing move (`band_drift.without_settling`)."""

import numpy as np
import pytest

from hiplevel.exercises import band_drift, band_moves
from hiplevel.exercises.band_walk import BandWalkDetector
from hiplevel.exercises.base import find_humps
from hiplevel.sim import BandStepStrategy

from analysis_helpers import every_band_step_right, min_jerk_speed

RATE_HZ = 100.0


def _settling(t: np.ndarray, t0: float, dur: float, speed_mps: float) -> np.ndarray:
    """A jump to speed_mps at t0 falling straight to zero over dur (the drift correction's ramp)."""
    return np.where((t >= t0) & (t < t0 + dur), speed_mps * (1.0 - (t - t0) / dur), 0.0)


def test_the_settling_after_a_fast_move_is_no_move():
    # Two 0.45 s moves of 30 cm to the right, 0.6 s apart; after the first, the velocity jumps
    # to +0.1 m/s and falls to zero over 0.4 s; the second starts with a 2 cm counter-shift.
    t = np.arange(0.0, 6.0, 1.0 / RATE_HZ)
    v = (min_jerk_speed(t, 1.0, 0.45, -0.30) + _settling(t, 1.45, 0.4, 0.1)
         + min_jerk_speed(t, 1.9, 0.2, 0.02) + min_jerk_speed(t, 2.1, 0.45, -0.30))
    moves = band_moves.find_moves(BandWalkDetector(), v, RATE_HZ)
    assert [h.sign for h in moves] == [-1, 1, -1]
    counter = moves[1]
    assert counter.onset >= int(1.8 * RATE_HZ)  # the counter-shift's own start, not the settling's


@pytest.mark.parametrize("counter_s", [0.15, 0.3])
def test_a_counter_shift_right_after_a_move_is_no_settling(counter_s):
    # Back-to-back counter-shift steps: a minimum-jerk hump the other way where a move ends, as
    # slow against it as a settling, peaks mid-span: a leg move (what `without_dips` makes of it
    # between two moves is its own rule).
    t = np.arange(0.0, 6.0, 1.0 / RATE_HZ)
    v = (min_jerk_speed(t, 1.0, 0.45, -0.30) + min_jerk_speed(t, 1.45, counter_s, 0.02)
         + min_jerk_speed(t, 1.45 + counter_s, 0.45, -0.30))
    p = BandWalkDetector()
    humps = find_humps(v, RATE_HZ, p.min_speed_mps, p.min_gap_s, rise_frac=p.flank_rise)
    assert [h.sign for h in humps] == [-1, 1, -1]
    assert band_drift.without_settling(humps, v, RATE_HZ) == humps


@pytest.mark.parametrize("seed", [1])
def test_fast_counter_shift_steps_with_half_second_pauses(seed):
    """0.9 s steps of 30 cm after a 2 cm counter-shift, standing 0.5 s between them, the pelvis
    wobbling in the hinge: main (c7f0724) found 15 of 20."""
    strategy = BandStepStrategy(profile="counter-shift", step_s=0.9, pause_s=0.5, counter_m=0.02,
                                hinge_wobble_deg=1.5)
    every_band_step_right(strategy, seed, 0.3)
