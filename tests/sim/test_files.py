"""Chip stream layout and the session folder (imu.csv, truth.json, truth_orientation.csv)."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from hiplevel.imu_csv import read_imu_csv
from hiplevel.sim import ExerciseSpec, SessionSpec, read_chip_stream, simulate_session, write_chip_stream, write_session
from hiplevel.sim.imu_model import axes_matrix


@pytest.fixture(scope="module")
def sim():
    spec = SessionSpec([ExerciseSpec("walking", reps=4)], seed=2, standing_s=2.0, rest_s=2.0,
                       mount_offset_deg=(1.0, -2.0, 3.0))
    return simulate_session(spec)


def test_chip_stream_layout(sim, tmp_path):
    p = write_chip_stream(sim, tmp_path / "s.chip", mount_axes=["-z", "y", "x"])
    raw = p.read_bytes()
    magic, rate, n = struct.unpack_from("<8sII", raw)
    assert magic == b"HLCHIP1\n" and rate == 1000 and n == len(sim.sensor_1k)
    assert len(raw) == 16 + n * 7 * 4
    rec = np.frombuffer(raw[16:], dtype="<f4").reshape(n, 7)
    # standing upright with the board's x up: gravity on chip +x; body forward is chip -z
    assert np.mean(rec[:1000, 0]) == pytest.approx(1.0, abs=0.1)
    assert np.allclose(rec[:, 2], -sim.sensor_1k.acc_g[:, 0], atol=1e-5)
    assert np.allclose(rec[:, 3], sim.sensor_1k.gyro_dps[:, 2], atol=1e-4)
    assert 20.0 < rec[0, 6] < 40.0
    assert np.array_equal(read_chip_stream(p).records, rec)


def test_chip_stream_rejects_bad_files(tmp_path):
    bad = tmp_path / "x.chip"
    bad.write_bytes(b"NOTCHIP!" + struct.pack("<II", 1000, 5))
    with pytest.raises(ValueError, match="magic"):
        read_chip_stream(bad)
    bad.write_bytes(b"HLCHIP1\n" + struct.pack("<II", 1000, 5) + b"\0" * 28)
    with pytest.raises(ValueError, match="records"):
        read_chip_stream(bad)


def test_axes_matrix_rejects_reflections():
    with pytest.raises(ValueError):
        axes_matrix(["x", "y", "-z"])
    with pytest.raises(ValueError):
        axes_matrix(["x", "x", "z"])


def test_write_session(sim, tmp_path):
    out = write_session(sim, tmp_path / "sess")
    imu = read_imu_csv(out / "imu.csv")
    assert len(imu) == len(sim.imu) and np.allclose(imu.acc_g, sim.imu.acc_g, atol=1e-6)
    truth = json.loads((out / "truth.json").read_text())
    assert truth["schema"] == "hiplevel.sim-truth/1"
    assert [r["side"] for r in truth["reps"]] == [r.side for r in sim.reps]
    assert truth["sets"][0]["neutral_roll_deg"] == pytest.approx(sim.sets[0].neutral_roll_deg)
    assert truth["spec"]["exercises"][0]["name"] == "walking"
    orient = np.loadtxt(out / "truth_orientation.csv", delimiter=",", skiprows=1)
    assert orient.shape == (len(sim.imu), 5)
    assert np.allclose(orient[:, 2], sim.truth.roll_deg, atol=1e-5)


def test_cli_writes_labelled_session(tmp_path, capsys):
    from hiplevel.sim.cli import main

    rc = main([str(tmp_path / "o"), "-e", "walking:reps=6,weak_side=right,drop_deg=10", "-e",
               "single-leg-stance:reps=1,hold_s=5", "--rate", "50", "--seed", "3", "--chip", "--standing", "2"])
    assert rc == 0
    truth = json.loads((tmp_path / "o" / "truth.json").read_text())
    assert [r["exercise"] for r in truth["reps"]] == ["walking"] * 6 + ["single-leg-stance"]
    assert any("pelvic_drop" in r["flags"] for r in truth["reps"] if r["side"] == "right")
    assert read_imu_csv(tmp_path / "o" / "imu.csv").sample_rate_hz == pytest.approx(50.0, rel=0.035)
    assert read_chip_stream(tmp_path / "o" / "session.chip").rate_hz == 1000
    assert "walking set 1: 6 reps" in capsys.readouterr().out


