"""Single-leg stance (issue 14): pairing shifts into holds (`SingleLegStanceDetector.pair`). A
shift-in with no hold takes its first candidate with it as its return; the moves before that
candidate may still start a hold, but only one every single-support cue votes for (sway,
foot-off, foot-down): a weight shift with no foot off sways there too, a wander on one foot before
the foot-down reads that jolt as a foot-off, and static postures can jolt without sway."""

from hiplevel.exercises import DETECTORS
from hiplevel.exercises.base import Hump

from stance_helpers import all_found, holds


def test_moves_before_a_failed_shift_ins_return_start_a_hold_only_if_every_cue_votes():
    """A shift back taken for a shift-in (its own hold not found) pairs with nothing; the next
    hold's shift in, before its first candidate, starts a hold if the caller's `lifts` says so."""
    det = DETECTORS["single-leg-stance"]
    stray = (Hump(1, 150, 0.15, 100, 200), 0.08)  # the shift back of a hold not found
    shift_in = (Hump(1, 450, 0.13, 400, 500), 0.07)  # the next hold's shift in: no clear shift (< 1.2x)
    back = (Hump(-1, 1850, 0.15, 1800, 1900), 0.08)
    moves = [stray, shift_in, back]

    def accept(a, b):
        return a is not stray[0]

    for votes, want in ((True, [(shift_in[0], back[0])]), (False, [])):
        assert det.pair(moves, 100.0, accept=accept, lifts=lambda a, b: votes) == want
    # Without the foot-off cue the moves before the return are passed over, as they were.
    assert det.pair(moves, 100.0, accept=accept) == []


# Foot-off 1 s after the shift ends (bench section 7 lift_lag_s 1.0, seed 2): the first hold's shift
# back is no move, so its shift in pairs with nothing and took the second hold's shift in (its
# first candidate) with it; the second hold's shift back, taken for a shift in, took the third
# hold's shift back, and the third hold's shift in before it was passed over: 3 of 4 holds found.
def test_hold_after_a_shift_back_taken_for_a_shift_in_found():
    all_found(*holds(2, lift_lag_s=1.0))

