"""Calibration on the device (firmware/core/calib.py, transform.py) on MicroPython and CPython:
alignment and accel matrix applied, fixed-point transform accuracy, calibrated state, and the raw
stream left alone by the running gyro-bias estimate."""

from __future__ import annotations

import importlib
import json
import sys

import numpy as np
import pytest

from hiplevel.calibration import from_firmware_json

from .conftest import FIRMWARE, run_mp

SCENARIOS = ("transform", "align", "state", "raw_during_calibration", "bias_reset")


@pytest.fixture(scope="module")
def res(tmp_path_factory):
    return {s: run_mp("t_calib.py", s, str(tmp_path_factory.mktemp(s))) for s in SCENARIOS}


def test_fixed_point_transform_matches_float_arithmetic(res):
    r = res["transform"]
    # random counts over the full +-4 g / +-500 deg/s range, every mount, rotated and scaled:
    # Q13 coefficients give <= ~1.5e-4 of full scale
    assert r["worst_acc_mg"] < 0.8
    assert r["worst_gyro_dps"] < 0.1
    # identity calibration: exactly the mount mapping of the counts (quarter counts)
    assert r["identity_q"] == [-8191 * 4, -200 * 4, 100 * 4, -32767 * 4, -7 * 4, 33 * 4]


def test_bad_alignment_and_accel_matrix_rejected(res):
    assert res["transform"]["rejected"] == {"mirror": 2, "not_rotation": 2, "rows": 2, "cross": 2}


def test_alignment_gives_true_obliquity(res):
    r = res["align"]
    assert r["set_calib"] == 0
    # clip 4 / -6 / 15 deg off, pelvis 3 deg left side up
    assert abs(r["roll_without_align"] - 300) > 300
    assert r["roll_with_align"] == pytest.approx(300, abs=5)
    assert r["pitch_with_align"] == pytest.approx(0, abs=5)
    assert r["roll_after_reboot"] == pytest.approx(300, abs=5)  # stored and reloaded
    assert np.allclose(np.array(r["get_calib_align"]) @ np.array(r["get_calib_align"]).T, np.eye(3), atol=1e-6)


def test_identity_calibration_is_not_calibrated(res):
    r = res["state"]
    assert r["identity_set"] == 0
    assert r["identity_info"] == [False, None] and r["identity_flag"] is False
    assert r["real_info"] == [True, "2026-03-02T09:30:00Z"] and r["real_flag"] is True


def test_raw_stream_ignores_running_bias_estimate(res):
    r = res["raw_during_calibration"]
    assert r["identity_set"] == 0 and r["still"] is True
    assert r["fusion_bias_dps"][2] == pytest.approx(2.0, abs=0.05)  # the fusion learnt it...
    assert r["raw_count"] >= 990 and r["raw_gz_values"] == [64]  # ...the raw stream never moved


def test_set_calib_forgets_the_learnt_gyro_bias(res):
    r = res["bias_reset"]
    assert r["bias_before"][2] == pytest.approx(2.0, abs=0.05)  # learnt before the calibration
    assert r["set_calib"] == 0
    # the new file removes the 2 deg/s itself: the estimate starts again from zero...
    assert r["bias_after_set"] == [0.0, 0.0, 0.0]
    # ...and, learnt on the newly calibrated data, stays near zero
    assert r["still"] is True
    assert max(abs(b) for b in r["bias_relearnt"]) < 0.05


def _core(name):
    sys.path.insert(0, str(FIRMWARE))
    try:
        return importlib.import_module(f"core.{name}")
    finally:
        sys.path.remove(str(FIRMWARE))


@pytest.mark.parametrize("mount", ["standard", "usb_left", "inward"])
def test_device_transform_agrees_with_host_model(mount):
    """The host's CalibrationFile (from the same firmware JSON) and the device's fixed-point
    transform give the same body-frame values: align is rows, body <- mounted, after the mount."""
    calib, mount_mod, transform = _core("calib"), _core("mount"), _core("transform")
    rng = np.random.default_rng(11)
    angles = np.radians(rng.uniform(-10, 10, 3))
    cx, cy, cz = np.cos(angles)
    sx, sy, sz = np.sin(angles)
    align = (np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]]) @ np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
             @ np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]]))
    fw = {"version": 1, "calib_id": "2026-03-02T09:30:00Z", "device_id": "hiplevel-1a2b", "temp_c": 27.5,
          "gyro_bias_dps": rng.uniform(-5, 5, 3).round(6).tolist(),
          "accel_offset_g": rng.uniform(-0.05, 0.05, 3).round(6).tolist(),
          "accel_scale": rng.uniform(0.97, 1.03, 3).round(6).tolist(), "mount": mount,
          "align": align.round(6).tolist()}
    host = from_firmware_json(json.loads(json.dumps(fw)))
    device = transform.BodyTransform(calib.Calibration.from_dict(fw), mount_mod.Mount(mount), 8192.0, 65.5)
    counts = rng.integers(-20000, 20000, (50, 7))
    q = [0] * 6
    for c in counts:
        device.apply([int(v) for v in c], q)
        want_a = host.acc_to_body(c[None, 0:3] / 8192.0)[0]
        want_w = host.gyro_to_body(c[None, 4:7] / 65.5)[0]
        assert np.allclose(np.array(q[:3]) * device.accel_g_per_q, want_a, atol=4e-4)
        assert np.allclose(np.array(q[3:]) * device.gyro_dps_per_q, want_w, atol=0.05)
