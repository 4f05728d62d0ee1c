"""Calibration of the belt sensor: gyro bias, accelerometer offset/scale (six faces + slanted
poses), sensor-to-pelvis alignment (standing + walking), the versioned per-device file and the
guided procedure that produces it. Spec and accuracy: docs/calibration.md."""

from hiplevel.calibration.accel import AccelCalibrator, AccelFit, check_face, face_of
from hiplevel.calibration.alignment import AlignmentResult, PelvisAligner, WalkingAxis, roll_pitch_deg
from hiplevel.calibration.errors import (
    CalibrationError,
    CalibrationFileError,
    CalibrationVersionError,
    PoseRejectedError,
)
from hiplevel.calibration.file import SCHEMA, STALE_AFTER_DAYS, CalibrationFile
from hiplevel.calibration.firmware_json import from_firmware_json, identity_firmware_json, to_firmware_json
from hiplevel.calibration.gyro import GyroBiasEstimator, GyroBiasResult
from hiplevel.calibration.mounting import MOUNT_PRESETS, chip_from_mounted, mount_axes, mount_matrix
from hiplevel.calibration.procedure import CalibrationProcedure, ProcedureSettings, SampleBlock, Step, StepOutcome
from hiplevel.calibration.stillness import StillnessCheck, StillnessCriteria, check_still

__all__ = [
    "SCHEMA",
    "STALE_AFTER_DAYS",
    "MOUNT_PRESETS",
    "AccelCalibrator",
    "AccelFit",
    "AlignmentResult",
    "CalibrationError",
    "CalibrationFile",
    "CalibrationFileError",
    "CalibrationProcedure",
    "CalibrationVersionError",
    "GyroBiasEstimator",
    "GyroBiasResult",
    "PelvisAligner",
    "PoseRejectedError",
    "ProcedureSettings",
    "SampleBlock",
    "Step",
    "StepOutcome",
    "StillnessCheck",
    "StillnessCriteria",
    "WalkingAxis",
    "check_face",
    "check_still",
    "chip_from_mounted",
    "face_of",
    "from_firmware_json",
    "identity_firmware_json",
    "mount_axes",
    "mount_matrix",
    "roll_pitch_deg",
    "to_firmware_json",
]
