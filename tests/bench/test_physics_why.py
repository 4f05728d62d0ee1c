"""`python -m bench.physics --why`: each single-leg hold missed or judged wrong is listed with the
candidates turned down over it and the check of `hiplevel.exercises.stance_checks` that did; the
default output does not change (other tools parse it)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.physics.__main__ import main  # noqa: E402
from bench.physics.judging import MISSED  # noqa: E402
from bench.physics.run import run_case  # noqa: E402
from bench.physics.why import overlapping, why_lines  # noqa: E402
from hiplevel.exercises.stance_checks import EDGE_GATES, JOINED_UNSEEN, VELOCITY_DROPS, VELOCITY_GATES  # noqa: E402

CHECKS = {k.name for k in EDGE_GATES + VELOCITY_GATES + VELOCITY_DROPS} | {JOINED_UNSEEN}


def test_a_missed_hold_is_listed_with_the_checks_that_turned_its_candidates_down():
    # Seed 1 case 9: its third hold (right, 46.3-53.1 s) is missed; the velocity path's candidates over
    # it were turned down. (Seed 0 case 3's fourth hold, the example until stop 42, is found since
    # `stance_edges.displaced_pair`.)
    job = ("single-leg-stance", 1, 9)
    plain, why = run_case(job), run_case(job, why=True)
    assert "why" not in plain
    assert (why["counts"], why["reps"]) == (plain["counts"], plain["reps"])  # recording changes nothing
    assert [status for _, status, *_ in plain["reps"]].count(MISSED) == 1
    lines = why["why"]
    assert lines[0].startswith("    missed: right stance 46.31-53.05 s")
    named = [m.group(1) for line in lines[1:] if (m := re.match(r"\s+(\w+) \((velocity|edge)\) ", line))]
    assert named and set(named) <= CHECKS


def test_why_lists_only_the_candidates_over_each_hold_not_found_right():
    rejected = [("velocity", "support_vote", 1.0, 4.0), ("edge", "one_level", 9.0, 12.0),
                ("velocity", "sway_unseen", 3.0, 6.0), ("velocity", "support_vote", 1.0, 4.0)]
    assert overlapping(rejected, 3.5, 5.0) == [("velocity", "support_vote", 1.0, 4.0),
                                               ("velocity", "sway_unseen", 3.0, 6.0)]
    reps = [({}, "found", 0, "left", 0.0, 5.0), ({}, MISSED, 0, "right", 5.5, 8.0)]
    assert why_lines(reps, rejected, (MISSED,)) == [
        "    missed: right stance 5.50-8.00 s: 1 candidate(s) turned down",
        "      sway_unseen (velocity) 3.00-6.00 s"]


def test_the_default_output_is_unchanged_and_why_only_adds_its_section(capsys):
    args = ["--n", "1", "--seed", "0", "--exercise", "single-leg-stance"]
    main(args)
    plain = capsys.readouterr().out
    main(args + ["--why"])
    why = capsys.readouterr().out
    assert "why (" not in plain
    head, timing = plain.rsplit("\n[physics]", 1)
    assert why.startswith(head + "\nsingle-leg-stance: why (")
    assert "\n[physics]" in why[len(head):]
