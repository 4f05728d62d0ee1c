"""`trace_passes._fuse_imu` stores a chunk's first up-vectors only up to the first chunk with a
turn (from there the turn fit fuses the segment again). When the fit then gives no correction (an
implausible estimate), the chunks from the first turn on are fused again as before: the trace must
be the first fusion's, exactly as a trace built without the turn fit."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal import trace_passes
from hiplevel.signal.chunk_plan import ChunkSettings
from hiplevel.signal.fusion import FusionSettings
from hiplevel.signal.long_trace import build_long_trace, series_source
from hiplevel.signal.turns import NO_ERRORS
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session


def _ups(series, fusion: FusionSettings, chunking: ChunkSettings) -> tuple[np.ndarray, int, int]:
    with build_long_trace(series_source(series), fusion, chunking=chunking) as lt:
        return lt.up(0, lt.n), len(lt.segments[0].plan.chunks), lt.segments[0].errors.n_turns


@pytest.fixture(scope="module", params=["turns from the start", "a straight walk first"])
def walk(request):
    sets = [ExerciseSpec("walking", reps=120, turn_every_steps=10)]
    if request.param == "a straight walk first":  # chunks stored before the first turn, then not
        sets = [ExerciseSpec("walking", reps=60)] + sets
    return simulate_session(SessionSpec(sets, seed=5)).imu


CHUNKS = ChunkSettings(fusion_max_samples=1500, fusion_chunk_samples=2000)


def test_an_implausible_turn_fit_leaves_the_first_fusion(walk, monkeypatch) -> None:
    plain, n_chunks, _ = _ups(walk, FusionSettings(turn_errors=False), CHUNKS)
    seen = []

    def no_fit(observations):
        seen.extend(o.n_turns for o in observations)
        return NO_ERRORS

    monkeypatch.setattr(trace_passes, "solve_turn_errors", no_fit)
    up, _, n_turns = _ups(walk, FusionSettings(), CHUNKS)
    assert n_chunks >= 3 and n_turns == 0
    assert sum(seen) > 0  # chunks with turns: not stored, fused again
    assert np.array_equal(up, plain)


def test_the_turn_fit_still_corrects(walk) -> None:
    plain, _, _ = _ups(walk, FusionSettings(turn_errors=False), CHUNKS)
    up, _, n_turns = _ups(walk, FusionSettings(), CHUNKS)
    assert n_turns > 0 and up.shape == plain.shape and not np.array_equal(up, plain)
