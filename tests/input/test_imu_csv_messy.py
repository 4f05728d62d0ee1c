"""IMU CSV as real loggers write it: repeated, out-of-order and corrupted timestamps, clock jumps,
gzip, BOM, `;` and decimal commas, UTF-16, extra columns, a torn last line, an unknown header.
Each repair keeps the file and says how many samples and where; none changes the analysis of the
untouched samples."""

from __future__ import annotations

import gzip
import re

import numpy as np
import pytest
from input_synth import HEADER, csv_lines, walking, write_lines

from hiplevel.analysis import analyze
from hiplevel.imu_csv import ImuCsvError, read_imu_csv, write_imu_csv


@pytest.fixture(scope="module")
def sim():
    return walking()


@pytest.fixture
def lines(sim, tmp_path):
    return csv_lines(sim.imu, tmp_path)


def data_line(lines: list[str], k: int) -> str:
    return lines[1 + k]


def set_time(line: str, t: float) -> str:
    return f"{t:.6f}," + line.split(",", 1)[1]


def same_reps(a, b) -> bool:
    return len(a.reps) == len(b.reps) and all(
        r.side == q.side and abs(r.start_s - q.start_s) < 0.05 and abs(r.drop_deg - q.drop_deg) < 0.3
        for r, q in zip(a.reps, b.reps))


def test_a_repeated_timestamp_is_skipped_with_its_line_not_the_file(sim, lines, tmp_path) -> None:
    k = 1500
    lines[1 + k] = set_time(lines[1 + k], float(data_line(lines, k - 1).split(",")[0]))
    s = read_imu_csv(write_lines(lines, tmp_path / "rep.csv"))
    assert len(s) == len(sim.imu) - 1 and np.all(np.diff(s.t_s) > 0)
    assert any("1 sample repeating an earlier timestamp" in w and f"line {k + 2}" in w for w in s.meta["warnings"])
    assert len(analyze(s, "walking").reps) >= 38


def test_out_of_order_samples_are_put_back(sim, lines, tmp_path) -> None:
    lines[1001], lines[1002] = lines[1002], lines[1001]
    lines[2001], lines[2003] = lines[2003], lines[2001]
    s = read_imu_csv(write_lines(lines, tmp_path / "ooo.csv"))
    np.testing.assert_allclose(s.t_s, sim.imu.t_s, atol=1e-6)
    np.testing.assert_allclose(s.gyro_dps, sim.imu.gyro_dps, atol=1e-4)
    # The first sample behind an earlier one is on line 1003 (data row 1001, swapped with row 1000).
    assert any("3 samples out of time order" in w and "line 1003" in w for w in s.meta["warnings"])


@pytest.mark.parametrize("bad_t", [1e7, 86_400.0, -3.0])
def test_a_corrupted_timestamp_is_retimed_and_the_analysis_unchanged(sim, lines, tmp_path, bad_t) -> None:
    k = 2222
    lines[1 + k] = set_time(lines[1 + k], bad_t)
    s = read_imu_csv(write_lines(lines, tmp_path / "bad_t.csv"))
    assert len(s) == len(sim.imu) and abs(s.t_s[k] - sim.imu.t_s[k]) < 0.01
    assert any("re-timed" in w and f"line {k + 2}" in w for w in s.meta["warnings"])
    clean = read_imu_csv(write_imu_csv(sim.imu, tmp_path / "clean.csv"))
    assert same_reps(analyze(s, "walking"), analyze(clean, "walking"))


def test_a_clock_jump_back_keeps_every_sample_and_restarts_the_analysis(sim, lines, tmp_path) -> None:
    k = len(sim.imu) // 2
    for i in range(k, len(sim.imu)):
        t = float(lines[1 + i].split(",")[0])
        lines[1 + i] = set_time(lines[1 + i], t - 3600.0)
    s = read_imu_csv(write_lines(lines, tmp_path / "jump_back.csv"))
    assert len(s) == len(sim.imu) and np.all(np.diff(s.t_s) > 0)
    assert any(re.search(r"clock jumped back 3(599\.9|600\.0)\d* s", w) and f"line {k + 2}" in w for w in s.meta["warnings"])
    res = analyze(s, "walking")
    assert len(res.gaps) == 1 and res.gaps[0].break_
    assert not any(r.start_s < s.t_s[k] < r.end_s for r in res.reps)  # no rep spans the jump


def test_gzip_bom_semicolons_and_decimal_commas_read_the_same(sim, lines, tmp_path) -> None:
    plain = read_imu_csv(write_lines(lines, tmp_path / "plain.csv"))
    gz = tmp_path / "imu.csv.gz"
    gz.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    euro = tmp_path / "excel.csv"
    euro.write_bytes("\ufeff".encode() + ("\r\n".join(ln.replace(",", ";").replace(".", ",") for ln in lines)).encode())
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes(("\n".join(ln.replace(",", "\t") for ln in lines)).encode("utf-16"))
    for path in (gz, euro, utf16):
        s = read_imu_csv(path)
        np.testing.assert_array_equal(s.t_s, plain.t_s)
        np.testing.assert_array_equal(s.acc_g, plain.acc_g)
        np.testing.assert_array_equal(s.gyro_dps, plain.gyro_dps)


def test_write_imu_csv_gz_round_trip(sim, tmp_path) -> None:
    path = write_imu_csv(sim.imu, tmp_path / "out.csv.gz")
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    np.testing.assert_allclose(read_imu_csv(path).acc_g, sim.imu.acc_g, atol=1e-6)


def test_extra_columns_as_in_hiplevel_s_own_export_are_ignored(sim, lines, tmp_path) -> None:
    rows = ["t_s,seq,device_t_us,flags,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps,label"]
    for i, ln in enumerate(lines[1:]):
        t, rest = ln.split(",", 1)
        rows.append(f"{t},{i},{i * 10000},0,{rest},walk")
    s = read_imu_csv(write_lines(rows, tmp_path / "export.csv"))
    np.testing.assert_allclose(s.gyro_dps, sim.imu.gyro_dps, atol=1e-4)


def test_a_torn_last_line_is_skipped_with_a_warning(sim, lines, tmp_path) -> None:
    lines[-1] = lines[-1][:12]
    s = read_imu_csv(write_lines(lines, tmp_path / "torn.csv"))
    assert len(s) == len(sim.imu) - 1
    assert any("malformed" in w and f"line {len(lines)}" in w for w in s.meta["warnings"])


def test_a_few_garbled_lines_are_skipped_many_reject_the_file(sim, lines, tmp_path) -> None:
    few = list(lines)
    for k in (100, 2000):
        few[1 + k] = few[1 + k].replace(",", ",x", 1)
    s = read_imu_csv(write_lines(few, tmp_path / "few.csv"))
    assert len(s) == len(sim.imu) - 2 and "line 102, 2002" in " ".join(s.meta["warnings"])
    many = list(lines)
    for k in range(100, 3000, 50):
        many[1 + k] = many[1 + k].replace(",", ",x", 1)
    with pytest.raises(ImuCsvError, match=r"line 102: non-numeric value 'x.*and \d+ more bad lines"):
        read_imu_csv(write_lines(many, tmp_path / "many.csv"))


@pytest.mark.parametrize("header", ["time,accX,accY,accZ,gyrX,gyrY,gyrZ", "timestamp;ax;ay;az;gx;gy;gz"])
def test_an_unknown_header_gets_the_expected_one_named(lines, tmp_path, header) -> None:
    lines[0] = header
    with pytest.raises(ImuCsvError) as info:
        read_imu_csv(write_lines(lines, tmp_path / "other.csv"))
    assert info.value.line == 1 and HEADER in str(info.value) and "ax_ms2" in str(info.value)


def test_milliseconds_are_named(lines, tmp_path) -> None:
    ms = [lines[0]] + [set_time(ln, float(ln.split(",")[0]) * 1000) for ln in lines[1:]]
    with pytest.raises(ImuCsvError, match="t_s must be in seconds"):
        read_imu_csv(write_lines(ms, tmp_path / "ms.csv"))
