"""The detection chunks' pieces of the trace (`chunked._ChunkPieces`): the rows two neighbouring
chunks share are built once, and each chunk's piece is the one `trace_piece` builds over the chunk
alone, to the bit (every row of a piece depends on its own sample: docs/analysis.md, "Stop 40a")."""

from __future__ import annotations

import json

import numpy as np
from long_synth import SMALL, cut, pauses

from hiplevel.analysis import analyze
from hiplevel.analysis import chunked
from hiplevel.signal.long_trace import build_long_trace, series_source
from hiplevel.signal.orientation import ROW_FIELDS, trace_piece

HOLES = ((40.0, 43.0), (90.0, 90.08))


def test_each_chunks_piece_is_its_trace_piece_to_the_bit() -> None:
    series = cut(pauses().imu, HOLES)
    with build_long_trace(series_source(series), chunking=SMALL) as lt:
        chunks, _ = chunked.plan_detection(lt, *lt.bounds[-1], "walking")
        assert len(chunks) >= 3
        pieces = chunked._ChunkPieces(lt, chunks)
        joined = 0
        for c in chunks:
            joined += pieces.kept is not None
            got, want = pieces(c), trace_piece(lt, c.lo, c.hi)
            for f in ROW_FIELDS:
                np.testing.assert_array_equal(getattr(got, f), getattr(want, f), err_msg=f)
            assert (got.standing, got.segments, got.mount_yaw_deg) == (want.standing, want.segments, want.mount_yaw_deg)
        assert joined == len(chunks) - 1
        # Out of order (a chunk's motion built again in the second run): built whole, the same.
        for f in ROW_FIELDS:
            np.testing.assert_array_equal(getattr(pieces(chunks[0]), f), getattr(trace_piece(lt, chunks[0].lo,
                                                                                               chunks[0].hi), f))


def test_a_chunked_walk_builds_the_shared_rows_once(monkeypatch) -> None:
    series = cut(pauses().imu, HOLES)
    built: list[tuple[int, int]] = []
    real = chunked.trace_piece
    before = json.dumps(analyze(series, "walking", chunking=SMALL, keep_trace=False).to_json(), default=str)
    monkeypatch.setattr(chunked, "trace_piece", lambda lt, a, b, **kw: built.append((a, b)) or real(lt, a, b, **kw))
    res = analyze(series, "walking", chunking=SMALL, keep_trace=False)
    with build_long_trace(series_source(series), chunking=SMALL) as lt:
        chunks, _ = chunked.plan_detection(lt, *lt.bounds[-1], "walking")
        span = sum(c.hi - c.lo for c in chunks)
    # Each sample of the last segment's chunks built once (main built the overlaps twice): the
    # ranges built from its first chunk on follow each other without overlapping.
    last = [(a, b) for a, b in built if a >= chunks[0].lo]
    assert sum(b - a for a, b in last) == chunks[-1].hi - chunks[0].lo < span
    assert all(b0 == a1 for (_, b0), (a1, _) in zip(last, last[1:])), (last, chunks)
    assert json.dumps(res.to_json(), default=str) == before
