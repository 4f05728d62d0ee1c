"""`hiplevel analyze` of damaged recordings: damage, lost samples and lost sets are reported (stderr
and the JSON `input` object, exit 4); a flipped bit in a packet's device time is caught by the host
clock instead of shifting the rest of the session; one long loss is one gap; a loss splits the
analysis. Recordings are simulated sessions written as the recorder writes them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from input_synth import three_sets
from recording_synth import corrupt_bytes, flip_bit, write_recording

from hiplevel.cli import main
from hiplevel.link.stream import SampleBlock, StreamAssembler
from hiplevel.protocol import DataPacket, Flags, PacketType
from hiplevel.recording import decode_recording

EXIT_DAMAGED = 4


@pytest.fixture(scope="module")
def sim():
    return three_sets()


def analyze_json(path: Path, tmp_path: Path, capsys) -> tuple[int, dict, str]:
    out = tmp_path / f"{path.stem}.json"
    code = main(["analyze", str(path), "--json", str(out)])
    return code, json.loads(out.read_text()), capsys.readouterr().err


def reps_of(doc: dict) -> list[list[tuple[str, float]]]:
    return [[(r["side"], round(r["drop_deg"], 1)) for r in s["reps"]] for s in doc["sets"]]


@pytest.fixture(scope="module")
def clean_doc(sim, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clean")
    path = write_recording(sim, tmp / "clean.hlrec")
    out = tmp / "clean.json"
    assert main(["analyze", str(path), "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_a_clean_recording_says_nothing_and_exits_0(sim, clean_doc) -> None:
    assert [s["exercise"] for s in clean_doc["sets"]] == ["walking", "band-walk", "walking"]
    assert [s["set"] for s in clean_doc["sets"]] == [1, 2, 3]
    assert clean_doc["input"]["warnings"] == [] and clean_doc["input"]["damaged"] is False


def test_20_kb_corrupted_mid_recording_is_reported_with_the_samples_and_set_it_took(sim, tmp_path, capsys) -> None:
    path = write_recording(sim, tmp_path / "damaged.hlrec")
    band = sim.sets[1]
    at = int(path.stat().st_size * band.start_s / sim.imu.t_s[-1])
    corrupt_bytes(path, at - 10_000, 20_480)
    lost = decode_recording(path).stats.lost
    code, doc, err = analyze_json(path, tmp_path, capsys)
    assert code == EXIT_DAMAGED
    assert lost > 500 and f"{lost:,} samples lost there" in err and "could not be read" in err
    assert "set 2 (band-walk) was not analysed" in err and "exit 4" in err
    inp = doc["input"]
    assert inp["damaged"] is True and inp["damage"]["samples_lost"] == lost
    (region,) = inp["damage"]["regions"]
    assert region["length"] >= 20_480 and region["from_s"] < band.start_s < region["to_s"]
    assert [s["set"] for s in inp["lost_sets"]] == [2] and [s["set"] for s in doc["sets"]] == [1, 3]


@pytest.mark.parametrize("bit", [14, 19, 24, 30, 31])
def test_one_flipped_bit_in_a_device_time_changes_nothing(sim, clean_doc, tmp_path, capsys, bit) -> None:
    k = len(sim.imu.t_s) // 5 // 3  # a packet in the band walk
    path = write_recording(sim, tmp_path / f"t{bit}.hlrec", edit={k: flip_bit(8 + bit // 8, bit % 8)})
    dec = decode_recording(path)
    assert dec.stats.restarts == 0 and dec.stats.lost == 0
    assert dec.imu.t_s[-1] - dec.imu.t_s[0] == pytest.approx((len(dec.imu) - 1) / 100.0, abs=0.05)  # 100 Hz, no jump
    if bit >= 19:
        assert dec.stats.time_corrected == 1
    code, doc, err = analyze_json(path, tmp_path, capsys)
    assert code == 0 and reps_of(doc) == reps_of(clean_doc)


@pytest.mark.parametrize("bit", [9, 21, 30])
def test_one_flipped_bit_in_a_sequence_number_changes_nothing(sim, clean_doc, tmp_path, capsys, bit) -> None:
    """A seq ahead of the host clock once declared 2^bit slots lost (millions) and put the packet
    hours or days later: seconds of samples, gigabytes of interpolation."""
    k = len(sim.imu.t_s) // 5 // 3
    path = write_recording(sim, tmp_path / f"s{bit}.hlrec", edit={k: flip_bit(4 + bit // 8, bit % 8)})
    dec = decode_recording(path)
    assert dec.stats.seq_corrected == 1 and dec.stats.lost == 0 and dec.stats.restarts == 0
    assert dec.imu.t_s[-1] - dec.imu.t_s[0] == pytest.approx((len(dec.imu) - 1) / 100.0, abs=0.05)
    code, doc, err = analyze_json(path, tmp_path, capsys)
    assert code == 0 and reps_of(doc) == reps_of(clean_doc) and "corrupted sequence number" in err


def test_long_losses_are_one_gap_each(sim, tmp_path, capsys) -> None:
    spans = ((5.0, 30.0), (35.0, 36.0), (40.0, 41.5), (50.0, 75.0))  # two longer than the device ring
    path = write_recording(sim, tmp_path / "losses.hlrec", lose=spans)
    dec = decode_recording(path)
    assert len(dec.gaps) == 4 and dec.summary()["gaps"] == 4
    code, doc, err = analyze_json(path, tmp_path, capsys)
    assert code == 0 and f"the link lost {dec.stats.lost:,} samples in 4 gap(s)" in err
    assert len(doc["input"]["gaps"]["split"]) == 4


def test_a_loss_inside_a_set_splits_it_and_no_rep_spans_it(sim, clean_doc, tmp_path, capsys) -> None:
    band = sim.sets[1]
    lost = (band.start_s + 8.0, band.end_s + 15.0)
    path = write_recording(sim, tmp_path / "loss.hlrec", lose=(lost,))
    code, doc, err = analyze_json(path, tmp_path, capsys)
    assert code == 0 and "split the analysis" in err
    for s in doc["sets"]:
        assert not any(r["start_s"] < lost[1] and r["end_s"] > lost[0] for r in s["reps"]), s["exercise"]
    band_reps = doc["sets"][1]["reps"]
    assert 0 < len(band_reps) < len(clean_doc["sets"][1]["reps"])
    assert doc["sets"][1]["gaps"] and doc["sets"][2]["gaps"]


def roll_packet(seq: int, t_us: int, n: int = 5) -> DataPacket:
    samples = np.zeros((n, 2), dtype=np.int16)
    samples.setflags(write=False)
    return DataPacket(PacketType.DATA_ROLL, Flags(0), 100, seq % 2**32, t_us % 2**32, samples)


def test_a_reboot_pause_shows_as_the_time_the_host_saw_pass() -> None:
    asm = StreamAssembler()
    out = []
    for k in range(20):
        out += asm.push(roll_packet(5 * k, 600_000_000 + 50_000 * k), host_time_s=100.0 + 0.05 * k)
    for k in range(20):  # rebooted: seq and clock from 0, 5 s later by the host clock
        out += asm.push(roll_packet(5 * k, 50_000 * k), host_time_s=106.0 + 0.05 * k)
    out += asm.finish()
    times = np.concatenate([b.times_us() for b in out if isinstance(b, SampleBlock)]) / 1e6
    assert asm.stats.restarts == 1 and np.all(np.diff(times) > 0)
    assert np.diff(times).max() == pytest.approx(6.0 - 0.95, abs=0.1)


def test_without_host_times_a_corrupted_time_still_starts_a_new_stream() -> None:
    """The host clock is what tells a corrupted time from a real jump: without it, nothing is guessed."""
    asm = StreamAssembler()
    for k in range(10):
        t = 50_000 * k + (2**24 if k == 5 else 0)
        asm.push(roll_packet(5 * k, t))
    assert asm.stats.time_corrected == 0 and asm.stats.restarts >= 1
