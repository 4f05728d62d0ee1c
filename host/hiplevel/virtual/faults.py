"""Faults the host side of the virtual air injects into the radio link.

A real BLE link layer checks a CRC-24 on every packet, so on air corruption shows up as a missing
packet, not a wrong one. The corruptions injected here model what still reaches an application
through a buggy stack or firmware: a truncated packet, a padded packet, or a packet with a wrong
version nibble. Each is detectable by the decoder (docs/protocol.md, host decoding rules), so the
host must count and drop it; flipping a sample value would be undetectable by design and is not
injected.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

CORRUPT_KINDS: Final[tuple[str, ...]] = ("truncate", "pad", "version")


@dataclass(frozen=True)
class AirFaults:
    """Host-side fault plan for one virtual device. Indices count notifications on the data
    characteristic (0 = the first one delivered after the device started), lost ones included.

    drop_notify_probability: chance that a data notification is lost, 0..1 (0 disables).
    drop_notify_indices: data notifications that are always lost.
    corrupt_probability: chance that a data notification arrives corrupted, 0..1 (0 disables).
    corrupt_indices: data notifications that always arrive corrupted.
    link_loss_s: (start, duration) pairs in virtual seconds: the central and the device lose each
        other (both see a disconnect), the device is neither seen nor reachable until it ends.
    rssi_dbm: signal strength reported by the scanner, dBm.
    seed: seeds the random choices so a run is reproducible.
    """

    drop_notify_probability: float = 0.0
    drop_notify_indices: frozenset[int] = field(default_factory=frozenset)
    corrupt_probability: float = 0.0
    corrupt_indices: frozenset[int] = field(default_factory=frozenset)
    link_loss_s: tuple[tuple[float, float], ...] = ()
    rssi_dbm: int = -58
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("drop_notify_probability", "corrupt_probability"):
            p = getattr(self, name)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {p}")
        for start_s, dur_s in self.link_loss_s:
            if start_s < 0 or dur_s <= 0:
                raise ValueError(f"link loss window ({start_s}, {dur_s}) s must start >= 0 and last > 0")


@dataclass
class AirStats:
    """What the host-side air did to data notifications (counts)."""

    data_notifications: int = 0  # data notifications the device sent (lost ones included)
    dropped: int = 0  # lost on purpose (drop plan)
    corrupted: int = 0  # delivered corrupted (corruption plan)
    lost_in_link_loss: int = 0  # sent on a connection the air had already cut (race at loss start)
    link_losses: int = 0  # host-side link losses begun
    corrupted_by_kind: dict[str, int] = field(default_factory=dict)


class FaultInjector:
    """Applies an `AirFaults` plan to data notifications, one call per notification, in order."""

    def __init__(self, faults: AirFaults) -> None:
        self.faults = faults
        self.stats = AirStats()
        self._rng = random.Random(faults.seed)

    def apply(self, data: bytes) -> bytes | None:
        """The bytes the central receives for one data notification, or None when it is lost."""
        index = self.stats.data_notifications
        self.stats.data_notifications += 1
        # Draw both numbers every time so the plan for notification k does not depend on the
        # outcomes before it.
        drop_draw, corrupt_draw = self._rng.random(), self._rng.random()
        f = self.faults
        if index in f.drop_notify_indices or drop_draw < f.drop_notify_probability:
            self.stats.dropped += 1
            return None
        if index in f.corrupt_indices or corrupt_draw < f.corrupt_probability:
            return self._corrupt(data)
        return data

    def _corrupt(self, data: bytes) -> bytes:
        kind = CORRUPT_KINDS[self._rng.randrange(len(CORRUPT_KINDS))]
        self.stats.corrupted += 1
        self.stats.corrupted_by_kind[kind] = self.stats.corrupted_by_kind.get(kind, 0) + 1
        if kind == "truncate" and len(data) > 1:
            return data[: len(data) - self._rng.randint(1, min(3, len(data) - 1))]
        if kind == "version" and data:
            bad_version = self._rng.randint(2, 15)
            return bytes([(bad_version << 4) | (data[0] & 0x0F)]) + data[1:]
        return data + bytes(self._rng.randrange(256) for _ in range(self._rng.randint(1, 3)))
