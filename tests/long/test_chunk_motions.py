"""The detection chunks' motions (`chunked.ChunkMotions`): the rows of `offline.motion_of` that
depend on each sample alone (the pitch's cosine and sine, the sensor's up-vectors, the linear
acceleration) are made once for the samples two neighbouring chunks share, and each chunk's motion
is the one `motion_of` makes of the chunk's piece alone, to the bit (docs/analysis.md, "Stop 42b")."""

from __future__ import annotations

import json

import numpy as np
from long_synth import SMALL, cut, pauses

from hiplevel.analysis import analyze, chunked, offline
from hiplevel.signal.long_trace import build_long_trace, series_source
from hiplevel.signal.orientation import trace_piece

HOLES = ((40.0, 43.0), (90.0, 90.08))
NEUTRAL_DEG = 1.3


def _same(a: np.ndarray, b: np.ndarray, what: str) -> None:
    assert a.shape == b.shape and a.tobytes() == b.tobytes(), what


def test_each_chunks_motion_is_its_pieces_motion_to_the_bit() -> None:
    series = cut(pauses().imu, HOLES)
    with build_long_trace(series_source(series), chunking=SMALL) as lt:
        chunks, _ = chunked.plan_detection(lt, *lt.bounds[-1], "walking")
        assert len(chunks) >= 3
        motions = chunked.ChunkMotions(lt, chunks, NEUTRAL_DEG)
        joined = 0
        for c in [*chunks, chunks[0], chunks[2]]:  # then out of order: made whole, the same
            joined += motions.kept is not None and motions.kept[0] == c.lo
            got = motions(c)
            want = offline.motion_of(trace_piece(lt, c.lo, c.hi), 0, c.hi - c.lo, NEUTRAL_DEG)
            for f in ("t_s", "roll_deg", "pitch_deg", "acc_lin_g", "gyro_dps", "still", "sensor_up", "up"):
                _same(getattr(got, f), getattr(want, f), f)
            for x, y in zip(got.pitch_terms, want.pitch_terms):
                _same(x, y, "pitch_terms")
        assert joined == len(chunks) - 1


def test_a_chunked_walk_takes_the_sines_of_each_sample_once(monkeypatch) -> None:
    series = cut(pauses().imu, HOLES)
    before = json.dumps(analyze(series, "walking", chunking=SMALL, keep_trace=False).to_json(), default=str)
    made: list[int] = []
    real = offline.pitch_terms
    monkeypatch.setattr(offline, "pitch_terms", lambda p, **kw: made.append(len(p)) or real(p, **kw))
    res = analyze(series, "walking", chunking=SMALL, keep_trace=False)
    with build_long_trace(series_source(series), chunking=SMALL) as lt:
        bounds = lt.bounds
        spans = [chunked.plan_detection(lt, a, b, "walking")[0] for a, b in bounds]
    # Each segment's samples once (main took the overlaps of its chunks twice).
    assert sum(made) == sum(cs[-1].hi - cs[0].lo for cs in spans) < sum(c.hi - c.lo for cs in spans for c in cs)
    assert json.dumps(res.to_json(), default=str) == before
