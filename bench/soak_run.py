"""One soak session on the virtual device: connect, raw mode, START, record for the planned time with
the faults of a `SoakFaults` plan, STOP, recover what can be recovered, and keep what the user would
keep (the recording) plus the device's DIAG reports and the host's memory over the run.

The host path is the one `hiplevel record` uses: `BleLink` (reconnect, RESEND, accounting) and
`record_link` writing the recording as it arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hiplevel.errors import LinkError
from hiplevel.link import base as link_base
from hiplevel.link import ble_link as ble_link_mod
from hiplevel.link.ble_link import BleLink, BleLinkSettings, LinkStats
from hiplevel.link.ble_scan import find_sensor
from hiplevel.protocol import Cmd, StreamMode, set_mode_payload
from hiplevel.recording import RecordingWriter
from hiplevel.recording.writer import record_link
from hiplevel.virtual import VirtualClient, VirtualDevice, VirtualDeviceConfig, VirtualScanner
from hiplevel.virtual.faults import AirFaults, AirStats

from bench.soak_plan import SoakFaults

START_AT_S = 20.0  # virtual time of START in a faulty run
REFERENCE_START_AT_S = 5.0  # and in the fault-free one, which must cover the faulty one
DIAG_PERIOD_S = 60.0  # device heap report and host memory sample, virtual seconds
# What the host's memory figure leaves out: the JSON the simulation decodes (the virtual device's
# DIAG reports, which this soak keeps all hour; the host's own JSON replies are small and passing)
# and tracemalloc's own bookkeeping.
# One frame per trace keeps a snapshot cheap: a long one would stall the host like a pause.
_NOT_HOST = (tracemalloc.Filter(False, "*/json/decoder.py"), tracemalloc.Filter(False, tracemalloc.__file__),
             tracemalloc.Filter(False, "<unknown>"))
WALL_MARGIN_S = 120.0  # failure backstop on every wait, wall seconds, on top of the run's own time
WALL_SLOWDOWN = 10.0  # and the run's own time may take this many times its nominal wall time (busy machine)


@dataclass
class HostClock:
    """The host's receive clock with steps injected: `time.monotonic()` + `offset_s`."""

    offset_s: float = 0.0

    def now(self) -> float:
        return time.monotonic() + self.offset_s


@contextlib.contextmanager
def host_clock(clock: HostClock) -> Iterator[None]:
    """Make the link's receive and send stamps come from `clock` while inside."""
    saved = link_base.host_now_s, ble_link_mod.host_now_s
    link_base.host_now_s = ble_link_mod.host_now_s = clock.now
    try:
        yield
    finally:
        link_base.host_now_s, ble_link_mod.host_now_s = saved


def _rss_bytes() -> int:
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class SoakRun:
    """What one session left: the recording, link and air counts, the device's DIAG documents
    (virtual time, heap after a collection, its stream counters) and the host's memory samples
    (stream time s, traced Python bytes, RSS bytes)."""

    recording: Path
    link: LinkStats
    air: AirStats
    diag: list[dict[str, Any]]
    host_mem: list[tuple[float, int, int]] = field(default_factory=list)
    start_virtual_s: float = 0.0
    wall_s: float = 0.0

    @property
    def final_seq(self) -> int:
        """The device's last slot when it stopped (from its last DIAG)."""
        return int(self.diag[-1]["seq"])


def _shift(windows: tuple[tuple[float, float], ...], by_s: float, both: bool) -> tuple[tuple[float, float], ...]:
    return tuple((a + by_s, b + by_s if both else b) for a, b in windows)


async def _request_until_ok(link: BleLink, cmd: Cmd, payload: bytes, deadline: float) -> None:
    """Send `cmd` until the device answers OK (the link may be down or drop the reply)."""
    loop = asyncio.get_running_loop()
    while True:
        if link.ended:
            raise LinkError(f"the link ended before {cmd.name} was answered")
        await asyncio.wait_for(link.connected.wait(), max(0.0, deadline - loop.time()))
        try:
            await link.request(cmd, payload)
            return
        except LinkError:
            if loop.time() > deadline:
                raise


async def run_session(chip: Path, out: Path, duration_s: float, speed: float, faults: SoakFaults | None,
                      *, start_at_s: float, lead_limit_s: float = 0.0, trace_memory: bool = False) -> SoakRun:
    """Stream `duration_s` virtual seconds from START at `start_at_s` (virtual s; the plan's
    times count from there) into the recording `out`. `faults` None = fault-free. `lead_limit_s`:
    the device waits while that far ahead of the host (0: never, as a real one)."""
    if speed <= 0:
        raise ValueError("the soak needs a finite speed: host pauses and reconnects are wall-clock bound")
    wall0 = time.perf_counter()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WALL_MARGIN_S + WALL_SLOWDOWN * duration_s / speed
    t0 = start_at_s
    air = AirFaults()
    cfg = VirtualDeviceConfig(chip_stream=chip, speed=speed, diag_period_s=DIAG_PERIOD_S, lead_limit_s=lead_limit_s)
    if faults is not None:
        air = dataclasses.replace(faults.air, link_loss_s=_shift(faults.air.link_loss_s, t0, both=False))
        cfg = VirtualDeviceConfig(chip_stream=chip, speed=speed, diag_period_s=DIAG_PERIOD_S, lead_limit_s=lead_limit_s,
                                  link_loss_s=_shift(faults.device_link_loss_s, t0, both=False),
                                  i2c_fail_s=_shift(faults.i2c_fail_s, t0, both=True))
    clock = HostClock()
    host_mem: list[tuple[float, int, int]] = []
    if trace_memory:
        tracemalloc.start(1)
    try:
        with host_clock(clock):
            async with VirtualDevice(cfg, air) as dev:
                sensor = await find_sensor(timeout_s=WALL_MARGIN_S, backend=VirtualScanner)
                settings = BleLinkSettings(connect_timeout_s=WALL_MARGIN_S, reconnect_give_up_s=WALL_MARGIN_S)
                link = await BleLink(sensor.device, backend=VirtualClient, settings=settings).open()
                writer = RecordingWriter(out, header={"soak": faults.describe() if faults else "fault-free"},
                                         clock=clock.now)
                await link.request(Cmd.SET_MODE, set_mode_payload(StreamMode.RAW))
                recorder = asyncio.create_task(record_link(link, writer))
                # With a lead limit the held device stands still (and answers) until START is in:
                # the stream starts within a limit of start_at_s however slow the host is.
                await dev.wait_virtual_time(start_at_s, max(1.0, deadline - loop.time()))
                dev.hold()
                await link.request(Cmd.START)
                dev.release()
                started = dev.virtual_time_s
                helpers = [asyncio.create_task(_sample_memory(dev, t0, duration_s, host_mem, trace_memory))]
                if faults is not None:
                    helpers.append(asyncio.create_task(_host_faults(dev, t0, faults, clock, speed)))
                try:
                    await dev.wait_virtual_time(t0 + duration_s, max(1.0, deadline - loop.time()))
                    await _request_until_ok(link, Cmd.STOP, b"", deadline)
                    await link.settle(tail=True, timeout_s=max(1.0, deadline - loop.time()))
                finally:
                    for task in helpers:
                        task.cancel()
                    await asyncio.gather(*helpers, return_exceptions=True)
                await link.close()
                await recorder
                writer.close()
                link.finish_accounting()
                air_stats = dev.air_stats
            # leaving the device's context waits for its last DIAG (sent as it stops)
            diag = list(dev.diagnostics)
    finally:
        if trace_memory:
            tracemalloc.stop()
    return SoakRun(out, link.stats, air_stats, diag, host_mem, started, time.perf_counter() - wall0)


async def _sample_memory(dev: VirtualDevice, t0: float, duration_s: float, out: list[tuple[float, int, int]],
                         traced: bool) -> None:
    """Host memory every DIAG period of stream time."""
    k = 0
    while k * DIAG_PERIOD_S <= duration_s:
        await dev.wait_virtual_time(t0 + k * DIAG_PERIOD_S)
        out.append((k * DIAG_PERIOD_S, _host_traced_bytes() if traced else 0, _rss_bytes()))
        k += 1


def _host_traced_bytes() -> int:
    """Python memory allocated by the host now (tracemalloc), the simulation left out."""
    snapshot = tracemalloc.take_snapshot().filter_traces(_NOT_HOST)
    return sum(stat.size for stat in snapshot.statistics("filename"))


async def _host_faults(dev: VirtualDevice, t0: float, faults: SoakFaults, clock: HostClock, speed: float) -> None:
    """Host pauses (the whole process stops: a blocking sleep on the event loop's thread, for the
    pause's virtual duration at the device's speed) and steps of the host's receive clock, at
    their virtual times."""
    events = sorted([(t, "pause", v) for t, v in faults.host_pauses] + [(t, "jump", v) for t, v in faults.clock_jumps])
    for t, kind, value in events:
        await dev.wait_virtual_time(t0 + t)
        if kind == "pause":
            time.sleep(value / speed)  # noqa: ASYNC251 - the point: nothing in this process runs meanwhile
        else:
            clock.offset_s += value
