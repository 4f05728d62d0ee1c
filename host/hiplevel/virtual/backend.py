"""bleak backends for the virtual device: `BleakScanner(backend=VirtualScanner)` and
`BleakClient(device, backend=VirtualClient)` reach the running `VirtualDevice` processes the way
the platform backends reach a radio, so host code written against bleak's public API cannot tell
the difference.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final, Literal

from bleak.args import SizedBuffer
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError

from hiplevel.virtual import registry
from hiplevel.virtual.config import DeviceGoneError
from hiplevel.virtual.pipe import Advert, parse_ad
from hiplevel.virtual.process import VirtualDevice

log = logging.getLogger(__name__)

# ATT MTU the virtual central asks for on connect, bytes: what BlueZ and Android typically get
# from an ESP32 (NimBLE's default preferred MTU is 256; 247 fits one LE data-length PDU).
DEFAULT_MTU: Final[int] = 247
ATT_MTU_MIN: Final[int] = 23
ATT_MTU_MAX: Final[int] = 517
ATT_HEADER_BYTES: Final[int] = 3
# Services never share a handle with a characteristic: give them handles above any real one.
_SERVICE_HANDLE_BASE: Final[int] = 0x10000


class VirtualScanner(BaseBleakScanner):
    """Hears the advertisements of every running `VirtualDevice` while scanning."""

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: Literal["active", "passive"] = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        # Passive scanners never send SCAN_REQ, so they never get the scan response (battery).
        self._active = scanning_mode == "active"
        self._unsubscribe: list[Any] = []

    async def start(self) -> None:
        """Start hearing advertisements (clears what was seen before, as bleak requires)."""
        await self.stop()
        self.seen_devices = {}
        self._unsubscribe.append(registry.add_registry_listener(self._listen))
        for dev in registry.running_devices():
            self._listen(dev)

    def _listen(self, dev: VirtualDevice) -> None:
        self._unsubscribe.append(dev.add_advert_listener(self._on_advert))

    async def stop(self) -> None:
        """Stop hearing advertisements."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    def _on_advert(self, dev: VirtualDevice, advert: Advert) -> None:
        fields = parse_ad(advert.adv or b"")
        if self._active and advert.resp:
            parse_ad(advert.resp, into=fields)
        if not self.is_allowed_uuid(fields.service_uuids):
            return
        adv = AdvertisementData(
            local_name=fields.local_name,
            manufacturer_data=fields.manufacturer_data,
            service_data=fields.service_data,
            service_uuids=fields.service_uuids,
            tx_power=fields.tx_power,
            rssi=dev.faults.rssi_dbm,
            platform_data=(dev.address, advert),
        )
        device = self.create_or_update_device(dev.address, dev.address, fields.local_name, dev.address, adv)
        self.call_detection_callbacks(device, adv)


class VirtualClient(BaseBleakClient):
    """GATT client of one virtual device. Extra keyword argument: `mtu` (ATT MTU to request on
    connect, bytes, default 247), passed through `BleakClient(..., mtu=...)`."""

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Any = None,
        timeout: float = 10.0,
        mtu: int = DEFAULT_MTU,
        **kwargs: Any,
    ) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout)
        if not ATT_MTU_MIN <= mtu <= ATT_MTU_MAX:
            raise BleakError(f"ATT MTU must be within {ATT_MTU_MIN}..{ATT_MTU_MAX}, got {mtu}")
        self._requested_mtu = mtu
        self._mtu = ATT_MTU_MIN
        self._device: VirtualDevice | None = None
        self._conn: int | None = None
        self._callbacks: dict[int, NotifyCallback] = {}
        self._name = address_or_ble_device.name if isinstance(address_or_ble_device, BLEDevice) else None

    # --- connection -----------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name or self.address.replace(":", "-")

    @property
    def mtu_size(self) -> int:
        return self._mtu

    @property
    def is_connected(self) -> bool:
        return self._conn is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Connect, exchange the MTU, pair when asked (bleak's pair=True) and discover services."""
        if self.is_connected:
            return
        device = registry.find_device(self.address)
        if device is None:
            raise BleakDeviceNotFoundError(self.address, f"Device with address {self.address} was not found.")
        timeout = float(kwargs.get("timeout", self._timeout))
        try:
            self._conn = await device.connect_central(self, self._requested_mtu, timeout)
        except DeviceGoneError as exc:
            raise BleakError(str(exc)) from exc
        self._device = device
        self._mtu = self._requested_mtu
        self._callbacks = {}
        if pair:
            await self.pair()
        self.services = self._service_collection(device)
        if device.advert is not None and device.advert.adv:
            self._name = parse_ad(device.advert.adv).local_name or self._name

    async def disconnect(self) -> None:
        """Hang up (no disconnected callback: bleak calls it only for unsolicited ones)."""
        if self._device is not None and self._conn is not None:
            try:
                self._device.disconnect_central(self._conn)
            except DeviceGoneError:
                pass  # already gone: nothing left to hang up
        self._conn = None

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """Pair with the device (LE Secure Connections as its stack offers; a bond it kept is reused)."""
        device, conn = self._connected_device()
        try:
            await device.pair_central(conn, self._timeout)
        except asyncio.TimeoutError as exc:
            raise BleakError("pairing timed out") from exc
        except DeviceGoneError as exc:
            raise BleakError(str(exc)) from exc

    async def unpair(self) -> None:
        log.info("virtual device: unpairing is not simulated, ignored")

    # Called by VirtualDevice from the pipe reader.
    def on_notify(self, value_handle: int, data: bytes) -> None:
        callback = self._callbacks.get(value_handle)
        if callback is not None:
            callback(bytearray(data))

    def on_link_disconnected(self) -> None:
        self._conn = None
        if self._disconnected_callback is not None:
            self._disconnected_callback()

    # --- GATT -------------------------------------------------------------------------------------
    def _connected_device(self) -> tuple[VirtualDevice, int]:
        if self._device is None or self._conn is None:
            raise BleakError("Not connected")
        return self._device, self._conn

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        device, _ = self._connected_device()
        if "read" not in characteristic.properties:
            raise BleakError(f"characteristic {characteristic.uuid} is not readable")
        try:
            return bytearray(await device.read(characteristic.handle, self._timeout))
        except asyncio.TimeoutError as exc:
            raise BleakError(f"read of {characteristic.uuid} timed out") from exc
        except DeviceGoneError as exc:
            raise BleakError(str(exc)) from exc

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        device, conn = self._connected_device()
        wanted = "write" if response else "write-without-response"
        if wanted not in characteristic.properties:
            raise BleakError(f"characteristic {characteristic.uuid} does not allow {wanted}")
        payload = bytes(data)
        if len(payload) > self._mtu - ATT_HEADER_BYTES:
            raise BleakError(f"write of {len(payload)} bytes exceeds ATT MTU {self._mtu} - 3")
        try:
            device.write(conn, characteristic.handle, payload)
        except DeviceGoneError as exc:
            raise BleakError(str(exc)) from exc

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        self._connected_device()
        if "notify" not in characteristic.properties and "indicate" not in characteristic.properties:
            raise BleakError(f"characteristic {characteristic.uuid} does not notify")
        self._callbacks[characteristic.handle] = callback

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        self._callbacks.pop(characteristic.handle, None)

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        raise BleakError("the virtual device exposes no descriptors")

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: SizedBuffer) -> None:
        raise BleakError("the virtual device exposes no descriptors")

    def _service_collection(self, device: VirtualDevice) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        for i, svc in enumerate(device.services):
            service = BleakGATTService(svc, _SERVICE_HANDLE_BASE + i, svc.uuid)
            collection.add_service(service)
            for char in svc.chars:
                collection.add_characteristic(
                    BleakGATTCharacteristic(
                        char, char.handle, char.uuid, list(char.props),  # type: ignore[arg-type]
                        lambda: self._mtu - ATT_HEADER_BYTES, service,
                    )
                )
        return collection
