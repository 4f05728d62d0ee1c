"""Command authentication, wire side (docs/protocol.md, "Authentication"; the firmware's
`core/auth.py` computes the same values, both checked against tests/vectors/protocol.json).

A 16-byte key per device, provisioned over USB. Per BLE connection: AUTH_BEGIN gives the device's
nonce and the id of its key; the host answers AUTH_PROVE with its own nonce and a proof, the device
answers with its proof; both derive the session key. Every state-changing command then carries
`counter u32 | tag 8` in front of its payload, the tag an HMAC-SHA256 under the session key.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from typing import Final

from hiplevel.errors import LengthError

KEY_BYTES: Final[int] = 16
NONCE_BYTES: Final[int] = 8
KEY_ID_BYTES: Final[int] = 4
PROOF_BYTES: Final[int] = 16
COUNTER_BYTES: Final[int] = 4
TAG_BYTES: Final[int] = 8
SIG_BYTES: Final[int] = COUNTER_BYTES + TAG_BYTES
COUNTER_MAX: Final[int] = 0xFFFFFFFF

_KEY_ID_LABEL = b"hiplevel-key-id"
_SESSION_LABEL = b"hiplevel-session"


def _hmac(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()


def key_id(key: bytes) -> bytes:
    """The 4 bytes that name a key without revealing it (the device sends them in AUTH_BEGIN)."""
    return hashlib.sha256(_KEY_ID_LABEL + key).digest()[:KEY_ID_BYTES]


def session_key(key: bytes, device_nonce: bytes, host_nonce: bytes) -> bytes:
    """HMAC-SHA256(key, "hiplevel-session" | device nonce | host nonce), 32 bytes."""
    return _hmac(key, _SESSION_LABEL + device_nonce + host_nonce)


def host_proof(skey: bytes) -> bytes:
    return _hmac(skey, b"host")[:PROOF_BYTES]


def device_proof(skey: bytes) -> bytes:
    return _hmac(skey, b"device")[:PROOF_BYTES]


def command_tag(skey: bytes, cmd: int, counter: int, payload: bytes) -> bytes:
    """HMAC-SHA256(session key, cmd u8 | counter u32 LE | payload)[:8]."""
    return _hmac(skey, bytes((cmd & 0x7F,)) + struct.pack("<I", counter) + payload)[:TAG_BYTES]


def sign_payload(skey: bytes, cmd: int, counter: int, payload: bytes) -> bytes:
    """The payload of a signed command: counter u32 LE | tag | payload."""
    return struct.pack("<I", counter) + command_tag(skey, cmd, counter, payload) + payload


def parse_auth_begin_reply(payload: bytes) -> tuple[bytes, bytes]:
    """AUTH_BEGIN reply payload -> (device nonce, key id)."""
    if len(payload) != NONCE_BYTES + KEY_ID_BYTES:
        raise LengthError(f"AUTH_BEGIN reply payload of {len(payload)} bytes (expected {NONCE_BYTES + KEY_ID_BYTES})")
    return payload[:NONCE_BYTES], payload[NONCE_BYTES:]


def auth_prove_payload(host_nonce: bytes, proof: bytes) -> bytes:
    """AUTH_PROVE payload: host nonce | host proof."""
    if len(host_nonce) != NONCE_BYTES or len(proof) != PROOF_BYTES:
        raise LengthError("AUTH_PROVE needs an 8-byte nonce and a 16-byte proof")
    return host_nonce + proof
