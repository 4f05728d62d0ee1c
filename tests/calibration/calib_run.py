"""Drive the guided procedure with a SynthImu, as the CLI will with a live device."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
from calib_synth import SynthImu, six_face_ups, tilted_ups

from hiplevel.calibration import CalibrationFile, CalibrationProcedure, ProcedureSettings, SampleBlock, Step

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def block_for(imu: SynthImu, step: Step, rng: np.random.Generator, face_tilt_deg: float = 2.0) -> SampleBlock:
    """The samples a careful person produces for a step (faces laid within ~face_tilt_deg)."""
    if step.kind == "gyro":
        return imu.static([0, 0, 1], step.duration_s, rng)
    if step.kind == "face":
        order = ["face+z", "face-z", "face+x", "face-x", "face+y", "face-y"]
        up = six_face_ups()[order.index(step.key)] + np.radians(rng.normal(0, face_tilt_deg, 3))
        return imu.static(up, step.duration_s, rng)
    if step.kind == "tilted":
        return imu.static(tilted_ups()[int(step.key[-1]) - 1], step.duration_s, rng)
    if step.kind == "standing":
        return imu.standing(step.duration_s, rng)
    return imu.walking(step.duration_s, rng)


def calibrate(imu: SynthImu, seed: int, settings: ProcedureSettings = ProcedureSettings()) -> CalibrationFile:
    rng = np.random.default_rng(seed)
    proc = CalibrationProcedure("hiplevel-00c1", settings)
    for step in proc.prompts():
        outcome = proc.submit(block_for(imu, step, rng))
        assert outcome.accepted, outcome.message
    return proc.result(WHEN)
