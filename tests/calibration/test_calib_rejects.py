"""The guided procedure refuses poses and walks that would spoil a calibration, and says why."""

from __future__ import annotations

import numpy as np
import pytest
from calib_run import WHEN, block_for
from calib_synth import SynthImu, six_face_ups

from hiplevel.calibration import (
    CalibrationError,
    CalibrationProcedure,
    GyroBiasEstimator,
    PoseRejectedError,
    ProcedureSettings,
    SampleBlock,
)


def _advance_to(proc: CalibrationProcedure, imu: SynthImu, key: str, rng: np.random.Generator) -> None:
    while proc.current is not None and proc.current.key != key:
        assert proc.submit(block_for(imu, proc.current, rng)).accepted


def test_moving_face_is_rejected_and_step_repeats() -> None:
    imu, rng = SynthImu.typical(11), np.random.default_rng(11)
    proc = CalibrationProcedure("dev")
    _advance_to(proc, imu, "face-z", rng)
    outcome = proc.submit(imu.static([0, 0, -1], 4.0, rng, tremor_dps=3.0))
    assert not outcome.accepted
    assert "not still" in outcome.message and "rotated" in outcome.message and "deg/s" in outcome.message
    assert proc.current is not None and proc.current.key == "face-z"
    assert proc.submit(imu.static([0, 0, -1], 4.0, rng)).accepted
    assert proc.current.key == "face+x"


def test_wrong_face_is_named() -> None:
    imu, rng = SynthImu.typical(12), np.random.default_rng(12)
    proc = CalibrationProcedure("dev")
    _advance_to(proc, imu, "face+x", rng)
    outcome = proc.submit(imu.static([-1, 0, 0], 4.0, rng))
    assert not outcome.accepted
    assert "Expected chip +x up, but chip -x is up" in outcome.message


def test_slow_steady_turn_is_caught_once_the_bias_is_known() -> None:
    imu, rng = SynthImu.typical(13), np.random.default_rng(13)
    proc = CalibrationProcedure("dev")
    _advance_to(proc, imu, "face+z", rng)
    turning = imu.static([0, 0, 1], 4.0, rng)
    gyro = turning.gyro_dps + np.array([0.0, 0.0, 2.0])  # a 2 deg/s turn: small SD, shifted mean
    outcome = proc.submit(SampleBlock(turning.acc_g, gyro, turning.rate_hz))
    assert not outcome.accepted and "turning slowly" in outcome.message


def test_slanted_pose_too_close_to_a_face_is_rejected() -> None:
    imu, rng = SynthImu.typical(14), np.random.default_rng(14)
    proc = CalibrationProcedure("dev")
    _advance_to(proc, imu, "tilted1", rng)
    outcome = proc.submit(imu.static([0.1, 0, 1], 4.0, rng))
    assert not outcome.accepted and "different way" in outcome.message


def test_inconsistent_poses_restart_the_table_poses() -> None:
    imu, rng = SynthImu.typical(15), np.random.default_rng(15)
    proc = CalibrationProcedure("dev")
    _advance_to(proc, imu, "tilted3", rng)
    bad = imu.static([-1, 0.2, -1], 4.0, rng)  # read 40 mg long: e.g. the table was bumped
    outcome = proc.submit(SampleBlock(bad.acc_g * 1.04, bad.gyro_dps, bad.rate_hz))
    assert not outcome.accepted and "check error" in outcome.message
    assert proc.current is not None and proc.current.key == "face+z"


def test_gyro_bias_ignores_a_bump_but_rejects_a_handheld_sensor() -> None:
    imu, rng = SynthImu.typical(16), np.random.default_rng(16)
    quiet = imu.static([0, 0, 1], 10.0, rng)
    gyro, acc = quiet.gyro_dps.copy(), quiet.acc_g.copy()
    gyro[300:350] += 30.0  # someone knocks the table for half a second
    acc[300:350] += 0.2
    result = GyroBiasEstimator().fit(gyro, acc, quiet.rate_hz)
    assert np.abs(result.bias_dps_ - imu.gyro_bias_dps).max() < 0.05
    assert result.still_fraction_ < 1.0
    handheld = imu.static([0, 0, 1], 10.0, rng, tremor_dps=2.0)
    with pytest.raises(PoseRejectedError, match="still for only"):
        GyroBiasEstimator().fit(handheld.gyro_dps, handheld.acc_g, handheld.rate_hz)


def test_standing_still_instead_of_walking_is_rejected() -> None:
    imu, rng = SynthImu.typical(17), np.random.default_rng(17)
    proc = CalibrationProcedure("dev")
    _advance_to(proc, imu, "walking", rng)
    outcome = proc.submit(imu.standing(8.0, rng))
    assert not outcome.accepted and "walk straight ahead" in outcome.message


def test_result_before_the_end_and_run_gives_up_after_repeated_failures() -> None:
    imu, rng = SynthImu.typical(18), np.random.default_rng(18)
    proc = CalibrationProcedure("dev", ProcedureSettings(alignment=False))
    with pytest.raises(CalibrationError, match="not complete"):
        proc.result(WHEN)
    said: list[str] = []
    with pytest.raises(CalibrationError, match="failed 2 times"):
        proc.run(lambda step: imu.static(six_face_ups()[0], 4.0, rng, tremor_dps=4.0), said.append, WHEN, max_attempts=2)
    assert said[0].startswith("Step 1/10:")


def test_run_without_alignment_writes_identity_alignment() -> None:
    imu, rng = SynthImu.typical(19), np.random.default_rng(19)
    proc = CalibrationProcedure("dev", ProcedureSettings(alignment=False))
    cal = proc.run(lambda step: block_for(imu, step, rng), lambda text: None, WHEN)
    assert cal.alignment.method == "none"
    assert np.array_equal(np.array(cal.alignment.matrix), np.eye(3))
    assert cal.temperature_c == pytest.approx(27.5)
