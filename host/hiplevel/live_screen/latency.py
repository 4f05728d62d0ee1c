"""The live view's latency figure over a virtual session, for the benchmark and the release note:
time from a packet's arrival on the host (the BLE notify callback's timestamp) to the flushed
frame that showed it, with the real firmware on MicroPython streaming over virtual BLE.

    summary = measure_latency(seconds=30.0)          # real time by default (speed 1.0)
    print(summary.latency.words(), summary.line())
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from hiplevel.live_screen.connect import VIRTUAL_WAITS_AT_S, OpenSensor, virtual_patient
from hiplevel.live_screen.session import LiveSession
from hiplevel.live_screen.view import View
from hiplevel.live_screen.state import CueSettings, LiveOptions
from hiplevel.live_screen.summary import LiveSummary
from hiplevel.live_screen.view import TerminalView

BENCH_THRESHOLD_DEG = 7.0  # the walking cue threshold (docs/thresholds.md drop_flag_deg_walking)
CONNECT_TIMEOUT_S = 60.0


class _Sink(io.StringIO):
    """Frames go nowhere but are still written and flushed, as to a terminal."""

    def write(self, s: str) -> int:
        return len(s)


async def measure_latency_async(seconds: float | None = 30.0, exercise: str = "walking", speed: float = 1.0,
                                threshold_deg: float = BENCH_THRESHOLD_DEG, out: TextIO | None = None,
                                link_loss_s: tuple[tuple[float, float], ...] = (), seed: int = 1,
                                raw: bool = True, view_for: Callable[[Any], View] | None = None,
                                stop: asyncio.Event | None = None) -> LiveSummary:
    """Run one live session of `seconds` session s (None: until `stop` is set or the simulated
    patient is done) against a virtual device (speed: virtual s per wall s; link_loss_s:
    device-side link losses as (start, duration) virtual s; raw: stream raw 6-axis, else the
    device's roll) and return its summary; `summary.latency` holds the arrival-to-frame figures.
    Frames go to `out` as on a terminal, or to `view_for(device)` (a view that may act on the
    `VirtualDevice` when the screen shows something, e.g. drop the link, or set `stop`)."""
    from hiplevel.link.ble_link import BleLink, BleLinkSettings
    from hiplevel.link.ble_scan import find_sensor
    from hiplevel.sim import simulate_session, write_chip_stream
    from hiplevel.virtual.backend import VirtualClient, VirtualScanner
    from hiplevel.virtual.process import VirtualDevice, VirtualDeviceConfig

    sim = simulate_session(virtual_patient(exercise, seconds, threshold_deg, seed))
    with tempfile.TemporaryDirectory(prefix="hiplevel-live-latency-") as tmp:
        chip = write_chip_stream(sim, Path(tmp) / "patient.chip")
        cfg = VirtualDeviceConfig(chip_stream=chip, speed=speed, link_loss_s=link_loss_s,
                                  patient_waits_at_s=VIRTUAL_WAITS_AT_S)
        async with VirtualDevice(cfg) as device:
            found = await find_sensor(timeout_s=CONNECT_TIMEOUT_S, backend=VirtualScanner)
            link = await BleLink(found.device, backend=VirtualClient,
                                 settings=BleLinkSettings(connect_timeout_s=CONNECT_TIMEOUT_S)).open()
            try:
                sensor = OpenSensor(link, f"virtual {found.name}", speed, found.rssi_dbm, device, found.battery_pct)
                cue = CueSettings(threshold_deg, sound=True, haptic=True)
                options = LiveOptions(exercise, cue, seconds=seconds, raw=raw)
                view = view_for(device) if view_for is not None else TerminalView(out if out is not None else _Sink())
                return await LiveSession(sensor, options, view).run(stop or asyncio.Event())
            finally:
                await link.close()


def measure_latency(seconds: float = 30.0, exercise: str = "walking", speed: float = 1.0,
                    threshold_deg: float = BENCH_THRESHOLD_DEG, raw: bool = True) -> LiveSummary:
    """`measure_latency_async` in its own event loop (for scripts and the benchmark)."""
    return asyncio.run(measure_latency_async(seconds, exercise, speed, threshold_deg, raw=raw))
