"""The host side of command authentication (docs/protocol.md, "Authentication"; docs/security.md):
the keys this process holds, the per-connection session that signs state-changing commands, the
handshake, and provisioning a key over USB.

Keys are found by the key id a device gives in AUTH_BEGIN. `known_keys()` is the process's key
ring: the CLI loads the session store's keys into it (`hiplevel pair` put them there), and a
virtual device started in this process adds its own, so a `BleLink` finds them without being told.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from hiplevel.errors import LinkError, ProtocolError
from hiplevel.protocol import CMD_SIGNED_BIT, SIGNED_COMMANDS, Cmd, Reply, ReplyStatus
from hiplevel.protocol import auth as A

PAIR_HINT = "connect it with its USB cable and run `hiplevel pair --port PORT`"


class NotPairedError(LinkError):
    """The sensor has no key yet, or this computer does not hold its key."""


class AuthenticationError(LinkError):
    """The handshake failed: the sensor refused the proof, or its own proof was wrong."""


@dataclass(frozen=True)
class DeviceKey:
    """A device's key and the name it was paired under."""

    device_id: str
    key: bytes

    @property
    def key_id(self) -> bytes:
        return A.key_id(self.key)


class KeyRing:
    """Device keys by key id."""

    def __init__(self) -> None:
        self._keys: dict[bytes, DeviceKey] = {}

    def add(self, device_id: str, key: bytes) -> DeviceKey:
        if len(key) != A.KEY_BYTES:
            raise ValueError(f"a device key is {A.KEY_BYTES} bytes, not {len(key)}")
        entry = DeviceKey(device_id, bytes(key))
        self._keys[entry.key_id] = entry
        return entry

    def remove(self, key: bytes) -> None:
        self._keys.pop(A.key_id(key), None)

    def lookup(self, key_id: bytes) -> DeviceKey | None:
        return self._keys.get(bytes(key_id))

    def __len__(self) -> int:
        return len(self._keys)


_KNOWN = KeyRing()


def known_keys() -> KeyRing:
    """The key ring of this process."""
    return _KNOWN


def new_key() -> bytes:
    """A fresh device key from the operating system's CSPRNG."""
    return secrets.token_bytes(A.KEY_BYTES)


class HostSession:
    """One authenticated connection: signs state-changing commands with a rising counter."""

    def __init__(self, skey: bytes, device: DeviceKey) -> None:
        self._skey = skey
        self.device = device
        self.counter = 0

    def wire(self, cmd: int, payload: bytes) -> tuple[int, bytes]:
        """(cmd, payload) as they go on the wire: signed when `cmd` changes the device."""
        if int(cmd) not in SIGNED_COMMANDS:
            return int(cmd), payload
        if self.counter >= A.COUNTER_MAX:
            raise LinkError("command counter exhausted: reconnect to start a new session")
        self.counter += 1
        return int(cmd) | CMD_SIGNED_BIT, A.sign_payload(self._skey, int(cmd), self.counter, payload)


Exchange = Callable[[int, bytes], Awaitable[Reply]]


async def authenticate(exchange: Exchange, keys: KeyRing, sensor: str) -> HostSession | None:
    """Run the handshake through `exchange(cmd, payload) -> Reply`; returns the session, or None
    for firmware that predates authentication (UNKNOWN_CMD). Raises `NotPairedError` when the
    sensor has no key or `keys` lacks it, `AuthenticationError` when a proof is wrong."""
    begin = await exchange(Cmd.AUTH_BEGIN, b"")
    if begin.status == ReplyStatus.UNKNOWN_CMD:
        return None
    if begin.status == ReplyStatus.NOT_AVAILABLE:
        raise NotPairedError(f"sensor {sensor} has no key yet: {PAIR_HINT}")
    if begin.status != ReplyStatus.OK:
        raise AuthenticationError(f"sensor {sensor} answered AUTH_BEGIN with {begin.status.name}")
    try:
        device_nonce, key_id = A.parse_auth_begin_reply(begin.payload)
    except ProtocolError as exc:
        raise AuthenticationError(f"sensor {sensor}: {exc}") from exc
    entry = keys.lookup(key_id)
    if entry is None:
        raise NotPairedError(f"this computer holds no key for sensor {sensor} (key id {key_id.hex()}): {PAIR_HINT}")
    host_nonce = os.urandom(A.NONCE_BYTES)
    skey = A.session_key(entry.key, device_nonce, host_nonce)
    prove = await exchange(Cmd.AUTH_PROVE, A.auth_prove_payload(host_nonce, A.host_proof(skey)))
    if prove.status != ReplyStatus.OK:
        raise AuthenticationError(f"sensor {sensor} refused this computer's key ({prove.status.name}): {PAIR_HINT}")
    if prove.payload != A.device_proof(skey):
        raise AuthenticationError(f"sensor {sensor} did not prove it holds the key: is it the sensor you paired?")
    return HostSession(skey, entry)


async def provision(request: Callable[..., Awaitable[Reply]], key: bytes | None = None,
                    timeout_s: float = 5.0) -> DeviceKey:
    """Give the sensor on a USB serial link (`request` = `SerialLink.request`) a new key (a fresh
    one when None): GET_INFO for its id, then SET_KEY. Returns its id and new key; the caller
    stores the key."""
    key = new_key() if key is None else key
    device_id = await device_id_of(request, timeout_s)
    reply = await request(Cmd.SET_KEY, key, timeout_s=timeout_s, check=False)
    if reply.status == ReplyStatus.USB_ONLY:
        raise LinkError("the sensor accepts a key over its USB cable only")
    if reply.status != ReplyStatus.OK or reply.payload != A.key_id(key):
        raise LinkError(f"the sensor did not take the key ({reply.status.name})")
    return DeviceKey(device_id, key)


async def device_id_of(request: Callable[..., Awaitable[Reply]], timeout_s: float = 5.0) -> str:
    """The sensor's id from GET_INFO."""
    info = await request(Cmd.GET_INFO, timeout_s=timeout_s)
    try:
        return str(json.loads(bytes(info.payload).decode("utf-8"))["device_id"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ProtocolError(f"the sensor's GET_INFO reply has no device_id: {exc}") from exc


async def unprovision(request: Callable[..., Awaitable[Reply]], timeout_s: float = 5.0) -> None:
    """Erase the sensor's key over USB (it then accepts no central until paired again)."""
    reply = await request(Cmd.SET_KEY, b"", timeout_s=timeout_s, check=False)
    if reply.status != ReplyStatus.OK:
        raise LinkError(f"the sensor did not erase its key ({reply.status.name})")


__all__ = [
    "AuthenticationError", "DeviceKey", "HostSession", "KeyRing", "NotPairedError", "PAIR_HINT",
    "authenticate", "device_id_of", "known_keys", "new_key", "provision", "unprovision",
]
