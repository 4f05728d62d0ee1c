"""A turn of the standing pelvis about a foot or a hip moves it sideways, and that move is no
weight shift onto a leg (`exercises.stance_turns`, issue 14: no holds while standing people turn)."""

import numpy as np

from hiplevel.exercises.base import Hump
from hiplevel.exercises.stance_turns import TURN_LEVER_M, turned_move
from hiplevel.sim.motion import min_jerk

RATE_HZ = 100.0


def _turn(size_deg: float, turn_s: float = 0.8, pad_s: float = 0.5) -> tuple[np.ndarray, Hump]:
    """The yaw rate (deg/s) of one smooth turn of size_deg, and the move (a hump) over it."""
    n, pad = int(turn_s * RATE_HZ), int(pad_s * RATE_HZ)
    yaw = np.concatenate([np.zeros(pad), size_deg * min_jerk(np.linspace(0.0, 1.0, n)), np.full(pad, size_deg)])
    rate = np.gradient(yaw) * RATE_HZ
    return rate, Hump(1, pad + n // 2, 0.05, pad - 10, pad + n + 10)


def test_a_look_round_about_a_pivot_moves_the_pelvis_no_more_than_the_lever_allows():
    # Bench seed 67224's look round: 20.8 deg, the "shift back" 2.7 cm (2x inside the bound).
    rate, move = _turn(20.8)
    assert turned_move(rate, move, 0.027, RATE_HZ)
    assert turned_move(rate, move, 0.9 * TURN_LEVER_M * np.radians(20.8), RATE_HZ)


def test_a_weight_shift_with_the_turn_that_goes_with_it_is_a_shift():
    # A 3 cm shift (the least people make onto a leg) turning 2 deg (the weight-shift scene's SD
    # with a full shift) or 5 deg; a 1.5 cm one (the detector's least) turning 2 deg.
    for size_m, turn_deg in ((0.03, 2.0), (0.03, 5.0), (0.015, 2.0)):
        rate, move = _turn(turn_deg)
        assert not turned_move(rate, move, size_m, RATE_HZ)


def test_a_turn_and_back_inside_one_move_is_no_turn():
    # A look round and back within the move turns the pelvis by nothing net: the move is its own.
    there, move = _turn(20.0)
    back = np.concatenate([there[: move.offset // 2 + 1], -there[: move.offset - move.offset // 2]])
    assert abs(np.sum(back[move.onset : move.offset + 1])) / RATE_HZ < 1.0
    assert not turned_move(back, move, 0.02, RATE_HZ)
