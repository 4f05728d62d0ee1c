"""A recording is read as a stream in two passes (`recording.streamed`): what it says about itself
(link summary, damage and the samples it took, events, sets) and the samples it hands the analysis
are those of the recording decoded whole (`decode_recording`), whatever its damage."""

from __future__ import annotations

import json

import numpy as np
import pytest
from long_synth import sets_session, write_recording

from hiplevel.cli import main
from hiplevel.recording import decode_recording, read_recording
from hiplevel.recording.reader import scan_recording
from hiplevel.recording.streamed import RecordingStream
from hiplevel.signal.timeline import repair_times

import sys  # noqa: E402,I001  (the input tests' fault helpers, next to the recorder)
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "input"))
from recording_synth import corrupt_bytes, flip_bit  # noqa: E402


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """A session recording with 3 s of lost packets, a flipped time bit, storage damage in the
    middle and a torn end."""
    path = tmp_path_factory.mktemp("rec") / "damaged.hlrec"
    write_recording(sets_session(), path, lose=((40.0, 43.0),), edit={300: flip_bit(9, 3)})
    corrupt_bytes(path, 200_000, 300)
    path.write_bytes(path.read_bytes()[:-29])
    return path


@pytest.mark.parametrize("piece", [7, 1000, 1 << 20])
def test_records_scanned_in_pieces_are_the_file_parsed_whole(damaged, piece) -> None:
    whole = read_recording(damaged)
    _, scan, records = scan_recording(damaged, piece)
    got = list(records)
    assert [(r.kind, r.channel, r.host_time_s, r.data) for r in got] == \
        [(r.kind, r.channel, r.host_time_s, r.data) for r in whole.records]
    assert scan.damage == [d for d in whole.damage if d.offset >= 0] and scan.torn_tail == whole.torn_tail
    assert len(scan.damage) == 1 and scan.torn_tail is not None


def test_the_first_pass_knows_what_the_whole_decoding_knows(damaged) -> None:
    whole = decode_recording(damaged)
    stream = RecordingStream(damaged)
    assert stream.kind == "imu" and stream.samples == len(whole.imu)
    assert stream.session.summary() == whole.summary()
    assert stream.session.damage_summary() == whole.damage_summary()
    assert whole.damage_summary()["samples_lost"] > 0  # the damage took samples: their times matter
    assert stream.session.events == whole.events and stream.session.metadata == whole.metadata
    t = whole.imu.t_s
    assert stream.last_s == t[-1]
    for a, b in ((0.0, 10.0), (39.0, 44.0), (t[123], t[9876]), (t[-1], t[-1] + 1.0), (-5.0, 1e9)):
        assert stream.count_between(a, b) == int(np.searchsorted(t, b) - np.searchsorted(t, a))


def test_the_second_pass_hands_on_the_repaired_samples(damaged) -> None:
    whole = decode_recording(damaged).imu
    stream = RecordingStream(damaged)
    blocks = list(stream.blocks())
    fix = repair_times(whole.t_s)
    np.testing.assert_array_equal(np.concatenate([b.t_s for b in blocks]), fix.t_s)
    values = np.concatenate([b.values for b in blocks])
    np.testing.assert_array_equal(values[:, :3], whole.acc_g[fix.keep])
    np.testing.assert_array_equal(values[:, 3:], whole.gyro_dps[fix.keep])
    assert [(f.kind, f.count) for f in stream.time_fixes] == [(f.kind, f.count) for f in fix.fixes]


def test_hiplevel_analyze_streams_a_recording_with_the_results_of_the_recording_in_memory(damaged, tmp_path,
                                                                                         capsys) -> None:
    from hiplevel.analysis import analyze_sets
    from hiplevel.cli.inputs import set_markers

    out = tmp_path / "session.json"
    assert main(["analyze", str(damaged), "--json", str(out)]) == 4  # damaged: exit 4, results for what was read
    err = capsys.readouterr().err
    assert "the recording is damaged" in err and "ends inside a record" in err
    doc = json.loads(out.read_text())
    session = decode_recording(damaged)
    sets, _, _ = set_markers(session.events, session.imu.t_s)
    memory = analyze_sets(session.imu, [s[1:] for s in sets])
    assert [d["reps"] for d in doc["sets"]] == [r.to_json()["reps"] for r in memory]
    assert doc["input"]["damage"] == session.damage_summary()
