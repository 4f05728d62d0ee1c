"""The per-device calibration file: round trip, schema version, age, firmware JSON."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from calib_run import WHEN, calibrate
from calib_synth import SynthImu

from hiplevel.calibration import (
    SCHEMA,
    CalibrationFile,
    CalibrationFileError,
    CalibrationVersionError,
    from_firmware_json,
    identity_firmware_json,
    mount_matrix,
    to_firmware_json,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cal() -> CalibrationFile:
    return calibrate(SynthImu.typical(21), 21)


def test_round_trip_through_disk(cal: CalibrationFile, tmp_path: Path) -> None:
    path = cal.write(tmp_path / cal.file_name())
    assert path.name == "hiplevel-00c1_20260302T093000Z.json"
    back = CalibrationFile.read(path)
    assert back.to_json() == cal.to_json()
    data = json.loads(path.read_text())
    assert data["schema"] == SCHEMA and data["calib_id"] == "2026-03-02T09:30:00Z"
    assert len(data["accel"]["residuals_mg"]) == 9 and data["accel"]["checks"] == 3
    assert np.allclose(back.body_from_chip_matrix(), cal.body_from_chip_matrix(), atol=1e-6)


def test_other_schema_versions_are_refused(cal: CalibrationFile) -> None:
    data = cal.to_json() | {"schema": "hiplevel.calibration/2"}
    with pytest.raises(CalibrationVersionError, match="update hiplevel"):
        CalibrationFile.from_json(data)
    broken = cal.to_json()
    del broken["gyro"]
    with pytest.raises(CalibrationFileError, match="malformed"):
        CalibrationFile.from_json(broken)


def test_not_json_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{not json")
    with pytest.raises(CalibrationFileError, match="not JSON"):
        CalibrationFile.read(path)


def test_stale_after_90_days(cal: CalibrationFile) -> None:
    assert not cal.is_stale(WHEN + timedelta(days=89.9))
    assert cal.is_stale(WHEN + timedelta(days=90.1))
    assert cal.age_days(WHEN + timedelta(days=3)) == pytest.approx(3.0)


def test_firmware_json_round_trip_keeps_what_the_device_applies(cal: CalibrationFile) -> None:
    fw = to_firmware_json(cal)
    assert set(fw) == {"version", "device_id", "calib_id", "temp_c", "gyro_bias_dps", "accel_offset_g",
                       "accel_scale", "mount", "align"}  # fmt: skip
    assert fw["mount"] == "standard"
    assert np.allclose(np.array(fw["accel_scale"]) * np.array(cal.accel.scale), 1.0)
    json.dumps(fw)  # plain JSON types only
    back = from_firmware_json(json.loads(json.dumps(fw)))
    assert back.calib_id == cal.calib_id and back.extra == {"source": "device"}
    raw = np.random.default_rng(0).normal(0, 1, (50, 3))
    assert np.allclose(back.acc_to_body(raw), cal.acc_to_body(raw), atol=1e-5)
    assert np.allclose(back.gyro_to_body(raw), cal.gyro_to_body(raw), atol=1e-5)
    with pytest.raises(CalibrationVersionError):
        from_firmware_json(fw | {"version": 2})


def test_identity_firmware_json_only_applies_the_mount() -> None:
    fw = identity_firmware_json("hiplevel-1a2b", "usb_up")
    assert fw["calib_id"] is None and fw["mount"] == "usb_up"
    with pytest.raises(CalibrationFileError, match="no calibration"):
        from_firmware_json(fw)
    assert np.array_equal(mount_matrix(fw["mount"]) @ [1, 0, 0], [0, 0, -1])


def test_example_device_file_is_valid() -> None:
    examples = sorted((REPO / "calibration" / "devices").glob("EXAMPLE*.json"))
    assert examples, "calibration/devices/ must hold an example file"
    for path in examples:
        example = CalibrationFile.read(path)
        assert example.device_id.startswith("hiplevel-")
        assert np.allclose(example.body_from_chip_matrix() @ example.body_from_chip_matrix().T, np.eye(3), atol=1e-5)
