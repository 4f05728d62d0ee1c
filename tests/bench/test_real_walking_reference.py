"""The section-3 reference as the benchmark counts it: contacts the INDIP lists without a time
and contacts it lists twice (pure tests on made-up bouts; no shared data needed)."""

from types import SimpleNamespace

import numpy as np

from bench.real_walking import StepTally, error_table, untimed_detections
from bench.realdata import _reference


def _bout(start, end, ics, sides):
    return SimpleNamespace(_fieldnames=["Start"], Start=start, End=end, InitialContact_Event=np.asarray(ics, float),
                           InitialContact_LeftRight=np.asarray(sides))


def test_untimed_contacts_are_kept_as_gaps_and_duplicates_count_once():
    ref = _reference("INDIP", [_bout(10.0, 14.0, [10.0, 10.6, np.nan, 11.8, 12.4, 12.4, np.nan], ["Left", "Right", "Left", "Right", "Left", "Left", "Right"])])
    assert ref.ic_s.tolist() == [10.0, 10.6, 11.8, 12.4]
    assert ref.ic_side == ("left", "right", "right", "left")
    assert ref.untimed == ((10.6, 11.8, 1), (12.4, 14.0, 1))
    assert ref.duplicates == 1


def test_a_detection_at_an_untimed_contact_is_not_judged():
    ref = _reference("INDIP", [_bout(10.0, 13.0, [10.0, 10.6, np.nan, 11.8, 12.4], ["Left", "Right", "Left", "Right", "Left"])])
    det = np.array([10.02, 10.61, 11.15, 11.45, 11.79, 12.41])  # 11.15 is the untimed left contact; 11.45 is extra
    assert untimed_detections(det, {0, 1, 4, 5}, ref.untimed) == 1
    t = StepTally()
    t.add(det, ["left", "right", "left", "left", "right", "left"], ref)
    assert (t.n_ref, t.tp, t.n_det, t.untimed) == (4, 4, 5, 1)  # one false step left: 11.45


def test_two_contacts_of_one_foot_leave_the_other_foots_contact_untimed():
    # 10.6 and 11.2 are both right: the left contact between them is missing from the list.
    ref = _reference("INDIP", [_bout(10.0, 13.0, [10.0, 10.6, 11.2, 11.8, 12.4, 12.4], ["Left", "Right", "Right", "Left", "Right", "Right"])])
    assert ref.ic_s.tolist() == [10.0, 10.6, 11.2, 11.8, 12.4]
    assert ref.untimed == ((10.6, 11.2, 1),)  # the copy at 12.4 is a duplicate, no pair
    det = np.array([10.01, 10.61, 10.9, 11.21, 11.81, 12.41])  # 10.9: the unlisted left contact
    t = StepTally()
    t.add(det, ["left", "right", "left", "right", "left", "right"], ref)
    assert (t.n_ref, t.tp, t.n_det, t.untimed) == (5, 5, 5, 1)


def test_each_miss_false_contact_and_side_error_is_listed_as_counted():
    ref = _reference("INDIP", [_bout(10.0, 13.0, [10.0, 10.6, np.nan, 11.8, 12.4], ["Left", "Right", "Left", "Right", "Left"])])
    # 10.62 matches on the wrong foot; 11.15 stands for the untimed contact (not judged); 11.45 is
    # false; 11.8 is missed; 20.0 lies outside the bouts (not judged).
    det = np.array([10.02, 10.62, 11.15, 11.45, 12.41, 20.0])
    t = StepTally()
    t.add(det, ["left", "left", "left", "right", "left", "left"], ref, "P/T/1")
    got = [(e.trial, e.kind, round(e.t_s, 2), e.foot, e.nearest_s) for e in t.errors]
    assert got == [("P/T/1", "side", 10.6, "right", 0.02), ("P/T/1", "false", 11.45, "right", 0.35),
                   ("P/T/1", "miss", 11.8, "right", -0.35)]
    assert t.errors[2].ref_gaps_s == (1.2, 0.6)
    kinds = [e.kind for e in t.errors]
    assert (kinds.count("miss"), kinds.count("false")) == (t.n_ref - t.tp, t.n_det - t.tp)
    table = error_table(t)
    assert len(table) == 5 and table[2].startswith("P/T/1 | false | 11.45 | right")
