"""No single-leg holds while the weight only moves from foot to foot, both feet down (issue 14, item
3; bench section 7's weight-shift scene, its mount and rest drawn as there). Main counted 37 false
holds over seeds 67200-67239: 26 velocity holds of 6-36 s whose pelvis went from foot to foot inside
them, let stand by their sway vote alone, and 8 with nothing but a foot-off vote."""

import pytest

from stance_helpers import scene_holds


def _holds(seed: int) -> list:
    return scene_holds("weight-shift", seed)


@pytest.mark.parametrize("seed", [67202, 67205, 67211, 67218, 67235])
def test_no_hold_that_moved_on_with_only_its_sway_for_the_foot(seed):
    # Main: one hold of 18-36 s in each, no foot-off or foot-down vote, moves of 1.5-2x the shift in
    # inside it (the weight going to the other foot and back), kept for its full sway vote
    # (`stance_roll.moved_unseen`).
    assert _holds(seed) == []


@pytest.mark.parametrize("seed", [67208, 67212])
def test_no_hold_from_a_foot_off_vote_alone(seed):
    # Main: a 3.7-4.7 s hold from a foot-off vote of 1 (the shift stopping, the unloaded hip hanging
    # as the weight moves), its sway under standing's (0.2-0.6x) and no landing: a foot that left
    # sways on one leg or comes down (`stance_checks.only_foot_off`).
    assert _holds(seed) == []


@pytest.mark.parametrize("seed", [67207, 67209, 67216, 67224, 67233, 67236])
def test_no_hold_whose_sway_alone_is_not_the_roll_s_in_rate_and_amplitude(seed):
    # Main (3d83065): one hold each with no foot-off or foot-down vote and a full sway vote: four of
    # 3.6-5.9 s after the opening standing whose roll rate swayed 1.4-2.4x the standing's while
    # their roll's amplitude stayed at 0.9-1.4x (a stretch of standing's own sway), 67209 and two
    # of 20-22 s voted by the sideways acceleration (the shifts' own, 1.7-10x) with the roll rate
    # at 0.9-1.4x (`stance_roll.sway_unseen`).
    assert _holds(seed) == []
