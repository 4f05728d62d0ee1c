"""Single-leg holds of the physics generator (bench/physics, which does not share the simulator's
code) whose foot leaves the floor with no roll transient: found from the rise of the sway there."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.physics.cases import make_case  # noqa: E402
from bench.physics.judging import FOUND, judge_case  # noqa: E402


@pytest.mark.parametrize("index", [2, 12])
def test_holds_lifted_without_a_roll_transient_are_found_with_their_time(index):
    # Seed 0, cases 2 and 12: two holds each lifted with no roll transient (drops 0.8-8 deg, 12-22 s,
    # shifts 3.6-11 cm); 2249045 missed both in each set (no foot-off vote, so no edge path).
    case = make_case("single-leg-stance", 0, index)
    assert sum(not r.params["transient_deg"] for r in case.reps) >= 2
    from hiplevel.analysis import analyze

    _, outcomes = judge_case(case.reps, analyze(case.series(), "single-leg-stance", keep_trace=False).reps)
    assert [o.status for o in outcomes] == [FOUND] * len(case.reps)
