"""`hiplevel reanalyze` (and the analysis after a capture) read a recording as `hiplevel analyze`
does, as a stream in bounded memory (`capture.analyse_recording` on `recording.streamed`): what
they store (each set's reps, summary and trace, the data quality with its gaps, the link summary,
the battery) is what the recording decoded whole gave, to the bit."""

from __future__ import annotations

import numpy as np
import pytest
from long_synth import sets_session, write_recording

from hiplevel.capture import analyse_recording
from hiplevel.recording import decode_recording
from hiplevel.store.records import RecordingQuality

import sys  # noqa: E402,I001  (the input tests' fault helpers, next to the recorder)
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "input"))
from recording_synth import corrupt_bytes, flip_bit  # noqa: E402


def _whole(path: Path, thresholds=None):
    """The recording decoded whole and analysed in memory (the path before the stream)."""
    from hiplevel.analysis import analyze_sets
    from hiplevel.cli.inputs import set_markers

    session = decode_recording(path)
    series = session.imu if session.imu is not None and len(session.imu) else session.roll
    numbered, lost, _ = set_markers(session.events, np.asarray(series.t_s, float))
    results = analyze_sets(series, sets=[s[1:] for s in numbered], thresholds=thresholds)
    seq = np.asarray(series.meta["seq"], dtype=float)
    rate = series.sample_rate_hz
    gaps = tuple((float(np.interp(first, seq, series.t_s)), count / rate) for first, count in session.gaps)
    battery = session.status[-1][1].battery_pct if session.status else None
    summary = dict(session.summary(), firmware=session.metadata.get("firmware"),
                   set_numbers=[n for n, *_ in numbered], lost_sets=lost)
    return results, RecordingQuality(session.stats.received, session.stats.lost, gaps), summary, battery


@pytest.fixture(scope="module", params=["lost", "damaged"])
def recording(request, tmp_path_factory):
    """A clinic session with lost packets (two gaps), and the same also with a flipped time bit,
    storage damage in the middle and a torn end."""
    path = tmp_path_factory.mktemp("rec") / f"{request.param}.hlrec"
    if request.param == "lost":
        write_recording(sets_session(), path, lose=((40.0, 43.0), (95.0, 95.4)))
    else:
        write_recording(sets_session(), path, lose=((40.0, 43.0),), edit={300: flip_bit(9, 3)})
        corrupt_bytes(path, 200_000, 300)
        path.write_bytes(path.read_bytes()[:-29])
    return path


def test_the_streamed_analysis_of_a_recording_stores_what_the_whole_decoding_gave(recording) -> None:
    results, quality, summary, battery = analyse_recording(recording)
    w_results, w_quality, w_summary, w_battery = _whole(recording)
    assert summary == w_summary and battery == w_battery
    assert quality == w_quality and len(quality.gaps) >= 1  # the gaps' times and lengths, to the bit
    assert len(results) == len(w_results) == 4
    assert sum(len(r.reps) for r in results) > 40
    for a, b in zip(results, w_results):
        assert a.to_json() == b.to_json()
        for name in ("t_s", "roll_deg", "pitch_deg"):
            assert len(getattr(a, name)) > 1000  # the store keeps the trace
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_the_kept_trace_is_the_trace_pieces_computed_block_by_block(recording, monkeypatch) -> None:
    """The trace a result keeps is filled a block at a time (`offline._kept_trace`: never the whole
    set's `trace_piece`, with its sensor arrays): the same values, across gaps and block edges."""
    from hiplevel.analysis import offline
    from hiplevel.signal.long_trace import build_long_trace
    from hiplevel.signal.orientation import trace_piece
    from hiplevel.recording.streamed import RecordingStream

    with build_long_trace(RecordingStream(recording)) as lt:
        pieces = list(lt.bounds)
        assert len(pieces) >= 2  # a split gap
        parts = [trace_piece(lt, a, b) for a, b in pieces]
        for block in (offline.KEPT_TRACE_BLOCK, 4096, 777):
            monkeypatch.setattr(offline, "KEPT_TRACE_BLOCK", block)
            t, roll, pitch = offline._kept_trace(lt, pieces, 0.25)
            np.testing.assert_array_equal(t, np.concatenate([p.t_s for p in parts]))
            np.testing.assert_array_equal(roll, np.concatenate([p.roll_deg for p in parts]) - 0.25)
            np.testing.assert_array_equal(pitch, np.concatenate([p.pitch_deg for p in parts]))
