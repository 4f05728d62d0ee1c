# Who may do what, per link (docs/security.md, docs/protocol.md "Authentication"):
#   - the USB serial link is trusted: whoever holds the cable can reflash the belt anyway;
#   - on BLE, before the handshake only AUTH_BEGIN and AUTH_PROVE are answered (the Device
#     Information and Battery services and the advertisement are readable by anyone);
#   - after it, read-only commands are answered, and state-changing ones only with a valid tag
#     and a counter above the last one (core/auth.py);
#   - SET_KEY (provisioning) only over USB.
# Refusals are answered (AUTH_REQUIRED, AUTH_FAILED, USB_ONLY) and counted.
from core import auth
from core import packets as P

# state-changing: each must carry a tag over BLE
SIGNED = (P.CMD_START, P.CMD_STOP, P.CMD_SET_RATE, P.CMD_SET_MODE, P.CMD_TARE, P.CMD_SET_HAPTIC,
          P.CMD_IDENTIFY, P.CMD_SET_CALIB)
OPEN = (P.CMD_AUTH_BEGIN, P.CMD_AUTH_PROVE)


class AccessControl:
    """The device key (None: not provisioned, so no central can authenticate) and the counts:
    `refused` (commands refused for want of authentication), `auth_failures` (bad proofs, bad or
    replayed tags), `auth_timeouts` and `dropped` (connections the device hung up on).
    `random_bytes(n)` is the nonce source (os.urandom: the ESP32's hardware RNG)."""

    def __init__(self, key, random_bytes):
        self.random_bytes = random_bytes
        self.set_key(key)
        self.refused = 0
        self.refused_cmds = {}  # command code -> times refused
        self.auth_failures = 0
        self.auth_timeouts = 0
        self.dropped = 0

    def set_key(self, key):
        self.key = bytes(key) if key else None
        self.key_id = auth.key_id(self.key) if self.key else None

    def admit(self, link, cmd, payload):
        """(code, payload, status): execute `code` with `payload` when status is None, else
        refuse it with `status`. `cmd` may carry the signed bit (the payload then starts with
        counter and tag)."""
        code = cmd & 0x7F
        session = link.session
        if cmd & P.CMD_SIGNED:
            body = session.verify(code, payload)
            if body is None:
                self.auth_failures += 1
                return code, None, P.S_AUTH_FAILED
            return code, body, None
        if link.trusted or code in OPEN:
            return code, payload, None
        if code == P.CMD_SET_KEY:
            return code, None, self._refuse(code, P.S_USB_ONLY)
        if code in SIGNED or not session.authed:
            return code, None, self._refuse(code, P.S_AUTH_REQUIRED)
        return code, payload, None

    def _refuse(self, code, status):
        self.refused += 1
        self.refused_cmds[code] = self.refused_cmds.get(code, 0) + 1
        return status

    def begin(self, link):
        """AUTH_BEGIN: (status, body) with a fresh nonce and the key id."""
        if self.key is None:
            link.session.reset()
            return P.S_NOT_AVAILABLE, b""
        nonce = self.random_bytes(auth.NONCE_BYTES)
        link.session.begin(nonce)
        return P.S_OK, bytes(nonce) + self.key_id

    def prove(self, link, payload):
        """AUTH_PROVE (host nonce | host proof): (status, body) with the device's proof."""
        if len(payload) != auth.NONCE_BYTES + auth.PROOF_BYTES:
            return P.S_BAD_LENGTH, b""
        n = auth.NONCE_BYTES
        proof = link.session.prove(self.key, payload[:n], payload[n:])
        if proof is None:
            self.auth_failures += 1
            return P.S_AUTH_FAILED, b""
        return P.S_OK, proof

    def counts(self):
        by_cmd = {}
        for code in self.refused_cmds:
            by_cmd["%d" % code] = self.refused_cmds[code]
        return {"key": self.key is not None, "refused": self.refused, "refused_by_cmd": by_cmd,
                "auth_failures": self.auth_failures, "auth_timeouts": self.auth_timeouts, "dropped": self.dropped}
