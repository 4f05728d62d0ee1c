"""Firmware encoder (on MicroPython) against the shared vectors in tests/vectors/protocol.json."""

from __future__ import annotations

import json

from .conftest import VECTORS

VECTOR_LIST = json.loads(VECTORS.read_text())["vectors"]


def test_every_vector_encodes_exactly(mp):
    got = mp("t_packets.py", str(VECTORS))
    for v in VECTOR_LIST:
        if v["kind"] == "crc16":
            assert got[v["name"]] == v["fields"]["crc"], v["name"]
        else:
            assert got[v["name"]] == v["hex"], v["name"]
        if v["kind"] == "cobs":
            assert got[v["name"] + ":decoded"] == v["fields"]["data_hex"], v["name"]
        if v["kind"] == "auth":
            f = v["fields"]
            want = [f["key_id_hex"], f["session_key_hex"], f["host_proof_hex"], f["device_proof_hex"]]
            assert got[v["name"] + ":values"] == want, v["name"]
        if v["kind"] == "signed_command":
            assert got[v["name"] + ":verify"] == [v["fields"]["payload_hex"], None], v["name"]


def test_vector_kinds_all_covered():
    assert {v["kind"] for v in VECTOR_LIST} <= {"packet", "reply", "command", "crc16", "cobs", "frame", "auth",
                                                 "signed_command"}


def test_malformed_cobs_rejected(mp):
    got = mp("t_packets.py", str(VECTORS))
    assert got["cobs_bad_zero"] == -1
    assert got["cobs_bad_overrun"] == -1
