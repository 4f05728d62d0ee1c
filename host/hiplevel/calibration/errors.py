"""Exceptions of the calibration package, under the package root `hiplevel.errors.HiplevelError`."""

from __future__ import annotations

from hiplevel.errors import HiplevelError


class CalibrationError(HiplevelError):
    """A calibration that cannot be computed or trusted; the message says what to do."""


class PoseRejectedError(CalibrationError):
    """A pose or movement of the guided procedure that does not qualify (moving, wrong face,
    too short, not enough walking). The message is meant for the person doing the calibration."""


class CalibrationFileError(CalibrationError):
    """A calibration file that cannot be read: not JSON, wrong schema, missing fields."""


class CalibrationVersionError(CalibrationFileError):
    """A calibration file of a schema version this host does not speak."""
