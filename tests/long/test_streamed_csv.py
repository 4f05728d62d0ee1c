"""An IMU CSV is read block by block (a few MB whatever its length) with the samples, repairs,
warnings and lines of the whole file read at once, and `hiplevel analyze` streams it with the
results of the series in memory. Window and piece sizes are shrunk so a short file is read in many."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from long_synth import SMALL, assert_same_reps, cut, pauses

from hiplevel import imu_csv_stream
from hiplevel.signal import window_repair
from hiplevel.analysis import analyze, analyze_source
from hiplevel.cli import main
from hiplevel.imu_csv import csv_source, read_imu_csv, write_imu_csv
from hiplevel.signal.timeline import repair_times


@pytest.fixture
def small_windows(monkeypatch):
    monkeypatch.setattr(window_repair, "EMIT_ROWS", 700)
    monkeypatch.setattr(imu_csv_stream, "PIECE_BYTES", 20_000)


def messy_lines(tmp_path) -> list[str]:
    """A walk's CSV with the faults real loggers make, several of them on window edges."""
    path = write_imu_csv(pauses().imu, tmp_path / "clean.csv")
    lines = path.read_text().splitlines()

    def t_of(k: int) -> float:
        return float(lines[1 + k].split(",", 1)[0])

    def set_t(k: int, t: float) -> None:
        lines[1 + k] = f"{t:.6f}," + lines[1 + k].split(",", 1)[1]

    for k in (699, 1400, 5000):  # out of order
        lines[1 + k], lines[2 + k] = lines[2 + k], lines[1 + k]
    for k in (2099, 7000):  # repeated timestamp
        set_t(k, t_of(k - 1))
    for k in (2800, 9100):  # corrupted timestamp
        set_t(k, t_of(k) + 3600.0)
    lines.insert(3000, "# logger paused")  # a comment in the middle
    for k in range(11000, len(lines) - 1):  # the clock jumps back by 50 s
        set_t(k, t_of(k) - 50.0)
    return lines


def test_a_messy_csv_read_in_windows_is_the_file_repaired_whole(tmp_path, small_windows) -> None:
    lines = messy_lines(tmp_path)
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines) + "\n")
    s = read_imu_csv(path)
    raw = np.loadtxt(io.StringIO("\n".join(lines[1:])), delimiter=",", comments="#")
    fix = repair_times(raw[:, 0])
    np.testing.assert_array_equal(s.t_s, fix.t_s)
    np.testing.assert_array_equal(s.acc_g, raw[fix.keep, 1:4])
    np.testing.assert_array_equal(s.gyro_dps, raw[fix.keep, 4:7])
    assert s.meta["breaks"] == fix.breaks and len(fix.breaks) == 1
    assert [(r["kind"], r["samples"]) for r in s.meta["repairs"]] == [(f.kind, f.count) for f in fix.fixes]
    assert {r["kind"] for r in s.meta["repairs"]} == {"reordered", "repeated", "retimed", "clock_back"}
    # Each repair names the file line of its first sample (header line 1, a comment line inserted).
    line_of_row = [i + 1 for i, ln in enumerate(lines) if i > 0 and not ln.startswith("#")]
    assert [r["first_line"] for r in s.meta["repairs"]] == [line_of_row[f.first] for f in fix.fixes]
    assert [r["first_t_s"] for r in s.meta["repairs"]] == [f.first_t_s for f in fix.fixes]


def test_a_csv_streamed_in_chunks_is_analysed_as_the_series_in_memory(tmp_path, small_windows) -> None:
    series = cut(pauses().imu, ((40.0, 43.0),))
    path = write_imu_csv(series, tmp_path / "walk.csv.gz")
    whole = analyze(read_imu_csv(path), "walking")
    streamed = analyze_source(csv_source(path), ["walking"], chunking=SMALL)
    assert assert_same_reps([whole], streamed) >= 100


def test_hiplevel_analyze_streams_the_csv_and_reports_what_it_repaired(tmp_path, small_windows, capsys) -> None:
    lines = messy_lines(tmp_path)
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "messy.json"
    assert main(["analyze", str(path), "--exercise", "walking", "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "out of time order" in err and "clock jumped back 50.000 s at line 11002" in err
    doc = json.loads(out.read_text())
    series = read_imu_csv(path)
    memory = analyze(series, "walking").to_json()
    assert doc["reps"] == memory["reps"] and doc["input"]["samples"] == len(series)
    assert [r["kind"] for r in doc["input"]["repairs"]] == [r["kind"] for r in series.meta["repairs"]]
