"""Single-leg stance (issue 14): two holds on different legs inside one stretch on one foot (the
standing between them stayed over the sway ratio: no balance corrections, or the roll swaying on
after the shift) are two holds, not one split in two (`stance_merge.merge_edge_holds`); and a hold
whose shift back is in doubt goes on past every later candidate in doubt to the one where the
foot came down (`SingleLegStanceDetector.pair`)."""

import pytest

from hiplevel.exercises.base import Hump, RepWindow
from hiplevel.exercises.stance_merge import merge_edge_holds

from stance_helpers import holds, whole


def _rep(start: int, end: int, side: str, votes: float = 1.0) -> RepWindow:
    stance_other = "right" if side == "left" else "left"
    return RepWindow(start, end, side, (start, end), stance_other, metrics={
        "support": {"sway": votes, "foot_down": votes, "foot_off": votes}})


def test_stretch_with_holds_on_both_legs_gives_no_edge_hold():
    """A left and a right hold in one stretch: both kept, the stretch's edge hold (the standing
    between them) not taken. Two on one leg in one stretch stay doubtful: the edge hold replaces them."""
    left, right = _rep(500, 1500, "left"), _rep(2000, 3000, "right")
    between = _rep(1500, 2000, "right")
    kept = merge_edge_holds([left, right], [((300, 3200), between)], 600, 100.0)
    assert sorted((r.start, r.end) for r in kept) == [(500, 1500), (2000, 3000)]
    first, second = _rep(500, 1500, "left"), _rep(1600, 3000, "left")
    whole_hold = _rep(500, 3000, "left")
    kept = merge_edge_holds([first, second], [((300, 3200), whole_hold)], 600, 100.0)
    assert [(r.start, r.end) for r in kept] == [(500, 3000)]


# Bench section 7 cases (`stance_cases.py` seeds): balance corrections 0 mg, seed 2 (no corrections:
# the 5 s of standing between the right and left holds swayed as one foot, one stretch 29.5-40.8 s;
# its edge hold 31.7-36.6 s, the standing, replaced the right hold: 2 of 4 found, 1 extra), and
# shift_s 0.5 s, seed 6 (the stretch ran from the third hold into the fourth; its edge hold took
# the third's foot-down for the fourth's foot-off: 42.0-55.8 s of 46.1-55.9 s).
@pytest.mark.parametrize("seed, strategy", [(2, {"balance_mg": 0.0}), (6, {"shift_s": 0.5})])
def test_holds_on_both_legs_in_one_stretch_kept(seed, strategy):
    whole(*holds(seed, **strategy))


def test_pair_passes_over_every_candidate_in_doubt():
    """A hold in doubt (no foot-down) ends at the first later candidate in no doubt, past any
    number of candidates in doubt, if the foot stayed up (`later_end`)."""
    from hiplevel.exercises import DETECTORS

    det = DETECTORS["single-leg-stance"]
    shift_in = (Hump(1, 150, 0.1, 100, 200), 0.06)
    wanders = [(Hump(-1, t + 50, 0.08, t, t + 100), 0.05) for t in (3000, 5000)]
    back = (Hump(-1, 8050, 0.1, 8000, 8100), 0.06)
    in_doubt = {id(w[0]) for w in wanders}
    got = det.pair([shift_in, *wanders, back], 100.0, accept=lambda a, b: True,
                   doubtful=lambda a, b: id(b) in in_doubt, later_end=lambda a, b, later: True)
    assert got == [(shift_in[0], back[0])]


# lift_lag_s -0.3 s, seed 4 (bench section 7): two balance wanders on the right leg (3.9 and 3.0 cm,
# no foot-down jolt at either) before the real shift back at 59.7 s; the pairing stopped at the
# second and the hold was reported 49.1-52.7 s of 49.3-59.9 s.
def test_hold_not_cut_by_two_wanders_in_doubt():
    whole(*holds(4, lift_lag_s=-0.3))
