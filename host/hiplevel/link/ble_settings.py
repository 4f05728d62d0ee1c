"""What a `BleLink` is told and what it reports: its settings (`BleLinkSettings`), the device's
information (`DeviceInfo`) and the link-level counts (`LinkStats`). Imported from
`hiplevel.link.ble_link` too, where they were first defined."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hiplevel.link.auth import KeyRing
from hiplevel.link.base import DEFAULT_COMMAND_TIMEOUT_S
from hiplevel.link.stream import StreamStats


@dataclass(frozen=True)
class DeviceInfo:
    """GATT Device Information strings, battery level (%), and the GET_INFO JSON document."""

    manufacturer: str
    model: str
    serial: str
    firmware_revision: str
    battery_pct: int | None
    info: dict[str, Any]


@dataclass(frozen=True)
class BleLinkSettings:
    """connect_timeout_s: one connection attempt, s. reconnect: reconnect after a dropped link.
    reconnect_give_up_s: end the stream when no reconnection succeeded for this long, s (wall).
    reconnect_retry_s / reconnect_retry_max_s: first and longest wait between attempts, s (doubles).
    command_timeout_s: reply wait of commands, s. resend: ask for missing slots (RESEND).
    resend_attempts: RESEND requests per gap before leaving it to be declared lost.
    client_kwargs: extra keyword arguments for `BleakClient` (e.g. {"mtu": 185} for the virtual one).
    keys: where the device keys are looked up (None: this process's `known_keys()`).
    allow_unauthenticated: talk to firmware that predates authentication (it answers AUTH_BEGIN
        with UNKNOWN_CMD) instead of refusing it; its commands then go unsigned.
    pair: pair (LE Secure Connections, bonding) when connecting, through bleak's `pair=True`:
        needed for a sensor configured `ble_encrypted_only`; encrypts the link against listeners.
    """

    connect_timeout_s: float = 10.0
    reconnect: bool = True
    reconnect_give_up_s: float = 60.0
    reconnect_retry_s: float = 0.05
    reconnect_retry_max_s: float = 2.0
    command_timeout_s: float = DEFAULT_COMMAND_TIMEOUT_S
    resend: bool = True
    resend_attempts: int = 3
    client_kwargs: dict[str, Any] = field(default_factory=dict)
    keys: KeyRing | None = None
    allow_unauthenticated: bool = False
    pair: bool = False


@dataclass
class LinkStats:
    """Link-level counts; `stream` holds the slot accounting (received, resent, lost, duplicated)."""

    connects: int = 0
    drops: int = 0  # unsolicited disconnects
    failed_attempts: int = 0  # connection attempts that failed
    bad_packets: int = 0  # data-channel packets that did not decode (counted and dropped)
    resend_requests: int = 0
    resend_not_available: int = 0  # RESEND answers saying (part of) a gap was overwritten
    stream: StreamStats = field(default_factory=StreamStats)
