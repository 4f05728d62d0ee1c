"""Benchmark judging of single-leg-stance holds (sections 1 and 7): a hold's length is the hold time
the clinician reads, so a found hold counts only when its span gives that time; a fragment whose
midpoint falls inside the true hold (the old rule's only test) is a miss. Other exercises keep the
midpoint rule."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.metrics import hold_span_right  # noqa: E402
from bench.robustness import judge_reps  # noqa: E402
from bench.sim_accuracy import Tally, _rows  # noqa: E402
from hiplevel.scoring.reps import Rep  # noqa: E402
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session  # noqa: E402


@pytest.mark.parametrize("found, right", [
    ((9.9, 19.9), True),     # the detector's usual edges: 0.1-0.2 s early
    ((11.9, 20.0), True),    # 81 % of the hold
    ((12.5, 20.0), False),   # 75 %: the time read is a quarter short
    ((10.0, 22.5), False),   # 2.5 s past a 10 s hold: a quarter long
    ((14.0, 16.0), False),   # a fragment around the middle (the midpoint rule found it)
    ((8.0, 30.0), False),    # two holds' worth
])
def test_hold_span_gives_the_hold_time_within_a_fifth(found, right):
    assert hold_span_right((10.0, 20.0), found) is right


def _found_from_truth(truth, span) -> list[Rep]:
    """Found reps on the truth's side and direction, each over span(true rep) = (start, end), s."""
    return [Rep(i, *span(t), t.side, t.drop_deg, 100.0, details={"direction": t.direction})
            for i, t in enumerate(truth)]


def _sim(exercise: str, **kw):
    return simulate_session(SessionSpec([ExerciseSpec(exercise, **kw)], rate_hz=50.0, seed=11, rest_s=2.0)).reps


def test_a_fragment_of_a_hold_is_a_miss_not_a_find():
    truth = _sim("single-leg-stance", reps=2, hold_s=10.0)
    assert len(truth) == 2 and all(t.hold_s for t in truth)
    whole = _found_from_truth(truth, lambda t: (t.start_s - 0.15, t.end_s - 0.1))
    assert judge_reps(truth, whole) == (2, 2, 2, 0, 0)
    # The first hold found as its first 2 s only (its midpoint still inside the true hold).
    cut = [Rep(0, truth[0].start_s + 0.5, truth[0].start_s + 2.5, truth[0].side, truth[0].drop_deg, 100.0)] + whole[1:]
    assert judge_reps(truth, cut) == (2, 1, 1, 0, 1)


def test_steps_keep_the_midpoint_rule():
    truth = _sim("walking", reps=6)
    assert truth and all(t.hold_s is None for t in truth)
    short = _found_from_truth(truth, lambda t: (0.5 * (t.start_s + t.end_s) - 0.05, 0.5 * (t.start_s + t.end_s) + 0.05))
    n = len(truth)
    assert judge_reps(truth, short) == (n, n, n, 0, 0)


def test_section_1_says_why_a_hold_was_not_found():
    rows = _rows("single-leg-stance", "1 set", Tally(n_true=2, n_found=1, n_side=1, n_wrong_time=1))
    found = next(r for r in rows if r.metric == "reps found / true")
    assert found.hiplevel.startswith("1/2") and found.status == "MISS"
    assert "1 holds matched with the hold time off by > 20%" in found.note
