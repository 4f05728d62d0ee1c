"""Simulated sessions and the IMU CSV text a real logger would write for them, for the input tests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from hiplevel.imu_csv import write_imu_csv
from hiplevel.samples import ImuSeries
from hiplevel.sim import ExerciseSpec, SessionSpec, SimSession, simulate_session

HEADER = "t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"


@lru_cache(maxsize=4)
def walking(seed: int = 3, steps: int = 40) -> SimSession:
    """A 100 Hz walk with a weak right hip (right-stance steps drop about 9 deg)."""
    return simulate_session(SessionSpec([ExerciseSpec("walking", reps=steps, weak_side="right", drop_deg=9.0)],
                                        rate_hz=100.0, seed=seed))


@lru_cache(maxsize=2)
def three_sets(seed: int = 4) -> SimSession:
    """Walking, band walk, walking (weak right hip): about 84 s at 100 Hz."""
    return simulate_session(SessionSpec([ExerciseSpec("walking", reps=24, weak_side="right", drop_deg=9.0),
                                         ExerciseSpec("band-walk", reps=10, weak_side="right"),
                                         ExerciseSpec("walking", reps=24, weak_side="right", drop_deg=9.0)], seed=seed))


def csv_lines(series: ImuSeries, tmp_path: Path) -> list[str]:
    """The IMU CSV of `series` as written by `write_imu_csv`, line by line (header first)."""
    path = write_imu_csv(series, tmp_path / "_plain.csv")
    lines = path.read_text().splitlines()
    path.unlink()
    return lines


def write_lines(lines: list[str], path: Path) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def with_times(series: ImuSeries, t_s: np.ndarray) -> ImuSeries:
    return ImuSeries(np.asarray(t_s, float), series.acc_g, series.gyro_dps)
