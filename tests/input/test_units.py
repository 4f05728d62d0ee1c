"""Units that do not fit the header are caught before they become clinical results: rad/s under a
deg/s header made every rep look level ("all steps clean: progress" for a patient who drops),
m/s^2 under a g header invented reps and a hip hike. Correct files of every exercise pass."""

from __future__ import annotations

import numpy as np
import pytest
from input_synth import HEADER, write_lines

from hiplevel.analysis import AnalysisError, analyze
from hiplevel.cli import main
from hiplevel.imu_csv import read_imu_csv
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

G = 9.80665


@pytest.fixture(scope="module")
def weak_walk():
    return simulate_session(SessionSpec([ExerciseSpec("walking", reps=20, weak_side="right", drop_deg=9.0)], seed=8))


def csv_with(series, acc_scale: float, gyro_scale: float, header: str, path) -> str:
    rows = [header] + [f"{t:.5f}," + ",".join(f"{v:.7g}" for v in (*a * acc_scale, *g * gyro_scale))
                       for t, a, g in zip(series.t_s, series.acc_g, series.gyro_dps)]
    return str(write_lines(rows, path))


def test_rad_per_s_under_a_deg_per_s_header_is_stopped_naming_rad_per_s(weak_walk, tmp_path, capsys) -> None:
    path = csv_with(weak_walk.imu, 1.0, np.radians(1.0), HEADER, tmp_path / "rps_as_dps.csv")
    with pytest.raises(AnalysisError, match="look like rad/s.*gx_rps,gy_rps,gz_rps"):
        analyze(read_imu_csv(path), "walking")
    assert main(["analyze", path, "--exercise", "walking"]) == 1
    err = capsys.readouterr().err
    assert "gyroscope values do not fit deg/s" in err and "rad/s" in err and "Traceback" not in err


def test_m_per_s2_under_a_g_header_is_stopped_naming_m_per_s2(weak_walk, tmp_path) -> None:
    path = csv_with(weak_walk.imu, G, 1.0, HEADER, tmp_path / "ms2_as_g.csv")
    with pytest.raises(AnalysisError, match=r"median \|a\| is 9\.\d+ g.*look like m/s\^2.*ax_ms2,ay_ms2,az_ms2"):
        analyze(read_imu_csv(path), "walking")


def test_g_under_an_m_per_s2_header_and_deg_per_s_under_rad_per_s(weak_walk, tmp_path) -> None:
    header = "t_s,ax_ms2,ay_ms2,az_ms2,gx_rps,gy_rps,gz_rps"
    acc_wrong = csv_with(weak_walk.imu, 1.0, np.radians(1.0), header, tmp_path / "g_as_ms2.csv")
    with pytest.raises(AnalysisError, match="accelerometer values do not fit m/s\\^2.*look like g"):
        analyze(read_imu_csv(acc_wrong), "walking")
    gyro_wrong = csv_with(weak_walk.imu, G, 1.0, header, tmp_path / "dps_as_rps.csv")
    with pytest.raises(AnalysisError, match="gyroscope values do not fit rad/s.*look like deg/s"):
        analyze(read_imu_csv(gyro_wrong), "walking")


def test_raw_counts_are_named(weak_walk, tmp_path) -> None:
    path = csv_with(weak_walk.imu, 4096.0, 1.0, HEADER, tmp_path / "counts.csv")
    with pytest.raises(AnalysisError, match="raw counts at \\+-8 g"):
        analyze(read_imu_csv(path), "walking")


@pytest.mark.parametrize("exercise", ["walking", "band-walk", "single-leg-stance", "step-down", "single-leg-squat",
                                      "clamshell"])
@pytest.mark.parametrize("rate_hz, si", [(50.0, True), (200.0, False)])
def test_right_units_of_every_exercise_pass(exercise, rate_hz, si, tmp_path) -> None:
    sim = simulate_session(SessionSpec([ExerciseSpec(exercise, reps=4, weak_side="left")], rate_hz=rate_hz, seed=21))
    header = "t_s,ax_ms2,ay_ms2,az_ms2,gx_rps,gy_rps,gz_rps" if si else HEADER
    path = csv_with(sim.imu, G if si else 1.0, np.radians(1.0) if si else 1.0, header, tmp_path / "ok.csv")
    analyze(read_imu_csv(path), exercise)  # no UnitsError
