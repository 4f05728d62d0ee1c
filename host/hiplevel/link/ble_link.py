"""The BLE link to one hiplevel sensor over bleak's public API (`BleakClient`; scanning: `ble_scan`).

`BleLink` connects, subscribes to the data and reply characteristics, reads device information
(GATT Device Information + GET_INFO) and sends commands. The notify callbacks only timestamp and
queue the bytes; one supervisor task hands them to the `Link` stream, keeps the sequence accounting
(`StreamAssembler`) and asks the device to RESEND what a gap lacks. After a dropped link it
reconnects on its own; whatever the device ring no longer holds is declared lost (a `Gap`).

Every connection (the first and each reconnection) is authenticated before anything else is sent
(link/auth.py): the sensor names its key, the link takes it from its key ring (`known_keys()` by
default), both prove they hold it, and from then on `request()` signs the commands that change the
sensor. A sensor that is not paired with this computer ends `open()` with `NotPairedError`.
`backend=` goes straight to bleak (e.g. `hiplevel.virtual.VirtualClient`).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from typing import Any, Final

from bleak import BleakClient
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError

from hiplevel import constants as C
from hiplevel.errors import LinkClosedError, LinkError, ProtocolError
from hiplevel.link.auth import AuthenticationError, NotPairedError, authenticate, known_keys
from hiplevel.link.base import Link, host_now_s
from hiplevel.link.ble_settings import BleLinkSettings, DeviceInfo, LinkStats
from hiplevel.protocol import (Channel, Cmd, DataPacket, Reply, ReplyStatus, decode_packet, decode_reply,
                               parse_resend_reply, resend_payload)
from hiplevel.link.stream import RING_SLOTS, StreamAssembler, StreamStats

__all__ = ["BleLink", "BleLinkSettings", "DeviceInfo", "LinkStats", "RESEND_MAX_SLOTS"]

log = logging.getLogger(__name__)

RESEND_MAX_SLOTS: Final[int] = 0xFFFF
_DROPPED: Final[object] = object()  # supervisor queue marker: the link went down


class BleLink(Link):
    """A hiplevel sensor over BLE. `await BleLink(device).open()`, then `async for rx in link`."""

    def __init__(self, device: BLEDevice | str, *, backend: type[BaseBleakClient] | None = None,
                 settings: BleLinkSettings | None = None) -> None:
        super().__init__()
        self.device = device
        self.address = device.address if isinstance(device, BLEDevice) else device
        self.backend = backend
        self.settings = settings or BleLinkSettings()
        self.stats = LinkStats()
        self.assembler = StreamAssembler(max_hold_slots=RING_SLOTS)
        self.stats.stream = self.assembler.stats
        self.connected = asyncio.Event()
        self._client: BleakClient | None = None
        self._rx: asyncio.Queue[tuple[Channel, bytes, float] | object] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._supervisor: asyncio.Task[None] | None = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._resending: asyncio.Task[None] | None = None
        self._resend_tries: dict[int, int] = {}
        # The device runs one RESEND job at a time (a new one replaces it): never overlap them.
        self._resend_lock = asyncio.Lock()
        self._command_char: Any = None

    # --- connection ---------------------------------------------------------------------------
    @property
    def mtu(self) -> int:
        """ATT MTU of the current connection, bytes (23 until one is exchanged)."""
        return self._client.mtu_size if self._client is not None and self._client.is_connected else 23

    async def open(self) -> BleLink:
        """Connect, subscribe and authenticate; raises `LinkError` when the sensor cannot be
        reached (`NotPairedError` when this computer holds no key for it)."""
        # The supervisor routes the handshake's replies, so it runs before the first connection.
        self._supervisor = asyncio.create_task(self._supervise())
        try:
            await self._connect_once()
        except BaseException as exc:
            self._supervisor.cancel()
            self._supervisor = None
            if isinstance(exc, (BleakError, asyncio.TimeoutError, OSError)):
                raise LinkError(f"cannot connect to {self.address}: {exc}") from exc
            raise
        return self

    async def _connect_once(self) -> None:
        kwargs: dict[str, Any] = dict(self.settings.client_kwargs)
        if self.backend is not None:
            kwargs["backend"] = self.backend
        client = BleakClient(self.device, self._on_disconnected, timeout=self.settings.connect_timeout_s,
                             pair=self.settings.pair, **kwargs)
        try:
            await client.connect()
            self._command_char = client.services.get_characteristic(C.COMMAND_CHAR_UUID)
            if self._command_char is None or client.services.get_characteristic(C.DATA_CHAR_UUID) is None:
                raise LinkError(f"{self.address} does not offer the hiplevel service")
            self._client = client
            await client.start_notify(C.DATA_CHAR_UUID, functools.partial(self._on_notify, Channel.DATA))
            await client.start_notify(C.REPLY_CHAR_UUID, functools.partial(self._on_notify, Channel.REPLY))
            self.max_packet_bytes = self._command_char.max_write_without_response_size
            self.session = await self._authenticate(client)
        except BaseException:
            self.stats.failed_attempts += 1
            self._client = None
            try:
                await client.disconnect()
            except BleakError as exc:
                log.debug("disconnect after a failed connection: %s", exc)
            raise
        self.stats.connects += 1
        self.connected.set()
        log.info("connected to %s, ATT MTU %d", self.address, client.mtu_size)

    async def _authenticate(self, client: BleakClient) -> Any:
        """The handshake on a fresh connection (before `connected` is set, so nothing else is sent)."""
        async def write(packet: bytes) -> None:
            await self._write_command(client, packet)

        def exchange(cmd: int, payload: bytes) -> Any:
            return self._request(cmd, payload, self.settings.command_timeout_s, False, write, None)

        name = self.device.name if isinstance(self.device, BLEDevice) and self.device.name else self.address
        keys = self.settings.keys if self.settings.keys is not None else known_keys()
        session = await authenticate(exchange, keys, name)
        if session is None:
            if not self.settings.allow_unauthenticated:
                raise AuthenticationError(f"sensor {name} runs firmware that does not authenticate commands: "
                                          "flash the current firmware (`hiplevel flash --port PORT`)")
            log.warning("sensor %s does not authenticate commands (old firmware)", name)
        return session

    # --- producer side: callbacks only timestamp and queue ----------------------------------------
    def _on_notify(self, channel: Channel, _char: Any, data: bytearray) -> None:
        self._rx.put_nowait((channel, bytes(data), host_now_s()))

    def _on_disconnected(self, client: BleakClient) -> None:
        if client is self._client:
            self._rx.put_nowait(_DROPPED)

    # --- supervisor ------------------------------------------------------------------------------
    async def _supervise(self) -> None:
        while True:
            self._handle(await self._rx.get())

    def _handle(self, item: tuple[Channel, bytes, float] | object) -> None:
        if item is _DROPPED:
            self._on_link_dropped()
            return
        assert isinstance(item, tuple)
        channel, data, t = item
        self._deliver(channel, data, t)
        if channel == Channel.DATA:
            self._account(data)
        elif channel == Channel.REPLY:
            try:
                self.assembler.push_reply(decode_reply(data))  # START restarts the slot count
            except ProtocolError:
                pass  # counted by the reply routing (`bad_replies`)

    def _account(self, data: bytes) -> None:
        try:
            pkt = decode_packet(data)
        except ProtocolError as exc:
            self.stats.bad_packets += 1
            log.debug("dropped data packet %s: %s", data.hex(), exc)
            return
        if not isinstance(pkt, DataPacket):
            return
        self.assembler.push(pkt)
        if self.settings.resend and not self._closed and self._wanted_gaps() and not self._resend_busy():
            self._resending = self._spawn(self._resend_gaps())

    def _resend_busy(self) -> bool:
        return self._resending is not None and not self._resending.done()

    def _wanted_gaps(self) -> list[tuple[int, int]]:
        oldest_held = self.assembler.next_seq - RING_SLOTS
        open_gaps = self.assembler.open_gaps
        if len(self._resend_tries) > len(open_gaps):
            # Forget the gaps that were filled or declared lost: kept, they grow for the whole session.
            firsts = {a for a, _ in open_gaps}
            self._resend_tries = {a: n for a, n in self._resend_tries.items() if a in firsts}
        return [(a, n) for a, n in open_gaps
                if a + n > oldest_held and self._resend_tries.get(a, 0) < self.settings.resend_attempts]

    async def _resend_gaps(self) -> None:
        """Ask for each open gap in turn; resent packets arrive (and fill it) before the reply."""
        while self.connected.is_set() and (gaps := self._wanted_gaps()):
            gap_first, gap_count = gaps[0]
            # Slots older than the device's ring are gone: ask only for what it may still hold.
            first = max(gap_first, self.assembler.next_seq - RING_SLOTS)
            count = min(gap_first + gap_count - first, RESEND_MAX_SLOTS)
            self._resend_tries[gap_first] = self._resend_tries.get(gap_first, 0) + 1
            self.stats.resend_requests += 1
            try:
                reply = await self._resend(first, count)
            except LinkError as exc:
                log.info("RESEND of %d slots from %d failed: %s", count, first, exc)
                return
            if reply.status == ReplyStatus.NOT_AVAILABLE:
                self.stats.resend_not_available += 1
                self._resend_tries[gap_first] = self.settings.resend_attempts  # gone for good
            elif reply.status == ReplyStatus.OK:
                wire_first, n = parse_resend_reply(reply.payload)
                skipped = (wire_first - self.assembler.to_wire_seq(first)) % (1 << 32)
                if skipped:
                    self.stats.resend_not_available += 1
                    self._resend_tries[gap_first] = self.settings.resend_attempts
                log.debug("RESEND %d from %d: %d resent, %d overwritten", count, first, n, skipped)
            else:
                log.warning("RESEND answered %s", reply.status.name)
                return

    async def _resend(self, first: int, count: int) -> Reply:
        async with self._resend_lock:
            return await self.request(Cmd.RESEND, resend_payload(self.assembler.to_wire_seq(first), count),
                                      timeout_s=self.settings.command_timeout_s, check=False)

    def _on_link_dropped(self) -> None:
        self.connected.clear()
        self.stats.drops += 1
        self._client = None
        self.session = None
        for fut in self._waiters.values():
            if not fut.done():
                fut.set_exception(LinkError("link dropped while waiting for a reply"))
        self._waiters.clear()
        log.warning("link to %s dropped", self.address)
        if not self.settings.reconnect or self._closed:
            self._deliver_end()
        elif self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = self._spawn(self._reconnect())

    async def _reconnect(self) -> None:
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.settings.reconnect_give_up_s
        delay = self.settings.reconnect_retry_s
        while not self._closed:
            try:
                await self._connect_once()
                log.info("reconnected to %s", self.address)
                if self.settings.resend and self._wanted_gaps():
                    self._resending = self._spawn(self._resend_gaps())
                return
            except (NotPairedError, AuthenticationError) as exc:
                log.error("reconnected to %s but could not authenticate: %s", self.address, exc)
                self._deliver_end()  # no retry can fix a key: end the stream
                return
            except (BleakError, LinkError, asyncio.TimeoutError, OSError) as exc:
                log.debug("reconnect attempt failed: %s", exc)
            if loop.time() >= give_up:
                log.error("could not reconnect to %s within %.0f s", self.address, self.settings.reconnect_give_up_s)
                self._deliver_end()
                return
            await asyncio.sleep(delay)  # backoff between radio connection attempts, not a test wait
            delay = min(2 * delay, self.settings.reconnect_retry_max_s)

    def _spawn(self, coro: Any) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- commands and device information ----------------------------------------------------------
    async def _send_packet(self, packet: bytes) -> None:
        client = self._client
        if client is None or not self.connected.is_set():
            raise LinkError("link is down (reconnecting)")
        await self._write_command(client, packet)

    async def _write_command(self, client: BleakClient, packet: bytes) -> None:
        """Write one packet to the command characteristic (with response); a bleak failure is a `LinkError`."""
        try:
            await client.write_gatt_char(self._command_char, packet, response=True)
        except BleakError as exc:
            raise LinkError(f"command write failed: {exc}") from exc

    async def read_device_info(self) -> DeviceInfo:
        """GATT Device Information, battery level and the GET_INFO document."""
        client = self._client
        if client is None:
            raise LinkClosedError("not connected")

        async def read(uuid: str) -> bytes:
            try:
                return bytes(await client.read_gatt_char(uuid))
            except BleakError:
                return b""  # an optional characteristic the device does not offer

        texts = [(await read(u)).decode("utf-8", errors="replace")
                 for u in (C.MANUFACTURER_UUID, C.MODEL_NUMBER_UUID, C.SERIAL_NUMBER_UUID, C.FIRMWARE_REV_UUID)]
        battery = await read(C.BATTERY_LEVEL_UUID)
        reply = await self.request(Cmd.GET_INFO, timeout_s=self.settings.command_timeout_s)
        return DeviceInfo(*texts, battery[0] if battery and battery[0] <= 100 else None,
                          json.loads(reply.payload.decode("utf-8")))

    async def settle(self, tail: bool = True, timeout_s: float = 10.0) -> None:
        """Recover what can still be recovered, e.g. after STOP at the end of a session: wait for
        the running RESEND, ask for the gaps still open and, with `tail`, for any slots after the
        newest one received (the last packets may have been lost with nothing after them to
        reveal it). Does nothing when the settings disable RESEND. Raises `asyncio.TimeoutError`
        after `timeout_s` s."""
        if not self.settings.resend:
            return

        async def drain() -> None:
            while True:
                if self._resend_busy():
                    await asyncio.shield(self._resending)  # type: ignore[arg-type]
                elif self._wanted_gaps() and self.connected.is_set():
                    self._resending = self._spawn(self._resend_gaps())
                else:
                    return

        async def run() -> None:
            await drain()
            if tail and self.connected.is_set():
                self.stats.resend_requests += 1
                reply = await self._resend(self.assembler.next_seq, RESEND_MAX_SLOTS)
                log.debug("tail RESEND: %s", reply.status.name)
            await drain()

        await asyncio.wait_for(run(), timeout_s)

    def finish_accounting(self) -> StreamStats:
        """Declare the gaps still open lost (end of a session) and return the slot accounting."""
        self.assembler.finish()
        return self.assembler.stats

    async def _close(self) -> None:
        for task in [self._supervisor, *self._tasks]:
            if task is not None and not task.done():
                task.cancel()
        # What already arrived still goes to the stream and the accounting.
        while not self._rx.empty():
            item = self._rx.get_nowait()
            if item is not _DROPPED:
                self._handle(item)
        client, self._client = self._client, None
        self.connected.clear()
        self.session = None
        if client is not None:
            await client.disconnect()
