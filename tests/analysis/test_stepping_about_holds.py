"""No single-leg holds while a person steps about on the spot (issue 14, item 2; bench section 7's
stepping-about scene, its mount and rest drawn as there): a step aside and straight back, again and
again, puts the feet down and picks them up but holds nothing. Main (f6af3f4) counted 14 false holds
in 13 of seeds 67200-67239, every one a step aside paired with the move back of a later step."""

import pytest

from stance_helpers import scene_holds


def _holds(seed: int) -> list:
    return scene_holds("stepping-about", seed)


@pytest.mark.parametrize("seed", [67202, 67211, 67218])
def test_no_hold_over_a_step_back_and_the_next_step_aside_with_no_foot_vote(seed):
    # Main: a 3.0-3.7 s hold, foot-off and foot-down votes 0, the sway vote 1 from the steps' own
    # moves: the step back (9-11 cm) 0.4-0.5 s after the shift in and the next step aside lay in the
    # foot-lift transition, out of the window `moved_inside` reads (`stance_roll.moved_between`).
    assert _holds(seed) == []


@pytest.mark.parametrize("seed", [67203, 67208, 67227])
def test_no_hold_whose_foot_off_is_only_the_step_back_s_roll_tip(seed):
    # Main: a 2.3-10.7 s hold with a foot-off vote of 1 from the roll tip of the step back (no jolt:
    # lift votes 0-0.4) and no foot-down: the step's own roll is no foot leaving the floor
    # (`stance_roll.moved_unseen`).
    assert _holds(seed) == []


@pytest.mark.parametrize("seed", [67223, 67233])
def test_no_hold_over_a_step_back_and_out_again_smaller_than_the_shift_in(seed):
    # Main: a lead-and-trail step aside read 16.5-16.8 cm, the step back and the next aside 11-12 cm
    # (0.67-0.73x, under steady_ratio): a move back and one out again, each of partner_ratio, is the
    # pelvis back over both feet and out again.
    assert _holds(seed) == []
