"""Starting the virtual device (the real firmware on the MicroPython unix port) and talking to it.

`VirtualDevice` owns one `micropython vdevice.py CONFIG.json` process (docs/virtual-device.md),
reads its pipe messages, plays the host side of the air (`hiplevel.virtual.air.AirSide`, its base:
advertising, connections, notifications, host-side faults) and registers itself by Bluetooth address so the bleak backends in
`hiplevel.virtual.backend` can find it. Virtual time is followed through TIME messages. Its USB
port is a pseudo-terminal (`usb_port`): `hiplevel pair --port` pairs it as it pairs a belt.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Final

from hiplevel.constants import DATA_CHAR_UUID
from hiplevel.virtual import pipe
from hiplevel.virtual.air import AirSide
from hiplevel.virtual.config import DeviceGoneError, VirtualDeviceConfig
from hiplevel.virtual.faults import AirFaults, AirStats
from hiplevel.virtual.pipe import GattService, PipeError
from hiplevel.virtual.registry import find_device, register, unregister
from hiplevel.virtual.spawn import new_flash, provision_key, spawn, usb_cable
from hiplevel.virtual.waiters import TimeWaiters

log = logging.getLogger(__name__)

START_TIMEOUT_S: Final[float] = 30.0
STOP_TIMEOUT_S: Final[float] = 5.0
STDERR_TAIL_LINES: Final[int] = 40


class VirtualDevice(AirSide):
    """One running virtual belt sensor. Use `async with VirtualDevice(cfg) as dev:`."""

    def __init__(self, config: VirtualDeviceConfig, faults: AirFaults | None = None) -> None:
        super().__init__(faults)
        self.config = config
        self.address = config.address.upper()
        self.services: list[GattService] = []
        self.virtual_time_s = 0.0
        self.ended = asyncio.Event()  # END received: chip stream exhausted
        self.closed = asyncio.Event()  # pipe closed: the process is gone
        #: DIAG documents in arrival order (config.diag_period_s): virtual time, heap, counters.
        self.diagnostics: list[dict[str, Any]] = []
        self._proc: asyncio.subprocess.Process | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._services_ready = asyncio.Event()
        self._time_waiters = TimeWaiters()
        self._usb_slave: int | None = None
        self.usb_port: str | None = None  # the device's USB serial port (a pty), while it runs
        self.key: bytes | None = None  # the key it was paired with at start (config.provision)
        self._held = False

    # --- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Spawn the MicroPython process and wait until it has published its GATT table."""
        if find_device(self.address) is not None:
            raise DeviceGoneError(f"a virtual device with address {self.address} is already running")
        self._tmp = tempfile.TemporaryDirectory(prefix="hiplevel-vdev-")
        tmp = Path(self._tmp.name)
        state = self.config.firmware_state_dir
        if state is None:
            state = new_flash(tmp / "flash")
        if self.config.provision:
            self.key = provision_key(state, self.config, self.address)
        master, self._usb_slave = usb_cable()
        self.usb_port = os.ttyname(self._usb_slave)
        self._proc = await spawn(self.config, state, tmp / "CONFIG.json", master)
        self._tasks = [asyncio.create_task(self._read_loop()), asyncio.create_task(self._stderr_loop())]
        ready = asyncio.create_task(self._services_ready.wait())
        gone = asyncio.create_task(self.closed.wait())
        await asyncio.wait({ready, gone}, timeout=START_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        gone.cancel()
        if not self._services_ready.is_set():
            await self.stop()
            raise DeviceGoneError(f"virtual device did not start: {self.stderr_tail() or 'no output'}")
        register(self)

    async def stop(self) -> None:
        """Ask the process to quit (QUIT), kill it if it does not, and forget it (and its key)."""
        unregister(self)
        if self.key is not None:
            from hiplevel.link.auth import known_keys

            known_keys().remove(self.key)
            self.key = None
        proc = self._proc
        if proc is not None and proc.returncode is None:
            try:
                self._write(pipe.quit_msg())
            except DeviceGoneError:
                pass  # it is already on its way out
            try:
                await asyncio.wait_for(proc.wait(), STOP_TIMEOUT_S)
            except asyncio.TimeoutError:
                log.warning("virtual device %s ignored QUIT; killing it", self.address)
                proc.kill()
                await proc.wait()
        for task in self._tasks:
            if not task.done():
                await asyncio.wait({task}, timeout=STOP_TIMEOUT_S)
                task.cancel()
        if self._usb_slave is not None:
            os.close(self._usb_slave)
            self._usb_slave = None
            self.usb_port = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    async def __aenter__(self) -> VirtualDevice:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def returncode(self) -> int | None:
        """Exit code of the process once it has ended."""
        return None if self._proc is None else self._proc.returncode

    @property
    def air_stats(self) -> AirStats:
        """What the host-side faults did so far."""
        return self._injector.stats

    def stderr_tail(self) -> str:
        """The last lines the device logged on stderr (for error messages)."""
        return "\n".join(self._stderr_tail)

    async def wait_ended(self, timeout_s: float | None = None) -> None:
        """Wait until the chip stream is exhausted (END) or the process is gone."""
        end = asyncio.create_task(self.ended.wait())
        gone = asyncio.create_task(self.closed.wait())
        await asyncio.wait({end, gone}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        end.cancel()
        gone.cancel()

    async def wait_virtual_time(self, t_s: float, timeout_s: float | None = None) -> None:
        """Wait until the device's virtual clock reaches `t_s` s (TIME resolution: 1 s); raises
        `DeviceGoneError` if the device ends first, `asyncio.TimeoutError` after `timeout_s` (wall)."""
        if self.virtual_time_s >= t_s:
            return
        if self.closed.is_set() or self.ended.is_set():
            raise DeviceGoneError(f"virtual device ended at {self.virtual_time_s} s, before {t_s} s")
        await asyncio.wait_for(self._time_waiters.add(t_s), timeout_s)

    def let_patient_start(self) -> None:
        """Tell the simulated patient to start (GO): one waiting at `patient_waits_at_s` goes on
        from there; otherwise nothing changes."""
        if self.config.patient_waits_at_s is not None:
            self._write(pipe.go_msg())

    def hold(self) -> None:
        """Stop acknowledging the device's TIME messages: with `config.lead_limit_s`, its clock stops
        within that many virtual seconds of the last one acknowledged (from the start, if called
        before `start()`). The firmware runs on at that instant: it answers connects, reads and
        commands (the link's authentication too), so a test can connect and send START to a held
        device, then `release()` it: the stream starts at a virtual time that does not depend on
        how long the host took."""
        self._held = True

    def release(self) -> None:
        """Acknowledge the newest TIME and go on acknowledging: the held device runs again."""
        self._held = False
        self._write_if_running(pipe.time_ack_msg(round(self.virtual_time_s * 1000)))

    # --- device-side faults ----------------------------------------------------------------------
    def fail_i2c(self, duration_s: float) -> None:
        """The device's IMU bus fails from its current virtual time on, for `duration_s` virtual s."""
        self._write(pipe.fault_msg(i2c_fail_s=duration_s))

    def lose_link_on_device(self, duration_s: float) -> None:
        """Device-side link loss from its current virtual time on, for `duration_s` virtual s: the
        device sees its supervision timeout (and tells the central), then stops advertising."""
        self._write(pipe.fault_msg(link_loss_s=duration_s))

    # --- internals -------------------------------------------------------------------------------
    def _write(self, msg: bytes) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.stdin.is_closing() or self.closed.is_set():
            raise DeviceGoneError(f"virtual device {self.address} is not running")
        proc.stdin.write(msg)

    def _write_if_running(self, msg: bytes) -> None:
        try:
            self._write(msg)
        except DeviceGoneError:
            pass  # the device is on its way out: nothing waits for this

    async def _read_loop(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        out = self._proc.stdout
        try:
            while True:
                kind, length = pipe.decode_header(await out.readexactly(pipe.HEADER_BYTES))
                self._dispatch(kind, await out.readexactly(length))
        except asyncio.IncompleteReadError:
            pass  # the process closed its stdout: it ended
        except PipeError as exc:
            log.error("virtual device %s: %s; closing", self.address, exc)
            if self._proc.returncode is None:
                self._proc.kill()
        finally:
            self._on_closed()
        code = await self._proc.wait()
        if code != 0:
            await asyncio.sleep(0)  # let the stderr reader take the last lines
            log.error("virtual device %s exited with code %d:\n%s", self.address, code, self.stderr_tail())

    async def _stderr_loop(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        while line := await self._proc.stderr.readline():
            text = line.decode("utf-8", errors="replace").rstrip()
            self._stderr_tail.append(text)
            log.debug("vdevice %s: %s", self.address, text)

    def _dispatch(self, kind: int, payload: bytes) -> None:
        if kind == pipe.NOTIFY:
            conn, handle, data = pipe.parse_notify(payload)
            self._on_notify(conn, handle, data)
        elif kind == pipe.TIME:
            t_s = pipe.parse_time_s(payload)
            self._on_time(t_s)
            if not self._held:
                self._write_if_running(pipe.time_ack_msg(round(t_s * 1000)))
        elif kind == pipe.READ_RESULT:
            self._reads.answer(*pipe.parse_read_result(payload))
        elif kind == pipe.DISCONNECTED:
            self._on_device_disconnect(pipe.parse_conn(payload))
        elif kind == pipe.ADVERTISE:
            self._on_advert(pipe.parse_advertise(payload))
        elif kind == pipe.SERVICES:
            self.services = pipe.parse_services(payload)
            self._data_handles = {c.handle for s in self.services for c in s.chars if c.uuid == DATA_CHAR_UUID}
            self._services_ready.set()
        elif kind == pipe.END:
            self.ended.set()
        elif kind == pipe.DIAG:
            self.diagnostics.append(pipe.parse_diag(payload))
        else:
            raise PipeError(f"host-to-device message {pipe.KIND_NAMES[kind]} on the device's stdout")

    def _on_time(self, t_s: float) -> None:
        self.virtual_time_s = t_s
        self._time_waiters.reached(t_s)
        if self._loss_until_s is not None and t_s >= self._loss_until_s:
            self._end_link_loss()
        while self._pending_losses and t_s >= self._pending_losses[0][0]:
            _, duration_s = self._pending_losses.pop(0)
            self._begin_link_loss(duration_s)

    def _on_closed(self) -> None:
        self.closed.set()
        self._advertising.clear()
        self._reads.fail_all(DeviceGoneError(f"virtual device {self.address} has ended"))
        for fut in self._connecting.values():
            if not fut.done():
                fut.set_result(None)
        self._time_waiters.fail_all(DeviceGoneError(f"virtual device ended at {self.virtual_time_s} s"))
        for conn, central in list(self._conns.items()):
            del self._conns[conn]
            central.on_link_disconnected()
        unregister(self)
