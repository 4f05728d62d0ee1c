"""Single-leg holds whose best-fitting shift pair is the foot-off and landing's balance corrections
(`stance_edges.displaced_pair`, issue 14): the physics check's sets (bench/physics, seed 0) where
that pair, short shapes of 0.5-4 cm against true shifts of 5-7 cm, failed `shift_pair`'s partner
test (a hold missed) or lost to the pair fitted on the other leg (a hold on the wrong leg); the
two displacements name the true leg, and the pair sized by them is the hold."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.physics.cases import make_case  # noqa: E402
from bench.physics.judging import judge_case  # noqa: E402
from hiplevel.analysis import analyze  # noqa: E402
from hiplevel.exercises.stance_edges import EdgeSettings, displaced_pair  # noqa: E402
from hiplevel.exercises.stance_side import SideCues  # noqa: E402

STANCE = "single-leg-stance"


@pytest.mark.parametrize("index", [3, 9], ids=["missed on main", "wrong leg on main"])
def test_every_hold_found_on_its_leg(index):
    """Seed 0 case 3 (its last hold: pair 4.1 / 1.3 cm, true shift 6.1 cm) and case 9 (its second:
    the true leg's pair 2.6 / 1.0 cm failed, the other leg's made the hold): every hold on its leg,
    no extra, none off in time."""
    case = make_case(STANCE, 0, index)
    (true, found, right, extra, wrong_time), _ = judge_case(case.reps, analyze(case.series(), STANCE).reps)
    assert (found, right, extra, wrong_time) == (true, true, 0, 0)


def test_no_sized_pair_when_the_displacements_disagree():
    """The displacements into and out of the hold naming different legs size no pair."""
    acc = 0.05 * np.sin(np.arange(2000) / 30.0)
    side = SideCues(shift_in_m=0.04, shift_back_m=0.04, fitted=1)  # in: left leg; back: the right leg
    assert displaced_pair(acc, (200, 700), (1200, 1700), 100.0, EdgeSettings(), side, 0.0) is None
