# Command authentication (docs/protocol.md, "Authentication"; docs/security.md): a per-device key
# provisioned over USB, a challenge-response handshake per BLE connection that derives a session
# key, and a truncated HMAC-SHA256 tag with a counter on every state-changing command, so a
# recorded command cannot be replayed (the counter) nor replayed into another connection (the
# session key is fresh per connection).
#
# HMAC-SHA256 (RFC 2104) is built here from hashlib.sha256: neither the ESP32 nor the unix port
# of MicroPython ships `hmac`. No clock, no radio: the nonce source is passed in.
import hashlib
import os

try:
    from micropython import const
except ImportError:  # CPython (host tests import the core)

    def const(x):
        return x


KEY_BYTES = const(16)
NONCE_BYTES = const(8)
KEY_ID_BYTES = const(4)
PROOF_BYTES = const(16)
COUNTER_BYTES = const(4)
TAG_BYTES = const(8)
SIG_BYTES = const(12)  # counter + tag, in front of a signed command's payload
MAX_FAILURES = const(3)  # bad proofs or tags in one connection before it is dropped
_BLOCK = const(64)

_KEY_ID_LABEL = b"hiplevel-key-id"
_SESSION_LABEL = b"hiplevel-session"
_HOST_LABEL = b"host"
_DEVICE_LABEL = b"device"


def hmac_sha256(key, msg):
    """HMAC-SHA256 of msg under key (bytes-like, key at most 64 bytes), 32 bytes."""
    k = bytearray(_BLOCK)
    k[: len(key)] = key
    ipad = bytearray(_BLOCK)
    opad = bytearray(_BLOCK)
    for i in range(_BLOCK):
        ipad[i] = k[i] ^ 0x36
        opad[i] = k[i] ^ 0x5C
    inner = hashlib.sha256(ipad)
    inner.update(msg)
    outer = hashlib.sha256(opad)
    outer.update(inner.digest())
    return outer.digest()


def equal(a, b):
    """Constant-time comparison of two byte strings."""
    if len(a) != len(b):
        return False
    d = 0
    for i in range(len(a)):
        d |= a[i] ^ b[i]
    return d == 0


def key_id(key):
    """4 bytes that name a key without revealing it (the host picks its key by it)."""
    return hashlib.sha256(_KEY_ID_LABEL + bytes(key)).digest()[:KEY_ID_BYTES]


def session_key(key, device_nonce, host_nonce):
    return hmac_sha256(key, _SESSION_LABEL + bytes(device_nonce) + bytes(host_nonce))


def host_proof(skey):
    return hmac_sha256(skey, _HOST_LABEL)[:PROOF_BYTES]


def device_proof(skey):
    return hmac_sha256(skey, _DEVICE_LABEL)[:PROOF_BYTES]


def _u32(v):
    return bytes((v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >> 24) & 0xFF))


def command_tag(skey, cmd, counter, payload):
    """Tag of a signed command: HMAC(session key, cmd u8 | counter u32 LE | payload)[:8]."""
    return hmac_sha256(skey, bytes((cmd & 0x7F,)) + _u32(counter) + bytes(payload))[:TAG_BYTES]


def sign(skey, cmd, counter, payload):
    """The signed payload: counter u32 LE | tag | payload."""
    return _u32(counter) + command_tag(skey, cmd, counter, payload) + bytes(payload)


class Session:
    """Authentication state of one link. `begin(nonce)` starts a handshake (AUTH_BEGIN),
    `prove(...)` completes it (AUTH_PROVE), `verify(...)` checks a signed command. `authed` once
    the host proved the key; `failures` counts bad proofs and tags in this connection."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.nonce = None
        self.key = None
        self.authed = False
        self.counter = 0
        self.failures = 0

    def begin(self, nonce):
        failures = self.failures
        self.reset()
        self.failures = failures  # a new challenge does not forgive earlier bad tries
        self.nonce = bytes(nonce)

    def prove(self, device_key, host_nonce, proof):
        """The device's proof (bytes) when `proof` shows the host holds `device_key`, else None."""
        if self.nonce is None or device_key is None:
            self.failures += 1
            return None
        skey = session_key(device_key, self.nonce, host_nonce)
        self.nonce = None  # one proof per challenge
        if not equal(proof, host_proof(skey)):
            self.failures += 1
            return None
        self.key = skey
        self.authed = True
        self.counter = 0
        return device_proof(skey)

    def verify(self, cmd, data):
        """The command payload of a signed command `data` (counter | tag | payload), or None
        when the session is not authenticated, the tag is wrong, or the counter is not above
        the last one accepted (a replay)."""
        if not self.authed or len(data) < SIG_BYTES:
            self.failures += 1
            return None
        counter = data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)
        payload = bytes(data[SIG_BYTES:])
        if counter <= self.counter or not equal(data[COUNTER_BYTES:SIG_BYTES],
                                                command_tag(self.key, cmd, counter, payload)):
            self.failures += 1
            return None
        self.counter = counter
        return payload


def load_key(path):
    """The device key from flash, or None when none is provisioned (or the file is damaged)."""
    try:
        with open(path, "rb") as f:
            key = f.read()
    except OSError:
        return None
    return key if len(key) == KEY_BYTES else None


def save_key(path, key):
    """Store the device key (None: erase it). Raises OSError when the flash cannot be written."""
    if key is None:
        try:
            os.remove(path)
        except OSError:
            pass
        return
    with open(path, "wb") as f:
        f.write(bytes(key))
