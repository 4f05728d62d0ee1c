"""Clamshell sets judged by their rhythm (issue 14; stop 33).

What lost whole reps of real sets on main (`ClamshellDetector.in_sets`, the physics check seeds 0
and 1: 26 of 45 misses were bumps found, then dropped there):
- a lying fidget between two reps (0.4-0.7 deg, shorter than a rep) broke the run's pace, and the
  reps before it, too few for a set, were lost; it is now left out when it is unlike the run's reps;
- a rep too small to see left a gap of two intervals that broke the run the same way: a gap of
  two paces now counts as two intervals;
- the run's sizes were judged as its largest over its smallest: over 10-15 reps a person's
  roll-backs drift, and the reps past the drift, split off, were lost;
- a fast rep (opening 0.35-0.5 s with no hold, the physics check's 1 s reps) measures 0.6-0.75 s
  between its 10 % edges, under `min_rep_s` 0.8 s.
"""

import pytest

from hiplevel.analysis import analyze
from hiplevel.sim import ClamshellStrategy, ExerciseSpec, SessionSpec, match_reps, simulate_session


def _counts(strategy: ClamshellStrategy, seeds) -> tuple[int, int, int]:
    true = found = extra = 0
    for seed in seeds:
        sim = simulate_session(SessionSpec([ExerciseSpec("clamshell", reps=10, sets=2, strategy=strategy)],
                                           rate_hz=100.0, seed=seed, mount_offset_deg=(2.0, -2.0, 3.0), rest_s=4.0))
        pairs, _, extras = match_reps(sim.reps, analyze(sim.imu, "clamshell").reps)
        assert all(t.side == r.side for t, r in pairs)
        true, found, extra = true + len(sim.reps), found + len(pairs), extra + len(extras)
    return true, found, extra


def test_fast_reps_are_counted():
    # Openings of 0.15 s with the simulator's 0.45 s hold: reps of ~0.85 s, the physics check's
    # fastest. main: 72 of 80; now 79, no extras.
    true, found, extra = _counts(ClamshellStrategy(open_s=0.15, fidget_deg=0.1), range(4))
    assert true == 80
    assert found >= 78
    assert extra == 0


@pytest.mark.parametrize("strategy,seed", [
    # main: 17 of 20 (the reps drift 0.74-2.51 deg over the set: its last three, split off, lost); now 20.
    (ClamshellStrategy(fidget_deg=0.2, still_s=1.0), 18),
    # main: 17 of 20; now 19.
    (ClamshellStrategy(rollback_deg=0.8, fidget_deg=0.15, still_s=1.0), 17),
])
def test_sets_under_a_lying_fidget_keep_their_reps(strategy, seed):
    true, found, extra = _counts(strategy, [seed])
    assert true == 20
    assert found >= 19
    assert extra == 0
