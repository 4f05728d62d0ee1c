"""The real App loop on MicroPython with the stand-ins: batching, commands, resend, faults,
wrap-around, haptic and serial. One MicroPython process per scenario."""

from __future__ import annotations

import pytest

from .conftest import run_mp

SCENARIOS = ("run", "batching", "commands", "resend", "i2c_fault", "wrap", "haptic", "serial")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = {}
    for s in SCENARIOS:
        fs = tmp_path_factory.mktemp(s)
        out[s] = run_mp("t_app.py", s, str(fs))
    return out


def test_run_loop_samples_and_advertising(results):
    r = results["run"]
    assert r["samples"] == 250
    assert 2490 <= r["virtual_ms"] <= 2520  # 250 samples at 100 Hz of virtual time
    assert r["roll_cdeg"] == 0
    adv, resp, interval = r["adv"]
    adv_b, resp_b = bytes.fromhex(adv), bytes.fromhex(resp)
    assert len(adv_b) <= 31 and len(resp_b) <= 31  # legacy advertising limit
    assert adv_b[:3] == b"\x02\x01\x06"
    assert adv_b[3:5] == b"\x11\x07" and adv_b[5:].hex() == "102d3a0c1e6b4d9f8e4a2b5c01001a7e"
    assert b"hiplevel-1a2b" in resp_b
    assert resp_b[-5:-1] == b"\x04\x16\x0f\x18"  # battery service data
    assert interval == 100000
    assert r["advertising_at_boot"] and not r["advertising_connected"]
    assert r["advertising_after_disconnect"]


def test_mtu_sized_batching(results):
    r = results["batching"]
    assert r["mtu23"] == [[2, 20]] * 5  # 20-byte payload: 2 roll samples
    assert r["mtu23_contiguous"] and r["mtu23_max_len"] <= 20
    assert r["raw_at_23"] == 5  # MTU_TOO_SMALL
    assert r["mtu185"] == [[5, 32]] * 4  # capped at 50 ms of data at 100 Hz
    assert r["mtu185_t_step"] == [50000] * 3
    assert r["raw_at_185"] == 0
    assert r["raw185"] == [[5, 72]] * 3
    assert r["raw_first_sample"] == [0, 0, 4096, 0, 0, 0]  # level, at rest, 1 g up
    assert r["truncated"] == 0
    assert r["status_seen"] >= 1  # STATUS only once the MTU lets it fit


def test_commands(results):
    r = results["commands"]
    assert r["set_rate_bad"] == 2 and r["set_rate_len"] == 3
    assert r["set_rate_200"] == [0, 200, 4]
    assert r["start"] == 0 and r["set_rate_streaming"] == 4 and r["stop"] == 0
    assert r["set_rate_100"] == 0 and r["set_mode_bad"] == 2
    assert r["tare"][0] == 0 and r["tare"][1] == r["tare"][2]
    assert r["tare_moving"] == 4  # BUSY
    assert r["set_haptic"] == [0, "0120032c01", 800, 300]
    assert r["set_haptic_bad"] == 2
    st, info = r["info"]
    assert st == 0
    assert info["device_id"] == "hiplevel-1a2b" and info["protocol"] == 1 and info["mtu"] == 23
    assert info["haptic"] == {"enabled": True, "threshold_cdeg": 800, "debounce_ms": 300}
    assert r["status"] == [0, 14, 0, 3900, 20]
    assert r["calib_default"][0] == 0 and r["calib_default"][1]["calib_id"] is None
    assert r["set_calib"] == 0 and r["calib_file"] == "test-1" and r["calibrated_flag"]
    assert r["set_calib_version"] == 9 and r["set_calib_range"] == 2 and r["set_calib_json"] == 2
    assert r["unknown"] == 1 and r["start_len"] == 3
    assert r["identify"] == 0 and r["identify_led_toggles"] >= 8 and r["identify_motor"]


def test_disconnect_reconnect_resend(results):
    r = results["resend"]
    assert r["advertising_after_drop"]
    before, after = r["gap"]
    assert after - before >= 140  # ~1.5 s lost on air
    assert r["resend_reply"] == [0, before, after - before]
    first, last, n, contiguous = r["resent_seqs"]
    assert (first, last, n, contiguous) == (before, after - 1, after - before, True)
    assert r["resent_values"] == [0, 116] or r["resent_values"][0] == 0
    assert r["resent_t_step"] == 42 * 10000  # full 182-byte packets, evenly spaced times
    assert r["resend_old_sent"] == [0, 0, 5]
    assert r["resend_gone"] == [8, 0]  # NOT_AVAILABLE after the ring wrapped
    assert r["ring_overwritten"] > 200


def test_i2c_failure_recovery(results):
    r = results["i2c_fault"]
    assert r["imu_ok_during"] is False and r["led_code_during"] == 3  # IMU_MISSING pattern
    assert r["imu_ok_after"] is True
    assert r["imu_errors"] >= 1
    assert r["fault_flag_seen"]
    assert r["gap_slots"] * 10000 == r["gap_time_us"]  # seq kept counting slots
    assert 40 <= r["gap_slots"] <= 60
    assert r["init_flag_after_fault"]


def test_ticks_wrap_around(results):
    r = results["wrap"]
    first, last = r["t_first_last"]
    assert first < 2**30 < last  # device time keeps going past the 2^30 ticks wrap
    assert r["t_steps"] == [50000]
    assert r["ticks_wrapped"] and r["seq_contiguous"]


def test_haptic_after_debounce(results):
    r = results["haptic"]
    assert r["pwm_small_drop"] == 0  # 4 deg is inside the 6 deg threshold
    on = r["pwm_on_after_us"]
    # 6 deg crossed at 6/45 s = 133 ms; debounce 250 ms -> first pulse at ~383 ms
    assert 370000 <= on[0] <= 400000
    assert [b - a for a, b in zip(on, on[1:])] == [1000000] * (len(on) - 1)
    assert [off - o for o, off in zip(on, r["pwm_off_after_us"])] == [200000] * len(on)
    assert r["roll_cdeg"] == pytest.approx(-900, abs=30) and r["haptic_flag"]


def test_serial_link(results):
    r = results["serial"]
    assert r["first_frames"][0] == [2, 0x14, True]  # the START reply on channel 2
    assert r["all_crc_ok"] and r["bad_frames"] == 1
    assert r["data_frames"] >= 9
