"""The firmware's calibration JSON (GET_CALIB / SET_CALIB payload, `calib.json` on the device).

Field names are the firmware's (firmware/core/calib.py). The device applies, per sample, chip frame:
    a = (a_chip_g - accel_offset_g) * accel_scale;   w = w_chip_dps - gyro_bias_dps
then the mounting preset, then `align` (body <- mounted, 3x3 rows; docs/calibration.md).
Note `accel_scale` is a gain (true/measured), the inverse of the host file's `accel.scale`.
"""

from __future__ import annotations

from typing import Any, Final

from hiplevel.calibration.errors import CalibrationFileError, CalibrationVersionError
from hiplevel.calibration.file import (
    IDENTITY,
    AccelSection,
    AlignmentSection,
    CalibrationFile,
    GyroSection,
    _parse_iso,
)
from hiplevel.calibration.mounting import DEFAULT_MOUNT, MOUNT_PRESETS, mount_axes

FIRMWARE_CALIB_VERSION: Final[int] = 1
_DIGITS: Final[int] = 6  # 1e-6 g, deg/s: far below the wire's 1/4096 g and 1/32 deg/s


def to_firmware_json(cal: CalibrationFile) -> dict[str, Any]:
    """The firmware JSON for SET_CALIB from a host calibration file."""

    def r(values: Any) -> list[float]:
        return [round(float(v), _DIGITS) for v in values]

    return {
        "version": FIRMWARE_CALIB_VERSION,
        "calib_id": cal.calib_id,
        "device_id": cal.device_id,
        "temp_c": None if cal.temperature_c is None else round(float(cal.temperature_c), 2),
        "gyro_bias_dps": r(cal.gyro.bias_dps),
        "accel_offset_g": r(cal.accel.offset_g),
        "accel_scale": r(1.0 / float(s) for s in cal.accel.scale),
        "mount": cal.mount if MOUNT_PRESETS.get(cal.mount) == cal.mount_axes else list(cal.mount_axes),
        "align": [r(row) for row in cal.alignment.matrix],
    }


def from_firmware_json(data: dict[str, Any], device_id: str | None = None) -> CalibrationFile:
    """A CalibrationFile from the device's JSON (GET_CALIB). Residuals and noise are not kept on
    the device, so those fields are None; `extra["source"]` is "device". device_id: used when the
    JSON has none (take it from GET_INFO). A missing mount means the device's configured one,
    taken here as the standard preset; a missing `align` means none."""
    if not isinstance(data, dict):
        raise CalibrationFileError("the device's calibration is not a JSON object")
    if data.get("version", FIRMWARE_CALIB_VERSION) != FIRMWARE_CALIB_VERSION:
        raise CalibrationVersionError(f"device calibration version {data.get('version')!r} is not {FIRMWARE_CALIB_VERSION}")
    calib_id = data.get("calib_id")
    if calib_id is None:
        raise CalibrationFileError(f"device {data.get('device_id', device_id)} holds no calibration (calib_id {calib_id})")
    try:
        mount = data.get("mount") or DEFAULT_MOUNT
        axes = mount_axes(mount)
        name = mount if isinstance(mount, str) else next((k for k, v in MOUNT_PRESETS.items() if v == axes), "custom")
        align = tuple(tuple(float(v) for v in row) for row in data.get("align") or IDENTITY)
        return CalibrationFile(
            device_id=str(data.get("device_id") or device_id),
            created_utc=_parse_iso(calib_id),
            gyro=GyroSection(bias_dps=_vec3(data["gyro_bias_dps"])),
            accel=AccelSection(
                offset_g=_vec3(data["accel_offset_g"]), scale=tuple(1.0 / v for v in _vec3(data["accel_scale"]))
            ),
            alignment=AlignmentSection(matrix=align, method="from-device"),
            mount=name,
            mount_axes=axes,
            temperature_c=data.get("temp_c"),
            software="",
            extra={"source": "device"},
        )
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise CalibrationFileError(f"malformed device calibration: {exc!r}") from exc


def identity_firmware_json(device_id: str, mount: str = DEFAULT_MOUNT) -> dict[str, Any]:
    """A 'no correction' firmware JSON to push before calibrating: zero bias, unit gain, no
    alignment, the given mounting preset. The device then streams raw data mapped only through the
    mount, which `mounting.chip_from_mounted` undoes exactly. calib_id is null: the device must then
    report itself as not calibrated (GET_INFO "calibrated": false, no CALIBRATED flag)."""
    if mount not in MOUNT_PRESETS:
        raise CalibrationFileError(f"unknown mount {mount!r}")
    return {
        "version": FIRMWARE_CALIB_VERSION,
        "calib_id": None,
        "device_id": device_id,
        "temp_c": None,
        "gyro_bias_dps": [0.0, 0.0, 0.0],
        "accel_offset_g": [0.0, 0.0, 0.0],
        "accel_scale": [1.0, 1.0, 1.0],
        "mount": mount,
        "align": [list(row) for row in IDENTITY],
    }


def _vec3(v: Any) -> tuple[float, float, float]:
    if len(v) != 3:
        raise ValueError(f"expected 3 numbers, got {v!r}")
    return (float(v[0]), float(v[1]), float(v[2]))
