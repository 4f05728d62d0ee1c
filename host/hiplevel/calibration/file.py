"""The per-device calibration file, schema "hiplevel.calibration/1" (docs/calibration.md).

One JSON file per device and calibration, kept in calibration/devices/ or the user's data folder,
pushed to the device in the firmware's own smaller JSON (SET_CALIB) and read back (GET_CALIB).
Vectors are chip frame unless named otherwise; the alignment is body <- mounted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

import numpy as np

from hiplevel import __version__
from hiplevel.calibration.errors import CalibrationFileError, CalibrationVersionError
from hiplevel.calibration.mounting import DEFAULT_MOUNT, mount_axes, mount_matrix

SCHEMA: Final[str] = "hiplevel.calibration/1"
STALE_AFTER_DAYS: Final[float] = 90.0


@dataclass(frozen=True)
class GyroSection:
    """bias_dps: (3,) chip frame, deg/s; noise_dps: (3,) SD at rest; still_s: seconds used."""

    bias_dps: tuple[float, float, float]
    noise_dps: tuple[float, float, float] | None = None
    still_s: float | None = None
    temp_c: float | None = None


@dataclass(frozen=True)
class AccelSection:
    """offset_g, scale: (3,) chip frame (a_true = (a - offset) / scale per axis), fitted to the six
    faces. residuals_mg: |a_cal| - 1 g per pose in `poses` order (faces ~0 by construction, then
    the slanted check poses). check_error_mg: RMS over the check poses, the quality figure (None
    without checks); checks: their number. cross: upper-triangular cross-axis terms fitted to all
    poses when asked (diagnostic; the firmware applies per-axis terms only)."""

    offset_g: tuple[float, float, float]
    scale: tuple[float, float, float]
    residuals_mg: tuple[float, ...] | None = None
    check_error_mg: float | None = None
    checks: int | None = None
    poses: tuple[str, ...] | None = None
    cross: tuple[tuple[float, float, float], ...] | None = None
    temp_c: float | None = None


@dataclass(frozen=True)
class AlignmentSection:
    """matrix: 3x3 rows, v_body = matrix @ v_mounted. tilt/heading, deg: how far the clip sits
    from the drawn mounting; anisotropy: walking quality (forward/sideways variance ratio)."""

    matrix: tuple[tuple[float, float, float], ...]
    method: str = "static+functional"
    tilt_deg: float | None = None
    heading_deg: float | None = None
    anisotropy: float | None = None
    temp_c: float | None = None


IDENTITY: Final = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


@dataclass(frozen=True)
class CalibrationFile:
    """A device's calibration. created_utc: timezone-aware UTC; its ISO form is the calib_id the
    device reports in GET_INFO. mount: preset name; mount_axes: body axes as signed chip axes."""

    device_id: str
    created_utc: datetime
    gyro: GyroSection
    accel: AccelSection
    alignment: AlignmentSection = AlignmentSection(matrix=IDENTITY, method="none")
    mount: str = DEFAULT_MOUNT
    mount_axes: tuple[str, str, str] = ("-z", "y", "x")
    temperature_c: float | None = None
    software: str = f"hiplevel {__version__}"
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def calib_id(self) -> str:
        """ISO 8601 UTC time of the calibration, e.g. '2026-11-25T10:00:00Z'."""
        return _iso(self.created_utc)

    def age_days(self, now_utc: datetime) -> float:
        """Days since the calibration at `now_utc` (timezone-aware)."""
        return (now_utc - self.created_utc) / timedelta(days=1)

    def is_stale(self, now_utc: datetime, max_age_days: float = STALE_AFTER_DAYS) -> bool:
        """True when older than max_age_days (default 90): recalibrate before trusting drops."""
        return self.age_days(now_utc) > max_age_days

    def body_from_chip_matrix(self) -> np.ndarray:
        """(3, 3) R with v_body = R @ v_chip: the alignment after the mounting preset."""
        return np.asarray(self.alignment.matrix, dtype=float) @ mount_matrix(self.mount_axes)

    def acc_to_body(self, acc_chip_g: np.ndarray) -> np.ndarray:
        """(N, 3) raw chip-frame accelerations, g -> calibrated body-frame, g (as the device does)."""
        a = (np.asarray(acc_chip_g, dtype=float) - self.accel.offset_g) / np.asarray(self.accel.scale)
        return a @ self.body_from_chip_matrix().T

    def gyro_to_body(self, gyro_chip_dps: np.ndarray) -> np.ndarray:
        """(N, 3) raw chip-frame rates, deg/s -> bias-free body-frame rates, deg/s."""
        g = np.asarray(gyro_chip_dps, dtype=float) - self.gyro.bias_dps
        return g @ self.body_from_chip_matrix().T

    def to_json(self) -> dict[str, Any]:
        """The file's JSON object (schema hiplevel.calibration/1)."""
        out = {
            "schema": SCHEMA,
            "device_id": self.device_id,
            "calib_id": self.calib_id,
            "created_utc": self.calib_id,
            "software": self.software,
            "mount": self.mount,
            "mount_axes": list(self.mount_axes),
            "temperature_c": self.temperature_c,
            "gyro": _section(self.gyro),
            "accel": _section(self.accel),
            "alignment": _section(self.alignment),
            "notes": self.notes,
        }
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CalibrationFile:
        """Parse a file's JSON object; raises CalibrationVersionError for another schema and
        CalibrationFileError for missing or malformed fields."""
        if not isinstance(data, dict):
            raise CalibrationFileError("a calibration file is a JSON object")
        schema = data.get("schema")
        if schema != SCHEMA:
            raise CalibrationVersionError(f"calibration schema {schema!r} is not {SCHEMA!r}; update hiplevel")
        known = {"schema", "device_id", "calib_id", "created_utc", "software", "mount", "mount_axes",
                 "temperature_c", "gyro", "accel", "alignment", "notes"}  # fmt: skip
        try:
            return cls(
                device_id=str(data["device_id"]),
                created_utc=_parse_iso(data["created_utc"]),
                gyro=_build(GyroSection, data["gyro"]),
                accel=_build(AccelSection, data["accel"]),
                alignment=_build(AlignmentSection, data.get("alignment") or {"matrix": IDENTITY, "method": "none"}),
                mount=str(data.get("mount", DEFAULT_MOUNT)),
                mount_axes=mount_axes(data.get("mount_axes") or data.get("mount", DEFAULT_MOUNT)),
                temperature_c=data.get("temperature_c"),
                software=str(data.get("software", "")),
                notes=str(data.get("notes", "")),
                extra={k: v for k, v in data.items() if k not in known},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationFileError(f"malformed calibration file: {exc!r}") from exc

    def write(self, path: Path) -> Path:
        """Write as indented JSON; returns the path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path) -> CalibrationFile:
        """Read a file written by `write` (or by hand, same schema)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CalibrationFileError(f"{path} is not JSON: {exc}") from exc
        return cls.from_json(data)

    def file_name(self) -> str:
        """Conventional name: '<device_id>_<YYYYmmddTHHMMSSZ>.json'."""
        return f"{self.device_id}_{self.created_utc.strftime('%Y%m%dT%H%M%SZ')}.json"

    def with_notes(self, notes: str) -> CalibrationFile:
        """A copy with other notes."""
        return replace(self, notes=notes)


def _iso(t: datetime) -> str:
    if t.tzinfo is None:
        raise ValueError("calibration times must be timezone-aware (UTC)")
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text: str) -> datetime:
    t = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError(f"time {text!r} has no timezone")
    return t.astimezone(timezone.utc)


def _clean(v: Any) -> Any:
    if isinstance(v, (tuple, list, np.ndarray)):
        return [_clean(x) for x in v]
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) else round(float(v), 7)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _section(obj: Any) -> dict[str, Any]:
    return {k: _clean(v) for k, v in obj.__dict__.items() if v is not None}


def _tuples(v: Any) -> Any:
    return tuple(_tuples(x) for x in v) if isinstance(v, list) else v


def _build(kind: type, data: dict[str, Any]) -> Any:
    return kind(**{k: _tuples(v) for k, v in data.items() if k in kind.__dataclass_fields__})
