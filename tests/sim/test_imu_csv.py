"""IMU CSV: round trip, units told apart by the header, each malformed case with its line."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.imu_csv import ImuCsvError, read_imu_csv, write_imu_csv
from hiplevel.samples import ImuSeries

HEADER = "t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"


def _rows(n: int = 20, dt: float = 0.01) -> list[str]:
    return [f"{i * dt:.3f},0.01,0.02,0.99,0.5,-0.5,1.0" for i in range(n)]


def _write(tmp_path, lines: list[str]):
    p = tmp_path / "imu.csv"
    p.write_text("\n".join(lines) + "\n")
    return p


def test_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(300) / 100.0 + rng.normal(0, 3e-4, 300)
    s = ImuSeries(t, rng.normal(0, 1, (300, 3)), rng.normal(0, 50, (300, 3)))
    p = write_imu_csv(s, tmp_path / "a.csv", comment="simulated\nseed 0")
    back = read_imu_csv(p)
    assert np.allclose(back.t_s, s.t_s, atol=1e-6)
    assert np.allclose(back.acc_g, s.acc_g, atol=1e-6)
    assert np.allclose(back.gyro_dps, s.gyro_dps, atol=1e-5)


def test_units_and_order_from_header(tmp_path):
    lines = ["# hand-written", "gx_rps,gy_rps,gz_rps,t_s,ax_ms2,ay_ms2,az_ms2"]
    lines += [f"{np.pi:.9f},0,0,{i / 50:.3f},0,0,9.80665" for i in range(20)]
    s = read_imu_csv(_write(tmp_path, lines))
    assert s.sample_rate_hz == pytest.approx(50.0)
    assert np.allclose(s.gyro_dps[:, 0], 180.0) and np.allclose(s.acc_g[:, 2], 1.0)


def test_comments_and_blank_lines(tmp_path):
    lines = ["# device 1A2B", "", HEADER] + _rows(15)[:5] + ["  # pause", ""] + _rows(15)[5:]
    assert len(read_imu_csv(_write(tmp_path, lines))) == 15


@pytest.mark.parametrize(
    "lines, line, words",
    [
        (["t_s,ax_g,ay_g,az_g,gx_dps,gy_dps"] + _rows(), 1, "bad header"),
        (["t_s,ax_g,ay_ms2,az_g,gx_dps,gy_dps,gz_dps"] + _rows(), 1, "bad header"),
        (["# c", HEADER] + _rows()[:4] + ["0.040,0.01,abc,0.99,0.5,-0.5,1.0"] + _rows()[5:], 7, "non-numeric"),
        ([HEADER] + _rows()[:3] + ["0.030,0.01,0.02,0.99,0.5,-0.5"] + _rows()[4:], 5, "column count"),
        ([HEADER] + _rows(5), 6, "too few samples"),
        ([HEADER] + _rows(20, dt=0.001), 2, "sample rate"),
        ([HEADER] + _rows(20, dt=0.05), 2, "sample rate"),
        ([HEADER] + _rows()[:2] + ["0.020,nan,0.02,0.99,0.5,-0.5,1.0"] + _rows()[3:], 4, "non-numeric"),
        (["# only a comment"], 0, "empty"),
    ],
)
def test_malformed_names_line(tmp_path, lines, line, words):
    with pytest.raises(ImuCsvError) as info:
        read_imu_csv(_write(tmp_path, lines))
    assert info.value.line == line
    assert words in str(info.value)
    if line:
        assert f"line {line}" in str(info.value)
