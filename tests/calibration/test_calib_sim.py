"""Calibration against the team's motion simulator (hiplevel.sim): its MPU6050 model (bias, scale,
cross-axis, temperature drift, bias walk, DLPF, quantisation) on the table poses, and its gait
model with a clip mounted a few degrees off for the alignment."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

sim = pytest.importorskip("hiplevel.sim", reason="the simulator is not importable")

from hiplevel.calibration import (  # noqa: E402
    CalibrationProcedure,
    PelvisAligner,
    ProcedureSettings,
    SampleBlock,
    chip_from_mounted,
    mount_matrix,
    roll_pitch_deg,
)

FACE_UPS_CHIP = {"face+z": [0, 0, 1], "face-z": [0, 0, -1], "face+x": [1, 0, 0], "face-x": [-1, 0, 0],
                 "face+y": [0, 1, 0], "face-y": [0, -1, 0]}  # fmt: skip
TILTED_UPS_CHIP = {"tilted1": [1, 1, 0.2], "tilted2": [0.3, -1, 1], "tilted3": [-1, 0.2, -1]}


def _still_block(up_chip: list[float], seconds: float, seed: int) -> SampleBlock:
    """simulate_still takes roll/pitch of the mounted frame; find the ones that put up_chip up."""
    u = mount_matrix("standard") @ np.asarray(up_chip, dtype=float)
    u /= np.linalg.norm(u)
    roll, pitch = np.degrees(np.arctan2(u[1], u[2])), np.degrees(np.arcsin(-u[0]))
    rec = sim.simulate_still(seconds, 100.0, seed=seed, roll_deg=roll, pitch_deg=pitch)
    return SampleBlock(chip_from_mounted(rec.imu.acc_g, "standard"), chip_from_mounted(rec.imu.gyro_dps, "standard"), 100.0, 25.0)


@pytest.mark.parametrize("seed", [5, 6])
def test_table_calibration_recovers_the_simulated_chip_errors(seed: int) -> None:
    proc = CalibrationProcedure("hiplevel-51a0", ProcedureSettings(alignment=False))
    for step in proc.prompts():
        up = [0, 0, 1] if step.kind == "gyro" else (FACE_UPS_CHIP | TILTED_UPS_CHIP)[step.key]
        outcome = proc.submit(_still_block(up, step.duration_s, seed))
        assert outcome.accepted, outcome.message
    cal = proc.result(datetime(2026, 1, 1, tzinfo=timezone.utc))
    err = sim.simulate_still(0.1, seed=seed).errors  # same seed, same device
    a = mount_matrix("standard")  # mounted <- chip
    true_offset_chip = a.T @ err.accel_bias_g
    true_scale_chip = np.abs(a.T @ np.diag(err.accel_matrix))
    true_bias_chip = a.T @ err.gyro_bias_dps
    assert np.abs(np.array(cal.gyro.bias_dps) - true_bias_chip).max() < 0.05
    assert np.abs(np.array(cal.accel.offset_g) - true_offset_chip).max() < 0.005
    assert np.abs(np.array(cal.accel.scale) - true_scale_chip).max() < 0.003
    assert cal.accel.check_error_mg is not None and cal.accel.check_error_mg < 15.0


@pytest.fixture(scope="module")
def walking_session():
    spec = sim.SessionSpec(
        [sim.ExerciseSpec("walking", reps=12), sim.ExerciseSpec("single-leg-stance", reps=2, hold_s=5.0)],
        seed=3, mount_offset_deg=(3.0, 8.0, -12.0),
    )
    return sim.simulate_session(spec)


def test_alignment_from_simulated_standing_and_walking_gives_true_roll_when_still(walking_session) -> None:
    s = walking_session
    t, imu = s.imu.t_s, s.imu
    first = s.sets[0]
    standing = (t > first.standing_start_s + 0.5) & (t < first.standing_end_s)
    steps = [r for r in s.reps if r.exercise == "walking"]
    walking = (t >= steps[1].start_s) & (t <= steps[-2].end_s)
    bias = np.median(imu.gyro_dps[standing], axis=0)
    al = PelvisAligner().fit(imu.acc_g[standing], imu.gyro_dps[standing] - bias, imu.acc_g[walking],
                             imu.gyro_dps[walking] - bias, 100.0)
    # The clip's offset (8 deg pitch, -12 deg yaw) is found, whatever the posture.
    assert 5.0 < al.tilt_deg_ < 15.0 and -16.0 < al.heading_deg_ < -8.0 or 8.0 < al.heading_deg_ < 16.0
    roll, _ = roll_pitch_deg(imu.acc_g @ al.matrix_.T)
    for hold in (r for r in s.reps if r.exercise == "single-leg-stance"):
        m = (t > hold.start_s + 1.5) & (t < hold.end_s - 1.5)
        truth = s.truth.roll_deg[m] - first.neutral_roll_deg  # roll zero = the calibration's standing
        assert abs(np.mean(roll[m] - truth)) < 0.5
    # Uncorrected, the same holds read several degrees off: the check can fail.
    raw_roll, _ = roll_pitch_deg(imu.acc_g)
    assert max(abs(np.mean(raw_roll[(t > h.start_s + 1.5) & (t < h.end_s - 1.5)] - s.truth.roll_deg[(t > h.start_s + 1.5) & (t < h.end_s - 1.5)]))
               for h in s.reps if h.exercise == "single-leg-stance") > 1.0  # fmt: skip
