"""Bench section 7's band-walk case of 0.6 s lead-then-trail steps at seed 11 (the 14-seed band
cases): the first step's lead and trail peaked 0.22 s apart, under `min_gap_s` (0.25 s on c7f0724),
and were one move; the run's lead/trail pairing slipped by one (7 of 8 found, 3 on the wrong side).
See `tests/analysis/test_band_walk_quick_lead_trail.py`."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.robustness import _movement_case  # noqa: E402


def test_a_quick_lead_then_trail_run_keeps_its_pairing():
    n, found, side, extra, _ = _movement_case(("band-walk", "step_s", 0.6, 11))[4:]
    assert (found, side, extra) == (n, n, 0)
