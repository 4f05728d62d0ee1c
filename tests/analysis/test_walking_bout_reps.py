"""A walking bout's steps (`WalkingDetector._bout_reps`) on Python ints, the long-step limit taken
once and each contact's time rounded once (it opens its step and closes the one before): each
step's tuple as before, (start, end, its index, no edge, step_s, contact_s, closing_contact_s),
with a long step's window where the pelvis moves most. Speed (issue 13)."""

from __future__ import annotations

import pytest
from analysis_helpers import two_turning_walks_motion

from hiplevel.exercises import DETECTORS


@pytest.fixture(scope="module")
def walk():
    return two_turning_walks_motion(5)


def test_each_step_is_its_contacts_and_their_rounded_times(walk) -> None:
    det = DETECTORS["walking"]
    bouts = det.bout_cues(walk, with_cues=False)[0]
    assert len(bouts) >= 2
    for c in bouts:
        steps = [r for r in det._bout_reps(walk, c) if r[3] is None]
        assert [r[2] for r in steps] == list(range(len(c) - 1))
        for a, b, k, _, step_s, contact_s, closing_s in steps:
            assert type(a) is int and type(b) is int
            assert contact_s == round(float(walk.t_s[c[k]]), 3) and closing_s == round(float(walk.t_s[c[k + 1]]), 3)
            assert step_s == round((b - a) / walk.rate_hz, 3)
            if (a, b) != (int(c[k]), int(c[k + 1])):  # a long step: the median step inside it
                assert c[k] <= a and b <= c[k + 1] and c[k + 1] - c[k] > det.side.irregular_ratio * (b - a) - 1
