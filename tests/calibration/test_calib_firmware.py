"""The host's calibration and the firmware's agree: the firmware's own code (firmware/core/calib.py,
mount.py, run here on CPython: they import no hardware) applies a pushed calibration exactly as
the host's model does, and both know the same mounting presets."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from calib_run import calibrate
from calib_synth import SynthImu

from hiplevel.calibration import MOUNT_PRESETS, ProcedureSettings, identity_firmware_json, to_firmware_json

CORE = Path(__file__).resolve().parents[2] / "firmware" / "core"


def _load(name: str) -> ModuleType:
    path = CORE / f"{name}.py"
    if not path.exists():
        pytest.skip(f"{path} not written yet")
    spec = importlib.util.spec_from_file_location(f"fw_core_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mount_presets_equal_the_firmware_presets() -> None:
    firmware = _load("mount").PRESETS
    assert {k: tuple(v) for k, v in firmware.items()} == MOUNT_PRESETS


@pytest.mark.parametrize("mount", ["standard", "usb_left"])
def test_firmware_applies_a_pushed_calibration_like_the_host(mount: str) -> None:
    calib, mount_mod = _load("calib"), _load("mount")
    cal = calibrate(SynthImu.typical(31), 31, ProcedureSettings(mount=mount, alignment=False))
    pushed = json.loads(json.dumps(to_firmware_json(cal)))
    device = calib.Calibration.from_dict(pushed)
    m = mount_mod.Mount(pushed["mount"])
    raw_acc = np.random.default_rng(3).normal(0, 1, (20, 3))
    raw_gyro = np.random.default_rng(4).normal(0, 20, (20, 3))
    for a, w, want_a, want_w in zip(raw_acc, raw_gyro, cal.acc_to_body(raw_acc), cal.gyro_to_body(raw_gyro)):
        acc, gyro, body_a, body_w = list(a), list(w), [0.0] * 3, [0.0] * 3
        device.apply(acc, gyro)
        m.apply(acc, body_a)
        m.apply(gyro, body_w)
        assert np.allclose(body_a, want_a, atol=1e-5) and np.allclose(body_w, want_w, atol=1e-5)


def test_firmware_accepts_the_identity_calibration() -> None:
    calib = _load("calib")
    device = calib.Calibration.from_dict(identity_firmware_json("hiplevel-1a2b", "usb_right"))
    acc, gyro = [0.1, -0.2, 0.9], [1.0, 2.0, 3.0]
    device.apply(acc, gyro)
    assert acc == [0.1, -0.2, 0.9] and gyro == [1.0, 2.0, 3.0]
