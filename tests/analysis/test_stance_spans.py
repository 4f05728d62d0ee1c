"""Spans in the stance modules: whether two overlap (`stance_merge.over` and `overlap` agree) and the
standing around a hold (`single_support.standing_spans`, the one builder of the detector's
reference spans and `stance_merge.foot_stayed_up`'s)."""

import pytest

from hiplevel.exercises.single_support import standing_spans
from hiplevel.exercises.stance_merge import over, overlap


@pytest.mark.parametrize("a,b,shared", [
    ((0, 10), (5, 15), 5),   # overlapping
    ((0, 5), (5, 10), 0),    # touching: [start, end) share no sample
    ((0, 10), (2, 4), 2),    # one inside the other
    ((5, 5), (0, 10), 0),    # an empty span inside another shares nothing (over said it overlapped)
    ((0, 10), (7, 7), 0),
    ((3, 3), (3, 3), 0),
])
def test_over_is_a_shared_sample(a, b, shared):
    assert overlap(a, b) == overlap(b, a) == shared
    assert over(a, b) == over(b, a) == (shared > 0)


def test_standing_spans_around_a_hold():
    # 4 s before the shift in's onset and after the shift back's offset, half a second off each.
    assert standing_spans(1000, 3000, 100.0, 4.0) == [(550, 950), (3050, 3450)]
    # Clipped at the set's start, never negative.
    assert standing_spans(200, 3000, 100.0, 4.0)[0] == (0, 150)
    assert standing_spans(20, 3000, 100.0, 4.0)[0] == (0, 0)
