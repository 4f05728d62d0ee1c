"""Section 7's robustness table (issue 14 item 5): every movement parameter of a strategy that has a
human range is swept past both ends of it, so that its row can show the margin; the quiet lift
(no rise of the pelvis at foot-off) and the pelvis wandering on one leg have rows of their own; and
a range kept out of the draws leaves the drawn strategies as they were."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.robustness_cases import MOVEMENT  # noqa: E402
from hiplevel.sim import HUMAN_RANGES  # noqa: E402
from hiplevel.sim.strategies import draw_strategy, is_strategy_field  # noqa: E402


def test_every_strategy_range_of_single_leg_stance_is_swept_with_margin():
    swept = MOVEMENT["single-leg-stance"]
    for name, r in HUMAN_RANGES["single-leg-stance"].items():
        if not is_strategy_field("single-leg-stance", name):
            continue
        assert name in swept, f"{name} has a human range but no robustness row"
        values = swept[name]
        assert min(values) <= r.lo and max(values) > r.hi, (name, values, r)
        assert min(values) < r.lo or r.lo == 0.0, (name, values, r)  # a value below the range, unless it starts at none
    assert 0.0 in swept["lift_mm"]  # the quiet lift: no rise at all


def test_a_range_kept_out_of_the_draws_leaves_the_draws_unchanged():
    rng = np.random.default_rng(11)
    drawn = [draw_strategy("single-leg-stance", rng) for _ in range(5)]
    assert all(s.wander_mm == 0.0 for s in drawn)  # not drawn: the strategy's default
    assert len({s.lift_mm for s in drawn}) == 5  # drawn as before


def test_a_run_that_sweeps_no_scene_gives_no_scene_row():
    # `--param` runs pick strategy rows only: the scene sweep then has no results (it indexed an empty list).
    from bench.robustness import _scene_rows

    assert _scene_rows([]) == []
