"""Recordings for the bounded-memory analysis tests: simulated sessions long enough to be cut into
chunks once the chunk sizes are shrunk (`SMALL`), and the comparison of two analyses."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

from hiplevel.signal.chunk_plan import ChunkSettings
from hiplevel.sim import ExerciseSpec, SessionSpec, SimSession, simulate_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "input"))
from recording_synth import write_recording  # noqa: E402  (the input tests' recorder, reused)

# Minutes cut as hours would be: blocks of 10-15 s, fusion chunks of 40 s, walking detected in
# pieces of 30-60 s (the walks below pause every 20-30 s); the other exercises' sets stay whole,
# as with the defaults (a held single-leg stance is still for longer than a cut needs).
SMALL = ChunkSettings(grid_block_samples=1000, store_block_samples=1500, ram_budget_bytes=0,
                      fusion_max_samples=3000, fusion_chunk_samples=4000, walking_detect_max_s=45.0,
                      detect_max_s=600.0, detect_chunk_s=60.0)
# The same with other sizes (the results must not depend on them either).
OTHER = ChunkSettings(grid_block_samples=777, store_block_samples=512, ram_budget_bytes=40_000,
                      fusion_max_samples=2000, fusion_chunk_samples=2600, walking_detect_max_s=30.0,
                      detect_max_s=600.0, detect_chunk_s=40.0)
DROP_TOL_DEG = 0.01

__all__ = ["DROP_TOL_DEG", "OTHER", "SMALL", "assert_same_reps", "pauses", "sets_session", "write_recording"]


@lru_cache(maxsize=2)
def pauses(seed: int = 21) -> SimSession:
    """Five walks of 26-34 steps with quiet standing between (about 2.5 min at 100 Hz), a weak
    right hip and turns: daily-life walking in miniature."""
    walks = [ExerciseSpec("walking", reps=26 + 2 * k, weak_side="right", drop_deg=8.0, turn_every_steps=12)
             for k in range(5)]
    return simulate_session(SessionSpec(walks, rate_hz=100.0, seed=seed))


@lru_cache(maxsize=2)
def sets_session(seed: int = 22) -> SimSession:
    """Walking, band walk, single-leg stance, walking (weak left hip): a clinic session."""
    return simulate_session(SessionSpec([ExerciseSpec("walking", reps=30, weak_side="left"),
                                         ExerciseSpec("band-walk", reps=10, weak_side="left"),
                                         ExerciseSpec("single-leg-stance", reps=3, weak_side="left"),
                                         ExerciseSpec("walking", reps=30, weak_side="left")],
                                        rate_hz=100.0, seed=seed))


def assert_same_reps(whole, chunked) -> int:
    """The meaning of "identical": per set the same reps (start and end to the sample, stance and
    measured side, score, flags, phases, and every detector metric), drops within DROP_TOL_DEG.
    Returns the number of reps compared (so a caller can insist there were some)."""
    assert len(whole) == len(chunked)
    n = 0
    for a, b in zip(whole, chunked):
        assert len(a.reps) == len(b.reps), (a.exercise, len(a.reps), len(b.reps))
        for r, q in zip(a.reps, b.reps):
            assert (r.index, r.start_s, r.end_s, r.side, r.score, r.flags) == (q.index, q.start_s, q.end_s, q.side,
                                                                              q.score, q.flags)
            assert abs(r.drop_deg - q.drop_deg) <= DROP_TOL_DEG
            assert r.details.keys() == q.details.keys()
            for key, v in r.details.items():
                w = q.details[key]
                if isinstance(v, float) and isinstance(w, float):
                    assert abs(v - w) <= DROP_TOL_DEG, (key, v, w)
                else:
                    assert v == w, (key, v, w)
            assert [(p.stance, p.start_s, p.end_s, p.score, p.flags) for p in r.phases] == \
                [(p.stance, p.start_s, p.end_s, p.score, p.flags) for p in q.phases]
            assert all(abs(p.drop_deg - s.drop_deg) <= DROP_TOL_DEG for p, s in zip(r.phases, q.phases))
        assert a.summary["reps"] == b.summary["reps"] if "reps" in a.summary else True
        assert abs(a.neutral_roll_deg - b.neutral_roll_deg) <= DROP_TOL_DEG
        assert [(g.start_s, g.end_s, g.interpolated) for g in a.gaps] == [(g.start_s, g.end_s, g.interpolated)
                                                                          for g in b.gaps]
        n += len(a.reps)
    return n


def cut(series, spans: tuple[tuple[float, float], ...]):
    """The series without the samples in the (start_s, end_s) spans (holes in the data)."""
    keep = np.ones(len(series), bool)
    for a, b in spans:
        keep &= (series.t_s < a) | (series.t_s >= b)
    return type(series)(series.t_s[keep], series.acc_g[keep], series.gyro_dps[keep])
