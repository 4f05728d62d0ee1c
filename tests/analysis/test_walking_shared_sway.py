"""The walking detector takes the step's sway (`smooth_lateral_g`) once per motion, for the steps
on the spot and every bout's edge swings (`_sways_away` read a sway of each bout's own span:
the same filter over a shorter stretch, whose values inside the bout differ from the whole
motion's only in the last bits, its ends 2 s and two steps away). Speed (issue 13); the edges
found must be the same."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import two_turning_walks_motion

import hiplevel.exercises.walking as walking
import hiplevel.exercises.walking_edges as walking_edges
from hiplevel.exercises import DETECTORS
from hiplevel.exercises.walking_spot_turns import smooth_lateral_g


@pytest.fixture(scope="module", params=[3, 11])
def walk(request):
    return two_turning_walks_motion(request.param)


def test_edges_from_the_motion_sway_are_the_bouts_own(walk) -> None:
    det = DETECTORS["walking"]
    bouts = det.bout_cues(walk, with_cues=False)[0]
    assert len(bouts) >= 2
    sway = smooth_lateral_g(walk.acc_lin_g[:, 1], walk.rate_hz)
    own = [det._bout_reps(walk, c) for c in bouts]
    shared = [det._bout_reps(walk, c, sway=sway) for c in bouts]
    assert shared == own
    assert any(r[3] for bout in own for r in bout)  # edge swings were judged and found


def test_prepare_takes_the_sway_once(walk, monkeypatch) -> None:
    calls = []
    for module in (walking, walking_edges):
        real = module.smooth_lateral_g
        monkeypatch.setattr(module, "smooth_lateral_g", lambda x, r, real=real: calls.append(len(x)) or real(x, r))
    DETECTORS["walking"].prepare(walk)
    assert calls == [len(walk.t_s)]
