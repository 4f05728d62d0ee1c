"""Scanning for hiplevel sensors over bleak's public API (`BleakScanner`): by the hiplevel service
UUID, with name, address, RSSI and battery (from the scan response's service data).

`backend=` goes straight to bleak (e.g. `hiplevel.virtual.VirtualScanner`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner

from hiplevel import constants as C
from hiplevel.errors import DeviceNotFoundError

BATTERY_SERVICE_UUID: Final[str] = "0000180f-0000-1000-8000-00805f9b34fb"


@dataclass(frozen=True)
class SensorAdvert:
    """A hiplevel sensor heard while scanning. battery_pct: from the scan response, % (None if
    the scanner got no scan response)."""

    name: str | None
    address: str
    rssi_dbm: int
    battery_pct: int | None
    device: BLEDevice


def _advert(device: BLEDevice, adv: AdvertisementData) -> SensorAdvert:
    battery = adv.service_data.get(BATTERY_SERVICE_UUID)
    return SensorAdvert(adv.local_name or device.name, device.address, adv.rssi,
                        battery[0] if battery and battery[0] <= 100 else None, device)


def _is_sensor(adv: AdvertisementData) -> bool:
    return C.SERVICE_UUID in (u.lower() for u in adv.service_uuids)


async def scan(timeout_s: float = 5.0, *, backend: type[BaseBleakScanner] | None = None) -> list[SensorAdvert]:
    """Every hiplevel sensor heard within `timeout_s` seconds, strongest signal first."""
    found = await BleakScanner.discover(timeout_s, return_adv=True, service_uuids=[C.SERVICE_UUID],
                                        **({"backend": backend} if backend else {}))
    sensors = [_advert(d, a) for d, a in found.values() if _is_sensor(a)]
    return sorted(sensors, key=lambda s: -s.rssi_dbm)


async def find_sensor(name_or_address: str | None = None, timeout_s: float = 10.0, *,
                      backend: type[BaseBleakScanner] | None = None,
                      accept: Callable[[SensorAdvert], bool] | None = None) -> SensorAdvert:
    """The first hiplevel sensor heard whose name or address matches (any sensor if None) and
    that `accept` (e.g. "battery known") approves; raises `DeviceNotFoundError` after `timeout_s` s."""
    want = name_or_address.lower() if name_or_address else None
    hit: asyncio.Future[SensorAdvert] = asyncio.get_running_loop().create_future()

    def on_advert(device: BLEDevice, adv: AdvertisementData) -> None:
        s = _advert(device, adv)
        named = want is None or want in (s.address.lower(), (s.name or "").lower())
        if not hit.done() and _is_sensor(adv) and named and (accept is None or accept(s)):
            hit.set_result(s)

    kwargs: dict[str, Any] = {"backend": backend} if backend else {}
    async with BleakScanner(on_advert, service_uuids=[C.SERVICE_UUID], **kwargs):
        try:
            return await asyncio.wait_for(hit, timeout_s)
        except asyncio.TimeoutError:
            raise DeviceNotFoundError(f"no hiplevel sensor {name_or_address or ''} heard in {timeout_s} s") from None
