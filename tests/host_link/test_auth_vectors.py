"""The host's command authentication (hiplevel.protocol.auth) against the shared vectors, which
the firmware's core/auth.py is checked against too (tests/firmware/test_packets.py)."""

from __future__ import annotations

import pytest

import hiplevel.protocol as P
from hiplevel.errors import LengthError
from hiplevel.protocol import auth as A
from hostlink_vectors import load_vectors


@pytest.mark.parametrize("vec", load_vectors("auth"), ids=lambda v: v["name"])
def test_handshake_values(vec: dict) -> None:
    f = vec["fields"]
    key = bytes.fromhex(f["key_hex"])
    skey = A.session_key(key, bytes.fromhex(f["device_nonce_hex"]), bytes.fromhex(f["host_nonce_hex"]))
    assert A.key_id(key).hex() == f["key_id_hex"]
    assert skey.hex() == f["session_key_hex"]
    assert A.host_proof(skey).hex() == f["host_proof_hex"]
    assert A.device_proof(skey).hex() == f["device_proof_hex"]
    packet = P.encode_command(P.Cmd.AUTH_PROVE, f["token"],
                              A.auth_prove_payload(bytes.fromhex(f["host_nonce_hex"]), A.host_proof(skey)))
    assert packet.hex() == vec["hex"]


@pytest.mark.parametrize("vec", load_vectors("signed_command"), ids=lambda v: v["name"])
def test_signed_command(vec: dict) -> None:
    f = vec["fields"]
    skey = bytes.fromhex(f["session_key_hex"])
    payload = A.sign_payload(skey, f["cmd"], f["counter"], bytes.fromhex(f["payload_hex"]))
    assert P.encode_command(f["cmd"] | P.CMD_SIGNED_BIT, f["token"], payload).hex() == vec["hex"]
    assert payload[A.COUNTER_BYTES : A.SIG_BYTES].hex() == f["tag_hex"]


def test_auth_begin_reply_parses_and_rejects_bad_lengths() -> None:
    vec = next(v for v in load_vectors("reply") if v["name"] == "reply_auth_begin")
    nonce, kid = A.parse_auth_begin_reply(P.decode_reply(bytes.fromhex(vec["hex"])).payload)
    assert len(nonce) == A.NONCE_BYTES and len(kid) == A.KEY_ID_BYTES
    with pytest.raises(LengthError):
        A.parse_auth_begin_reply(b"\x00" * 11)


def test_the_signed_commands_are_the_state_changing_ones() -> None:
    read_only = {P.Cmd.RESEND, P.Cmd.GET_INFO, P.Cmd.GET_CALIB, P.Cmd.GET_STATUS}
    handshake = {P.Cmd.AUTH_BEGIN, P.Cmd.AUTH_PROVE, P.Cmd.SET_KEY}
    assert P.SIGNED_COMMANDS == set(P.Cmd) - read_only - handshake
