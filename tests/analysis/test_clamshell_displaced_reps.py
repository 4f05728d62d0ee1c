"""Clamshell reps a lying fidget displaces (issue 14; stop 34).

A lying fidget on one flank of a rep moves the rep's bump, not the set's beat:
- its half-height centre moves by up to half a second, so the interval before it shortens and the
  one after it lengthens by as much; judged as longest / shortest the pair broke a steady set's pace
  (physics check seed 0 case 26: 3.00 then 4.57 s at a 3.7 s pace, its last two reps lost). The
  pair is now judged by its mean (`clamshell.displaced_centres`);
- its 10 % edge runs on into the fidget, 0.5-1.2 s past the rep, and the reported window's midpoint
  left the rep (a miss and an extra at once): the reported edges now lie within
  `MAX_EDGE_HALF_WIDTHS` half-height widths of the bump's half-height centre (`clamshell.rep_edges`).
A fidget between two reps splits one pace, not two, and is still left out.
"""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.clamshell import ClamshellDetector
from hiplevel.sim import ClamshellStrategy, ExerciseSpec, SessionSpec, match_reps, simulate_session

# Physics check seed 0 case 26, its right side: the bumps' half-height centres and widths (s) and
# peaks (deg) as `detect` hands them to `in_sets`; the ninth's centre is pulled 0.7 s early.
CENTRES_S = [4.64, 8.52, 11.66, 15.83, 19.36, 23.57, 27.14, 30.95, 33.96, 38.52, 42.14]
WIDTHS_S = [1.42, 1.15, 1.42, 1.23, 1.39, 1.25, 1.57, 1.88, 1.95, 1.45, 1.29]
PEAKS_DEG = [1.09, 0.70, 0.78, 1.06, 1.00, 0.73, 0.83, 1.01, 0.60, 1.15, 0.80]


def _bumps(centres, widths, peaks, rate_hz=100.0):
    found = [(int((c - w) * rate_hz), int((c + w) * rate_hz), p) for c, w, p in zip(centres, widths, peaks)]
    return found, list(zip(centres, widths))


def test_a_displaced_centre_keeps_its_set():
    found, spans = _bumps(CENTRES_S, WIDTHS_S, PEAKS_DEG)
    # main: the first 9 kept, the last two (4.57 s after a 3.00 s interval: 1.52x) lost.
    assert ClamshellDetector().in_sets(found, spans) == found


def test_a_fidget_between_reps_is_still_left_out():
    # The same set with a 0.45 deg, 0.6 s fidget 1.6 s after its fifth rep: its two intervals sum to
    # one pace, not two.
    k = 5
    centres = CENTRES_S[:k] + [CENTRES_S[k - 1] + 1.6] + CENTRES_S[k:]
    widths = WIDTHS_S[:k] + [0.6] + WIDTHS_S[k:]
    peaks = PEAKS_DEG[:k] + [0.45] + PEAKS_DEG[k:]
    found, spans = _bumps(centres, widths, peaks)
    kept = ClamshellDetector().in_sets(found, spans)
    assert found[k] not in kept
    assert kept == found[:k] + found[k + 1 :]


def _session(strategy: ClamshellStrategy, seed: int):
    sim = simulate_session(SessionSpec([ExerciseSpec("clamshell", reps=10, sets=2, strategy=strategy)],
                                       rate_hz=100.0, seed=seed, mount_offset_deg=(2.0, -2.0, 3.0), rest_s=4.0))
    m = match_reps(sim.reps, analyze(sim.imu, "clamshell").reps)
    assert all(t.side == r.side for t, r in m.pairs)
    return len(sim.reps), len(m.pairs), len(m.extra)


@pytest.mark.parametrize("strategy,seed,least", [
    # A 0.25 deg SD lying fidget (human 0.05-0.2: the edge of the range) under 0.8 deg
    # roll-backs: main 14 of 20 (a run broken by one displaced centre), and 19 of 20.
    (ClamshellStrategy(fidget_deg=0.25, rollback_deg=0.8), 7, 19),
    (ClamshellStrategy(fidget_deg=0.25, rollback_deg=0.8), 10, 20),
])
def test_sim_sets_with_a_displaced_rep_keep_it(strategy, seed, least):
    true, found, extra = _session(strategy, seed)
    assert (true, extra) == (20, 0)
    assert found >= least


def test_sim_fast_reps_under_a_fidget_are_reported_where_they_are():
    # Openings of 0.15 s (reps of ~0.85 s, the physics check's fastest) under a 0.2 deg lying
    # fidget: main found 17 of 20 and reported 3 extras, the same three reps' windows carried off
    # them by a fidget (a miss and an extra each).
    true, found, extra = _session(ClamshellStrategy(open_s=0.15, fidget_deg=0.2), 7)
    assert (true, found, extra) == (20, 20, 0)
