"""`hiplevel calibrate`: unattended on the virtual device as a real process; the sensor path a
person uses (BLE, Enter to start each pose) against the virtual device behind bleak's backend=;
and the pieces that judge and compare."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
from contextlib import AsyncExitStack
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from hiplevel.calibration import CalibrationFile, Step
from hiplevel.cli.calibrate_action import judge, output_path
from hiplevel.cli.calibrate_device import DeviceStream, PromptPacer, calibrate_on, firmware_json_differences
from hiplevel.protocol import Cmd
from hiplevel.sim.calibration_script import CalibrationScriptSpec, calibration_truth, simulate_calibration

HIPLEVEL = [sys.executable, "-m", "hiplevel"]
EXAMPLE = Path(__file__).parents[2] / "calibration" / "devices" / "EXAMPLE_hiplevel-0000_20260302T093000Z.json"


@pytest.mark.slow
def test_calibrate_virtual_unattended_writes_the_file_pushes_and_the_device_keeps_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "HIPLEVEL_NO_PROGRESS": "1"}

    def hiplevel(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*HIPLEVEL, *args, "--data-dir", str(data)], capture_output=True, text=True,
                              timeout=180, env=env, stdin=subprocess.DEVNULL, cwd=tmp_path)

    before = hiplevel("info", "--virtual")
    assert before.returncode == 0 and "calibration:  missing" in before.stdout, before.stdout + before.stderr
    proc = hiplevel("calibrate", "--virtual", "--push")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    # The file goes to the data folder's calibration/, not to the current folder.
    files = list((data / "calibration").glob("hiplevel-*_*.json"))
    assert not (tmp_path / "calibration").exists()
    # The virtual device keeps what was pushed, as a board would: `info --virtual` shows it.
    after = hiplevel("info", "--virtual")
    assert after.returncode == 0
    assert re.search(r"^calibration:  ok \(20\d\d-\d\d-\d\d\)$", after.stdout, re.M), after.stdout
    assert len(files) == 1
    doc = json.loads(files[0].read_text())
    assert doc["schema"] == "hiplevel.calibration/1" and doc["device_id"].startswith("hiplevel-")
    assert doc["temperature_c"] is not None and 15.0 < doc["temperature_c"] < 40.0
    assert len(doc["accel"]["residuals_mg"]) == 9 and doc["accel"]["check_error_mg"] < 15.0
    assert doc["alignment"]["method"] == "static+functional"
    cal = CalibrationFile.read(files[0])
    text = proc.stdout
    # Every step prompted in order, recorded with a countdown, accepted with its figure.
    assert "Step 1/12 (gyro)" in text and "Step 12/12 (walking)" in text
    assert "Lay the sensor flat on the table, label up." in text
    assert "Recording, keep still: " in text and " done." in text
    assert text.count("OK: still, ") == 10  # gyro, six faces, three slanted poses
    assert "residuals:" in text and "VERDICT: good" in text
    assert f"the sensor holds calibration {cal.calib_id}, identical to the file" in text
    assert "still posture 1 (pelvis roll +0.0 deg" in text and "calibration file: " in text


@pytest.mark.slow
async def test_person_paced_calibration_over_ble_leaves_the_sensor_as_found(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The path of a real sensor: found by BLE scan (HIPLEVEL_BLE_BACKEND=virtual), each pose started
    by the person (here: a scripted person who 'presses Enter' once the pose is in place)."""
    from hiplevel.cli.connect import open_sensor
    from hiplevel.virtual.process import VirtualDevice, VirtualDeviceConfig

    script = simulate_calibration(CalibrationScriptSpec(seed=23, hold_margin_s=3.0))
    chip = script.write_chip_stream(tmp_path / "calibration.chip")
    tries = list(script.tries())

    async def person_presses_enter(step: Step, stream: DeviceStream) -> float:
        w = tries.pop(0)
        assert w.key == step.key
        await stream.wait_until(w.start_s * 1e6)
        # The virtual device (speed 0) runs ahead of a busy host: the person was ready when the
        # script says, not when this line ran.
        return w.start_s * 1e6

    monkeypatch.setenv("HIPLEVEL_BLE_BACKEND", "virtual")
    args = argparse.Namespace(virtual=False, port=None, device=None, timeout=30.0)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=0.0)))
        sensor = await stack.enter_async_context(open_sensor(args))
        before = json.loads(bytes((await sensor.link.request(Cmd.GET_CALIB, timeout_s=10.0)).payload))
        run = await calibrate_on(sensor, PromptPacer(ready=person_presses_enter), push=False,
                                 now_utc=datetime(2026, 3, 3, tzinfo=timezone.utc))
        after = json.loads(bytes((await sensor.link.request(Cmd.GET_CALIB, timeout_s=10.0)).payload))
    assert after == before  # not pushed: the identity used while recording is taken back
    cal, truth = run.calibration, calibration_truth(script)
    assert np.abs(np.subtract(cal.gyro.bias_dps, truth.gyro_bias_dps)).max() < 0.05
    assert np.abs(np.subtract(cal.accel.offset_g, truth.accel_offset_g)).max() < 0.005
    assert np.abs(np.subtract(cal.accel.scale, truth.accel_scale)).max() < 0.003
    shown = capsys.readouterr().out
    assert shown.count("Press Enter when ready.") == 12 and "Walk now: " in shown


def test_out_is_a_folder_or_a_json_file_and_by_default_the_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cal = CalibrationFile.read(EXAMPLE)
    assert output_path(tmp_path, cal) == tmp_path / "hiplevel-0000_20260302T093000Z.json"
    assert output_path(tmp_path / "mine.json", cal) == tmp_path / "mine.json"
    # Without --out: calibration/ in the data folder (--data-dir, else the user's), never the current folder.
    assert output_path(None, cal, tmp_path / "data") == tmp_path / "data" / "calibration" / cal.file_name()
    monkeypatch.setenv("HIPLEVEL_DATA_DIR", str(tmp_path / "user"))
    assert output_path(None, cal) == tmp_path / "user" / "calibration" / cal.file_name()


def test_verdict_rejects_a_check_error_over_the_limit() -> None:
    from dataclasses import replace

    cal = CalibrationFile.read(EXAMPLE)
    good, text = judge(replace(cal, accel=replace(cal.accel, check_error_mg=4.0)))
    assert good and text.startswith("VERDICT: good") and "4.0 mg" in text
    bad, text = judge(replace(cal, accel=replace(cal.accel, check_error_mg=22.5)))
    assert not bad and "22.5 mg RMS is over 15 mg" in text


def test_read_back_comparison_finds_a_changed_value_and_ignores_rounding() -> None:
    from hiplevel.calibration import to_firmware_json

    sent = to_firmware_json(CalibrationFile.read(EXAMPLE))
    same = json.loads(json.dumps(sent))
    same["gyro_bias_dps"] = [v + 1e-7 for v in same["gyro_bias_dps"]]
    same["extra_field_from_the_device"] = 1
    assert firmware_json_differences(sent, same) == []
    changed = json.loads(json.dumps(sent))
    changed["align"][1][2] += 0.01
    changed["calib_id"] = None
    diffs = firmware_json_differences(sent, changed)
    assert len(diffs) == 2 and diffs[0].startswith("calib_id") and diffs[1].startswith("align")
