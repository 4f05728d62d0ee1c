"""Band walks of the physics generator (bench/physics, which does not share the simulator's code):
slow steps with no pause between them, read the right way by the height's step rhythm (one move a
step) or the roll's (lead then trail; `band_phase`)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.physics.cases import make_case  # noqa: E402
from bench.physics.judging import FOUND, WRONG_SIDE, judge_case  # noqa: E402


def test_slow_one_move_steps_without_a_pause_go_their_way():
    # Seed 0, case 20: 2.3 s one-move steps of 24 cm, no pause; d24dd46 read the return run the
    # wrong way, half a step off: 10 of 20 right, 6 on the wrong way, 4 missed, 3 extra.
    case = make_case("band-walk", 0, 20)
    assert case.reps[0].params["profile"] == "one" and case.reps[0].params["pause_s"] == 0.0
    from hiplevel.analysis import analyze

    counts, outcomes = judge_case(case.reps, analyze(case.series(), "band-walk", keep_trace=False).reps)
    assert [o.status for o in outcomes] == [FOUND] * len(case.reps)
    assert counts[3] == 0  # no extra


def test_slow_lead_then_trail_steps_without_a_pause_go_their_way():
    # Seed 0, case 24: 1.7 s lead-then-trail steps of 16 cm (lead 63 %), no pause; the return run's
    # velocity drifts by -0.19 m/s against 0.22 m/s leads. d24dd46: 10 of 20 right, 4 the wrong way
    # (read as hikes on the other leg), 6 missed; 3d83065: 15 right, the run's first and last steps
    # missed (the drift crosses zero toward the standstills: moves back and forth, outside the
    # re-anchored run). Now the re-anchoring reaches the standstills on either side: all 20.
    case = make_case("band-walk", 0, 24)
    assert case.reps[0].params["profile"] == "lead-trail" and case.reps[0].params["pause_s"] == 0.0
    from hiplevel.analysis import analyze

    counts, outcomes = judge_case(case.reps, analyze(case.series(), "band-walk", keep_trace=False).reps)
    assert [o.status for o in outcomes] == [FOUND] * len(case.reps)
    assert counts[3] == 0  # no extra
