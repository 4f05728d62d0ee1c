"""A foot-down vote needs a jolt a foot could make (`SupportCues.min_landing_g`): a foot taking weight
jolts the pelvis by 0.03 g and up, while a fast weight shift on both feet leaks 7-9 mg into the
vertical, which the quiet vertical of a hold on two feet (under 1.2 mg RMS) made a full vote for
(issue 14: no holds where nobody lifts a foot)."""

from stance_helpers import all_found, holds, scene_holds


def test_no_hold_from_a_fast_weight_shift_whose_vertical_leak_read_as_a_landing():
    # Section 7's weight-shift scene 67204 (stop 39, class 1): a 13.3 cm shift onto the left foot in
    # 0.6 s, held, 7.1 cm back to both feet, 1.3 s of standing, 7.0 cm on. Main paired the shift in
    # with the later move (foot-down vote 0.84 from an 8.4 mg vertical peak-to-peak; a 6.2 s "hold").
    assert scene_holds("weight-shift", 67204) == []


def test_holds_whose_foot_lands_softly_keep_their_foot_down_vote():
    # The human range's softest landing (landing_mm 0.5: 29-36 mg peak-to-peak), no foot-off jolt
    # (lift_mm 0) and the sway at the range's floor: each hold found, its foot-down seen.
    for seed in (0, 1, 2):
        sim, res, matched = holds(seed, sway_deg=0.2, landing_mm=0.5, lift_mm=0.0)
        all_found(sim, res, matched)
        assert all(r.details["support"]["foot_down"] >= 0.5 for _, r in matched[0]), seed

