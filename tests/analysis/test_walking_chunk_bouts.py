"""Walking in a chunk of a long set: the bouts a chunk leaves out (`walking_bouts.reps_may_start_in`)
are only ever ones none of whose reps starts in the chunk's own samples (`analysis.chunked` keeps the
reps that start there), including the initiation swing before a bout's first contact and the
termination swing after its last."""

from __future__ import annotations

import pytest

from hiplevel.analysis.offline import motion_of
from hiplevel.exercises.walking import WalkingDetector
from hiplevel.exercises.walking_bouts import reps_may_start_in
from hiplevel.signal.orientation import trace_from_imu
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec


@pytest.mark.parametrize("seed", [2, 7])
def test_a_bout_with_a_rep_starting_in_the_kept_samples_is_measured(seed: int) -> None:
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=14, sets=3)], seed=seed, rest_s=6.0))
    trace = trace_from_imu(sim.imu)
    m = motion_of(trace, 0, len(trace.t_s), trace.standing_roll_deg)
    det = WalkingDetector()
    bouts, cues, soft, _ = det.bout_cues(m)
    assert len(bouts) >= 3
    edges = 0
    for i, c in enumerate(bouts):
        reps = det._bout_reps(m, c, int(c[0]) in soft)
        edges += sum(1 for r in reps if r[3])
        for a in {r[0] for r in reps}:
            kept, _ = reps_may_start_in(det, bouts, cues, (a, a + 1))
            assert any(k is c for k in kept), (i, a, int(c[0]), int(c[-1]))
    assert edges >= 2  # initiation and termination swings were among the reps checked
    # A stretch between two bouts holds none of their reps: both are left out.
    gap = (int(bouts[0][-1]) + 300, int(bouts[1][0]) - 300)
    assert gap[1] > gap[0]
    kept, _ = reps_may_start_in(det, bouts, cues, gap)
    assert not any(k is bouts[0] or k is bouts[1] for k in kept)
    assert reps_may_start_in(det, bouts, cues, None)[0] == list(bouts)


def test_a_chunk_measures_the_side_cues_of_its_own_bouts_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cues of a bout a chunk leaves out are not measured (`WalkingDetector.prepare`); those of
    # the bouts it keeps are the ones `bout_cues` gives, to the bit.
    import numpy as np

    from hiplevel.exercises.walking_side import StanceSideDecider

    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=14, sets=3)], seed=2, rest_s=6.0))
    trace = trace_from_imu(sim.imu)
    m = motion_of(trace, 0, len(trace.t_s), trace.standing_roll_deg)
    det = WalkingDetector()
    bouts, cues, _, _ = det.bout_cues(m)
    keep = (int(bouts[1][0]), int(bouts[1][-1]))  # the second bout's span: the first and last bouts are left out
    want = reps_may_start_in(det, bouts, cues, keep)[1]
    assert 0 < len(want) < len(bouts)
    measured = []
    real = StanceSideDecider.cues
    monkeypatch.setattr(StanceSideDecider, "cues", lambda self, m_, c: measured.append(c) or real(self, m_, c))
    draft = det.prepare(m, keep=keep)
    assert len(measured) == len(want)
    assert len(draft.cues) == len(want)
    for got, ref in zip(draft.cues, want):
        assert sorted(got) == sorted(ref) and all(np.array_equal(got[k], ref[k]) for k in ref)
