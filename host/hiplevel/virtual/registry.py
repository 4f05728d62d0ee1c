"""Running virtual devices by Bluetooth address: how the bleak backends find the process behind an
address, as a radio finds a device in range."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hiplevel.virtual.process import VirtualDevice

_REGISTRY: dict[str, VirtualDevice] = {}
_REGISTRY_LISTENERS: list[Callable[[VirtualDevice], None]] = []


def find_device(address: str) -> VirtualDevice | None:
    """The running virtual device with this Bluetooth address, if any."""
    return _REGISTRY.get(address.upper())


def running_devices() -> list[VirtualDevice]:
    """All virtual devices started in this process and not yet stopped."""
    return list(_REGISTRY.values())


def add_registry_listener(fn: Callable[[VirtualDevice], None]) -> Callable[[], None]:
    """Call `fn(device)` for every virtual device started from now on (a scanner hears devices
    that are switched on while it scans); returns the unsubscribe function."""
    _REGISTRY_LISTENERS.append(fn)
    return lambda: _REGISTRY_LISTENERS.remove(fn) if fn in _REGISTRY_LISTENERS else None


def register(device: VirtualDevice) -> None:
    """Make a started device reachable by its address and tell the scanners."""
    if _REGISTRY.get(device.address, device) is not device:
        raise ValueError(f"a virtual device with address {device.address} is already running")
    _REGISTRY[device.address] = device
    for fn in list(_REGISTRY_LISTENERS):
        fn(device)


def unregister(device: VirtualDevice) -> None:
    """Forget a device (stopped or ended); another device may take its address."""
    if _REGISTRY.get(device.address) is device:
        del _REGISTRY[device.address]
