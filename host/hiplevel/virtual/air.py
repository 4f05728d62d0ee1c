"""The host side of the virtual device's air: scanners that hear its advertisements, centrals that
connect, pair, read and write, its notifications through the host-side faults (`FaultInjector`), and
link losses (docs/virtual-device.md). A part of `VirtualDevice` (its base class), which owns the
process and the pipe: this side sends through its `_write` and is told what the device said through
the `_on_*` handlers its pipe reader calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, Protocol

from hiplevel.virtual import pipe
from hiplevel.virtual.config import DeviceGoneError
from hiplevel.virtual.faults import AirFaults, FaultInjector
from hiplevel.virtual.pipe import Advert, GattService
from hiplevel.virtual.waiters import PendingReads

if TYPE_CHECKING:
    from hiplevel.virtual.process import VirtualDevice

CENTRAL_ADDRESS: Final[str] = "C0:FF:EE:00:00:01"


class Central(Protocol):
    """The connected side of a virtual link (the bleak backend client)."""

    def on_notify(self, value_handle: int, data: bytes) -> None: ...

    def on_link_disconnected(self) -> None: ...


class AirSide:
    """What the air does between a `VirtualDevice` and the host's scanners and centrals."""

    address: str
    closed: asyncio.Event
    services: list[GattService]
    virtual_time_s: float

    def __init__(self, faults: AirFaults | None) -> None:
        self.faults = faults if faults is not None else AirFaults()
        self.advert: Advert | None = None
        self._injector = FaultInjector(self.faults)
        self._advertising = asyncio.Event()
        self._in_range = asyncio.Event()
        self._in_range.set()
        self._loss_until_s: float | None = None
        self._pending_losses = sorted(self.faults.link_loss_s)
        self._conns: dict[int, Central] = {}
        self._connecting: dict[int, asyncio.Future[None]] = {}
        self._next_conn = 1
        self._reads = PendingReads()
        self._data_handles: set[int] = set()
        self._advert_listeners: list[Callable[[VirtualDevice, Advert], None]] = []

    def _write(self, msg: bytes) -> None:
        raise NotImplementedError  # VirtualDevice: onto the process's pipe

    # --- the air, used by the scanner ----------------------------------------------------------
    def add_advert_listener(self, fn: Callable[[VirtualDevice, Advert], None]) -> Callable[[], None]:
        """Call `fn(device, advert)` for each advertisement a scanner in range hears; returns the
        unsubscribe function. The current advertisement, if any, is heard at once."""
        self._advert_listeners.append(fn)
        if self.advert is not None and self.advert.adv is not None and self._in_range.is_set():
            fn(self, self.advert)
        return lambda: self._advert_listeners.remove(fn) if fn in self._advert_listeners else None

    # --- the air, used by the client -----------------------------------------------------------
    async def connect_central(self, central: Central, mtu: int, timeout_s: float) -> int:
        """Connect like a radio central: wait until the device is in range and advertising, send
        CONNECT and confirm with a READ round trip (a refusal, DISCONNECTED, arrives first); then
        exchange the MTU. Returns the connection handle."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not (self._in_range.is_set() and self._advertising.is_set()):
            if self.closed.is_set():
                raise DeviceGoneError(f"virtual device {self.address} has ended")
            waiters = [asyncio.create_task(e.wait()) for e in (self._in_range, self._advertising, self.closed)]
            done, _ = await asyncio.wait(waiters, timeout=max(0.0, deadline - loop.time()),
                                         return_when=asyncio.FIRST_COMPLETED)
            for w in waiters:
                w.cancel()
            if not done:
                raise asyncio.TimeoutError(f"virtual device {self.address} not reachable")
        conn = self._next_conn
        self._next_conn = conn % 0xFFFF + 1
        refused: asyncio.Future[None] = loop.create_future()
        self._connecting[conn] = refused
        try:
            self._write(pipe.connect_msg(conn, CENTRAL_ADDRESS))
            await self.read(self._barrier_handle(), max(0.05, deadline - loop.time()))
        finally:
            self._connecting.pop(conn, None)
        if refused.done():
            raise DeviceGoneError(f"virtual device {self.address} refused the connection")
        self._conns[conn] = central
        self._write(pipe.mtu_msg(conn, mtu))
        return conn

    async def pair_central(self, conn: int, timeout_s: float) -> None:
        """The central pairs (or re-encrypts with its bond), as bleak's pair=True does: PAIR,
        confirmed by a READ round trip (the device handles messages in order)."""
        if conn not in self._conns:
            raise DeviceGoneError("not connected")
        self._write(pipe.pair_msg(conn))
        await self.read(self._barrier_handle(), timeout_s)

    def disconnect_central(self, conn: int) -> None:
        """The central hangs up (no callback to it: the disconnect was its own)."""
        if self._conns.pop(conn, None) is not None:
            self._write(pipe.disconnect_msg(conn))

    def write(self, conn: int, value_handle: int, data: bytes) -> None:
        """A GATT write from a connected central."""
        if conn not in self._conns:
            raise DeviceGoneError("not connected")
        self._write(pipe.write_msg(conn, value_handle, data))

    async def read(self, value_handle: int, timeout_s: float) -> bytes:
        """A GATT read, answered in order by READ_RESULT."""
        fut = self._reads.expect(value_handle)
        self._write(pipe.read_msg(value_handle))
        return await self._reads.wait(value_handle, fut, timeout_s)

    def drop_link(self, duration_s: float) -> None:
        """Host-side link loss now, for `duration_s` virtual seconds."""
        self._begin_link_loss(duration_s)

    def restore_link(self) -> None:
        """End a link loss now (the device is in range again), e.g. once a test has seen the host
        notice the loss."""
        if self._loss_until_s is not None:
            self._end_link_loss()

    # --- internals -------------------------------------------------------------------------------
    def _barrier_handle(self) -> int:
        for service in self.services:
            for char in service.chars:
                if "read" in char.props:
                    return char.handle
        raise DeviceGoneError("the virtual device exposes no readable characteristic")

    def _on_notify(self, conn: int, handle: int, data: bytes) -> None:
        central = self._conns.get(conn)
        if handle in self._data_handles:
            out = self._injector.apply(data)
            if central is None:
                self._injector.stats.lost_in_link_loss += 1
                return
            if out is None:
                return
            data = out
        if central is not None:
            central.on_notify(handle, data)

    def _begin_link_loss(self, duration_s: float) -> None:
        self._loss_until_s = max(self._loss_until_s or 0.0, self.virtual_time_s + duration_s)
        self._in_range.clear()
        self._injector.stats.link_losses += 1
        # Both ends hit their supervision timeout: the device is told through DISCONNECT, the
        # central through its disconnect callback.
        for conn, central in list(self._conns.items()):
            del self._conns[conn]
            self._write(pipe.disconnect_msg(conn))
            central.on_link_disconnected()

    def _end_link_loss(self) -> None:
        self._loss_until_s = None
        self._in_range.set()
        if self.advert is not None and self.advert.adv is not None:
            self._tell_scanners(self.advert)

    def _on_device_disconnect(self, conn: int) -> None:
        refused = self._connecting.get(conn)
        if refused is not None and not refused.done():
            refused.set_result(None)
        central = self._conns.pop(conn, None)
        if central is not None:
            central.on_link_disconnected()

    def _on_advert(self, advert: Advert) -> None:
        self.advert = advert
        if advert.adv is None:
            self._advertising.clear()
            return
        self._advertising.set()
        if self._in_range.is_set():
            self._tell_scanners(advert)

    def _tell_scanners(self, advert: Advert) -> None:
        for fn in list(self._advert_listeners):
            fn(self, advert)
