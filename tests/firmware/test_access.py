"""Access control on the real firmware (MicroPython): a central without the device key gets
advertising, Device Information and battery, and nothing else, is refused every command (each
refusal counted) and is hung up on after the timeout; a recorded command cannot be replayed; a
key is provisioned over USB only."""

from __future__ import annotations

import pytest

from .conftest import Scenarios

OK, NOT_AVAILABLE, AUTH_REQUIRED, AUTH_FAILED, USB_ONLY = 0, 8, 10, 11, 12
BAD_LENGTH = 3


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return Scenarios("t_access.py", tmp_path_factory)


def test_a_central_without_the_key_is_refused_every_command(results):
    r = results["unauthenticated"]
    assert r["serial_start"] == OK
    statuses = r["statuses"]
    assert statuses.pop("SET_KEY") == USB_ONLY
    assert statuses == {name: AUTH_REQUIRED for name in statuses}
    total, set_calib, tare, set_rate, stop = r["refused"]
    assert total == 13 and set_calib == tare == set_rate == stop == 1
    streaming, rate, calib_id, neutral, threshold, mode, identify_off = r["state"]
    assert streaming is True and rate == 100 and calib_id is None and neutral == 0
    assert threshold == 600 and mode == 1 and identify_off is True


def test_a_central_without_the_key_reads_no_movement_data(results):
    r = results["unauthenticated"]
    assert r["data_to_unauthenticated"] == 0
    assert r["samples_to_serial"] is True  # the session goes on over the cable
    assert r["dis_serial"] == "hiplevel-1a2b" and r["battery_readable"] is True
    assert r["data_to_authenticated"] > 10


def test_a_central_that_does_not_authenticate_is_hung_up_on(results):
    r = results["unauthenticated"]
    assert r["advertising_while_held"] is False  # one connection: it holds the only one...
    in_disconnects, connected, advertising, timeouts = r["dropped"]
    assert in_disconnects and not connected and advertising and timeouts == 1  # ...until the timeout
    sec = r["info_security"]
    assert sec["key"] is True and sec["refused"] == 13 and sec["auth_timeouts"] == 1
    assert sec["refused_by_cmd"]["11"] == 1  # SET_CALIB


def test_a_recorded_command_cannot_be_replayed(results):
    r = results["replay"]
    assert r["original_then_replay"] == [OK, AUTH_FAILED]
    assert r["old_counter"] == AUTH_FAILED and r["next_counter"] == OK
    assert r["threshold"] == 600
    assert r["replay_next_connection"] == AUTH_FAILED
    assert r["forged"] == AUTH_FAILED


def test_three_failures_in_a_connection_hang_up(results):
    r = results["replay"]
    in_connection, total, connected = r["failures"]
    assert in_connection == 2 and connected is True  # the replay, then the forged tag
    assert total == 4  # and two in the connection before
    connected, dropped, advertising = r["dropped_after_3"]
    assert connected is False and dropped == 1 and advertising is True


def test_a_wrong_key_does_not_authenticate(results):
    r = results["wrong_key"]
    assert r["wrong_key"] == [AUTH_FAILED, AUTH_FAILED, True]
    connected, failures = r["after_3"]
    assert connected is False and failures == 3
    assert r["prove_without_begin"] == AUTH_FAILED
    assert r["right_key"] == OK


def test_the_key_is_provisioned_over_usb_only(results):
    r = results["provision"]
    assert r["begin_unprovisioned"] == NOT_AVAILABLE
    assert r["start_unprovisioned"] == AUTH_REQUIRED  # a fresh belt is locked, not open
    assert r["set_key_over_ble"] == USB_ONLY
    assert r["set_key_over_usb"] == [OK, True]
    assert r["ble_dropped_on_new_key"] == [True, False]
    assert r["bad_length"] == BAD_LENGTH
    assert r["authenticated"] is True and r["start"] == OK
    assert r["after_reboot"] is True
    assert r["erase"][0] == OK
    assert r["after_erase"] == [True, AUTH_REQUIRED]


def test_firmware_and_host_sign_the_same_commands():
    import subprocess
    import sys

    from hiplevel.protocol import SIGNED_COMMANDS

    from .conftest import FIRMWARE

    code = f"import sys; sys.path.insert(0, {str(FIRMWARE)!r}); from core.access import SIGNED; print(sorted(SIGNED))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == str(sorted(int(c) for c in SIGNED_COMMANDS))


def test_le_secure_connections_pairing_with_bonding(results):
    r = results["pairing"]
    assert r["offered"] == [True, True, True, 3]  # bond, LE Secure Connections, no IO: Just Works
    assert r["encrypted_before"] is False
    encrypted, bonded, n_secrets, security = r["after_pairing"]
    assert encrypted and bonded and n_secrets == 2 and security == [True, False, True]
    assert r["bond_file"] == 2
    assert r["info"] == [True, True, 2]
    assert r["bonds_after_reboot"] == 2
    assert r["returning"] == [True, True, 2]  # the bond was found: no new secrets
    assert r["bonds_bounded"] <= 24
    assert r["damaged_file"] == 0


def test_encrypted_only_refuses_an_unpaired_central_at_the_stack(results):
    r = results["encrypted_only"]
    assert r["security_request"] is True
    assert r["unencrypted_write"] == [0x0F, 0]  # ATT: insufficient encryption; no reply
    assert r["authenticate_after_pairing"] == OK and r["start"] == OK
    assert r["data_encrypted"] is True
