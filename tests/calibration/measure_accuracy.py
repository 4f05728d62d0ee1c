"""Measure calibration accuracy over many simulated devices (run by hand; figures go in
docs/calibration.md):  .venv/bin/python tests/calibration/measure_accuracy.py"""

from __future__ import annotations

import sys
from pathlib import Path

from datetime import datetime, timezone

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from calib_run import calibrate  # noqa: E402
from calib_synth import SynthImu  # noqa: E402
from test_calib_sim import FACE_UPS_CHIP, TILTED_UPS_CHIP, _still_block  # noqa: E402

import hiplevel.sim as sim  # noqa: E402
from hiplevel.calibration import CalibrationProcedure, ProcedureSettings, mount_matrix, roll_pitch_deg  # noqa: E402


def synthetic(seeds: range) -> None:
    rows = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        offset_deg = tuple(rng.uniform(-10, 10, 3))
        imu = SynthImu.typical(seed, mount_offset_deg=offset_deg)
        cal = calibrate(imu, seed)
        est, true = cal.body_from_chip_matrix(), imu.sensor_from_body().T
        align = max(np.degrees(np.arccos(np.clip(est[i] @ true[i], -1, 1))) for i in range(3))
        roll_err = []
        for roll in (-8.0, 0.0, 8.0):
            for pitch in (0.0, 30.0):
                blk = imu.worn(np.full(200, roll), np.full(200, pitch), np.full(200, 30.0), np.zeros((200, 3)), rng)
                roll_err.append(roll_pitch_deg(cal.acc_to_body(blk.acc_g).mean(axis=0))[0][0] - roll)
        rows.append([
            np.abs(np.array(cal.gyro.bias_dps) - imu.gyro_bias_dps).max(),
            np.abs(np.array(cal.accel.offset_g) - imu.acc_offset_g).max() * 1000,
            np.abs(np.array(cal.accel.scale) / imu.acc_scale - 1).max() * 100,
            align, np.abs(roll_err).max(), cal.accel.check_error_mg,
        ])  # fmt: skip
    _report("synthetic chip (calib_synth), clip offset +-10 deg each axis", rows)


def simulator(seeds: range) -> None:
    rows = []
    a = mount_matrix("standard")
    for seed in seeds:
        proc = CalibrationProcedure("sim", ProcedureSettings(alignment=False))
        for step in proc.prompts():
            up = [0, 0, 1] if step.kind == "gyro" else (FACE_UPS_CHIP | TILTED_UPS_CHIP)[step.key]
            assert proc.submit(_still_block(up, step.duration_s, seed)).accepted
        cal = proc.result(datetime(2026, 1, 1, tzinfo=timezone.utc))
        err = sim.simulate_still(0.1, seed=seed).errors
        roll_err = []
        for roll in (-8.0, 0.0, 8.0):
            rec = sim.simulate_still(1.0, seed=seed, roll_deg=roll, pitch_deg=0.0)
            roll_err.append(roll_pitch_deg(cal.acc_to_body(rec.imu.acc_g @ a).mean(axis=0))[0][0] - roll)
        rows.append([
            np.abs(np.array(cal.gyro.bias_dps) - a.T @ err.gyro_bias_dps).max(),
            np.abs(np.array(cal.accel.offset_g) - a.T @ err.accel_bias_g).max() * 1000,
            np.abs(np.array(cal.accel.scale) - np.abs(a.T @ np.diag(err.accel_matrix))).max() * 100,
            float("nan"), np.abs(roll_err).max(), cal.accel.check_error_mg,
        ])  # fmt: skip
    _report("hiplevel.sim MPU6050 model (cross-axis 0.7 % SD, not corrected), table poses, no alignment", rows)


def _report(title: str, rows: list) -> None:
    r = np.array(rows, dtype=float)
    names = ["gyro bias err deg/s", "accel offset err mg", "accel scale err %", "alignment err deg",
             "roll err (still) deg", "check error mg"]  # fmt: skip
    print(f"\n{title}: {len(r)} devices")
    for i, name in enumerate(names):
        col = r[:, i]
        if np.isnan(col).all():
            continue
        print(f"  {name:24s} median {np.nanmedian(col):.4f}  95th pct {np.nanpercentile(col, 95):.4f}  max {np.nanmax(col):.4f}")


if __name__ == "__main__":
    synthetic(range(100, 150))
    simulator(range(100, 130))
