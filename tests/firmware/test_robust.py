"""Hostile and malformed input on the real App (MicroPython): every command body of every length
gets one reply and the sample loop goes on; calibrations and settings out of bounds are refused;
a flood of writes is served a few per loop iteration; flash is not rewritten on every write; the
watchdog runs once the belt is in use."""

from __future__ import annotations

import pytest

from .conftest import Scenarios

BAD_ARG, BAD_VERSION = 2, 9


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return Scenarios("t_robust.py", tmp_path_factory)


def test_every_malformed_body_gets_a_reply_and_sampling_goes_on(results):
    r = results["malformed"]
    assert r["replies"] == r["sent"] > 1000
    assert r["streaming"] is True
    done, expected = r["samples"]
    assert expected - 2 <= done <= expected + 1  # one sample per 10 ms throughout
    assert r["contiguous"] is True
    assert r["calibrated"] is False  # none of the hostile calibrations was taken


def test_hostile_calibrations_are_refused_not_raised(results):
    statuses = results["malformed"]["bad_calib_status"]
    for name, status in statuses.items():
        want = BAD_VERSION if name == "version_string" else BAD_ARG
        assert status == want, (name, status)


def test_calibration_and_settings_bounds(results):
    r = results["bounds"]
    assert r["align_180"] == BAD_ARG and r["calibrated_after_180"] is False and r["file_after_180"] == 0
    assert r["align_30"] == 0 and r["mount_list_ok"] == 0
    assert r["haptic_0_01_deg"] == BAD_ARG and r["haptic_1_deg"] == BAD_ARG
    assert r["haptic_2_deg"] == 0 and r["haptic_40_deg"] == BAD_ARG and r["haptic_debounce_60s"] == BAD_ARG
    assert r["threshold"] == 200
    assert r["identify_255"] == BAD_ARG and r["identify_30"] == 0


def test_a_flood_is_served_a_few_commands_per_iteration(results):
    r = results["flood"]
    assert r["replies_after_one_step"] == 2
    assert r["replies_after_more_steps"] == 6
    status, slot_calls = r["resend_far"]
    assert status == 8 and slot_calls <= 2  # NOT_AVAILABLE without scanning 65535 slots
    status, count, slot_calls = r["resend_from_zero"]
    assert status == 0 and count > 0 and slot_calls <= 2 * 2048


def test_calibration_writes_to_flash_are_coalesced(results):
    r = results["flash"]
    assert r["statuses"] == [0] * 20
    assert r["writes_during_burst"] == 1  # the first at once, the rest wait their turn
    assert r["writes_after_15s"] == 2  # then the latest, once
    assert r["on_flash"] == "burst-19"
    assert r["info_pending"] is False
    assert r["rewrites_of_same"] == 0


def test_watchdog_runs_once_the_belt_is_in_use(results):
    r = results["watchdog"]
    assert r["armed_at_boot"] is False  # an idle board can still be stopped and flashed
    armed, timeout_ms, fed = r["armed_after_connect"]
    assert armed and 1000 <= timeout_ms <= 10000 and fed
    assert r["resets_while_running"] == 0
    resets, why = r["reset_on_hang"]
    assert resets == 1 and "reset" in why


def test_connection_events_faster_than_the_loop(results):
    r = results["races"]
    assert r["connect_disconnect"] == [False, True]  # advertising again
    assert r["disconnect_connect"] == [True, False, False]  # the new connection, not yet authenticated
    assert r["new_connection_usable"] == 0
