"""A long recording is analysed chunk by chunk in bounded memory with the results of the whole-file
analysis (docs/analysis.md, "Long recordings"): the same reps, sides, scores and flags, drops within
0.01 deg. Chunk sizes are shrunk (`SMALL`, `OTHER`) so that minutes of simulated session are cut
as an hour would be; each test checks that the cutting really happened."""

from __future__ import annotations

import numpy as np
import pytest
from long_synth import OTHER, SMALL, assert_same_reps, cut, pauses, sets_session, write_recording

from hiplevel.analysis import analyze, analyze_sets, analyze_source
from hiplevel.analysis.chunked import plan_detection
from hiplevel.cli.inputs import load_recording
from hiplevel.recording import decode_recording
from hiplevel.recording.streamed import RecordingStream
from hiplevel.samples import RollSeries
from hiplevel.signal.long_trace import build_long_trace, series_source

# A split gap inside a walk (a 3 s link outage) and a bridged 80 ms hole.
HOLES = ((40.0, 43.0), (90.0, 90.08))


def test_a_walk_with_pauses_is_analysed_in_chunks_with_the_same_reps() -> None:
    series = cut(pauses().imu, HOLES)
    with build_long_trace(series_source(series), chunking=SMALL) as lt:
        assert all(len(s.plan.chunks) >= 2 for s in lt.segments) and lt.unconverged == 0
        assert lt.store.spilled_bytes > 0  # the passes read their arrays back from files
        chunks, forced = plan_detection(lt, *lt.bounds[-1], "walking")
        assert len(chunks) >= 2 and forced == 0  # cut at the quiet standing between walks
    whole = analyze(series, "walking")
    assert [g.interpolated for g in whole.gaps] == [False, True]
    assert assert_same_reps([whole], [analyze(series, "walking", chunking=SMALL)]) >= 120
    assert_same_reps([whole], [analyze(series, "walking", chunking=OTHER)])


def test_the_sets_of_a_session_recording_with_a_lost_stretch_are_the_same_in_chunks(tmp_path) -> None:
    """A recording as the recorder writes it (set markers, device clock, packets), with 3 s of
    packets lost in the band walk: read as a stream in two passes and analysed in chunks, the sets'
    neutrals, reps and gaps are those of the recording decoded and analysed whole."""
    sim = sets_session()
    path = write_recording(sim, tmp_path / "session.hlrec", lose=((40.0, 43.0),))
    series = decode_recording(path).imu
    loaded = load_recording(path)  # what `hiplevel analyze` reads: the stream, not a series
    assert loaded.series is None and isinstance(loaded.source, RecordingStream)
    assert [s[0] for s in loaded.sets] == ["walking", "band-walk", "single-leg-stance", "walking"]
    whole = analyze_sets(series, loaded.sets)
    assert any(not g.interpolated for g in whole[1].gaps)
    assert all(len(r.reps) >= 3 for r in whole)  # the band walk and the holds found reps too
    with build_long_trace(series_source(series), chunking=SMALL) as lt:
        assert sum(len(s.plan.chunks) for s in lt.segments) >= 4
        cuts = [lt.time_at(s.offset + c.start) for s in lt.segments for c in s.plan.chunks[1:]]
        _, hold_start, hold_end = loaded.sets[2]
        assert any(hold_start < t < hold_end for t in cuts)  # the holds are fused across a cut
    assert assert_same_reps(whole, analyze_source(loaded.source, loaded.sets, chunking=SMALL)) >= 60
    assert_same_reps(whole, analyze_source(RecordingStream(path), loaded.sets, chunking=OTHER))


def test_the_device_roll_stream_is_the_same_in_chunks() -> None:
    truth = pauses().truth
    keep = (truth.t_s < 60.0) | (truth.t_s >= 61.0)
    roll = RollSeries(truth.t_s[keep], truth.roll_deg[keep], truth.pitch_deg[keep])
    with build_long_trace(series_source(roll), chunking=SMALL) as lt:
        assert len(lt.segments) == 2 and all(len(s.plan.chunks) >= 2 for s in lt.segments)
    whole = analyze(roll, "walking")
    assert assert_same_reps([whole], [analyze(roll, "walking", chunking=SMALL)]) >= 100


def test_the_trace_kept_for_reports_is_the_same_in_chunks() -> None:
    series = cut(pauses().imu, HOLES)
    whole, chunked = analyze(series, "walking"), analyze(series, "walking", chunking=SMALL)
    np.testing.assert_array_equal(whole.t_s, chunked.t_s)
    np.testing.assert_allclose(chunked.roll_deg, whole.roll_deg, atol=0.01)
    assert len(whole.t_s) == sum(b - a for a, b in build_long_trace(series_source(series)).bounds)


@pytest.mark.parametrize("chunking", [None, SMALL])
def test_without_the_trace_only_the_reps_come_back(chunking) -> None:
    res = analyze(pauses().imu, "walking", keep_trace=False, chunking=chunking)
    assert len(res.reps) >= 120 and len(res.t_s) == len(res.roll_deg) == 0


def test_a_chunked_walk_builds_each_chunks_motion_once(monkeypatch) -> None:
    # The walking detector's first run over a chunk keeps all its second run needs (`prepare`):
    # the second (`finish`) and the scoring of its steps read no motion.
    import hiplevel.analysis.chunked as chunked

    series = cut(pauses().imu, HOLES)
    built: list[tuple[int, int]] = []
    piece = chunked.trace_piece
    monkeypatch.setattr(chunked, "trace_piece", lambda lt, a, b, **kw: built.append((a, b)) or piece(lt, a, b, **kw))
    res = analyze(series, "walking", chunking=SMALL)
    assert len(res.reps) >= 120
    assert len(built) >= 3 and len(set(built)) == len(built)


def test_a_chunk_measures_only_the_bouts_whose_reps_it_keeps(monkeypatch) -> None:
    """Each chunk of a chunked walk measures only the bouts whose reps may start in its own samples
    (`walking_bouts.reps_may_start_in`; the others belong to the chunk before or after it): some
    bouts of the overlaps are left out, and the analysis is the same to the byte as when every bout
    of every chunk is measured."""
    import json

    from hiplevel.exercises import walking_bouts

    series = cut(pauses().imu, HOLES)
    real = walking_bouts.reps_may_start_in
    left_out: list[int] = []

    def counting(p, bouts, cues, keep):
        kept = real(p, bouts, cues, keep)
        left_out.append(len(bouts) - len(kept[0]))
        return kept

    monkeypatch.setattr(walking_bouts, "reps_may_start_in", counting)
    mine = analyze(series, "walking", keep_trace=False, chunking=SMALL)
    monkeypatch.setattr(walking_bouts, "reps_may_start_in", lambda p, bouts, cues, keep: real(p, bouts, cues, None))
    every = analyze(series, "walking", keep_trace=False, chunking=SMALL)
    assert len(left_out) >= 2 and sum(left_out) > 0
    assert len(mine.reps) >= 120 and json.dumps(mine.to_json()) == json.dumps(every.to_json())
