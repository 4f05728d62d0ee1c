"""The live biofeedback loop: stream from an open sensor, tare on quiet standing, then redraw the
level gauge and rep panel as samples arrive, cue on drops, and sum up at the end.

Three tasks share one `LiveState`: the consumer (`async for rx in link`: decode, feed the analyser,
draw when a frame is due; it is the only one on the latency path), the ticker (link state, battery,
idle redraws) and the control flow (setup commands, tare, waiting for the end). Session time is
wall time for a real sensor and the device's own clock for a virtual one (which may run faster than
real time in tests, and slower than asked when the machine cannot keep up).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, TextIO

from hiplevel.errors import CommandFailedError, HiplevelError, LinkError, ProtocolError
from hiplevel.link.base import data_packets, host_now_s
from hiplevel.live_screen.connect import OpenSensor
from hiplevel.live_screen.feed import LiveFeed, LiveSamples
from hiplevel.live_screen.reps import RepTracker
from hiplevel.live_screen.state import CueSettings, LiveState, haptic_debounce_ms
from hiplevel.live_screen.summary import LiveSummary
from hiplevel.live_screen.timing import IDLE_REDRAW_S, FramePacer, LatencyMeter
from hiplevel.live_screen.view import CLEAR_SCREEN, HIDE_CURSOR, SHOW_CURSOR, frame
from hiplevel.protocol import (
    Cmd,
    DataPacket,
    Flags,
    Reply,
    ReplyStatus,
    StatusPacket,
    StreamMode,
    parse_tare_reply,
    set_haptic_payload,
    set_mode_payload,
)

log = logging.getLogger(__name__)

STAND_STILL_S: Final[float] = 3.0  # quiet standing before the tare, session s (fusion settles in ~1 s)
TARE_RETRY_S: Final[float] = 0.5  # session s between TARE attempts while the device is not still
# Then the device's haptic cue stays off and the gauge keeps the analyser's own neutral (its first
# quiet standing), or without an analyser the mean device roll of the stand phase; session s.
TARE_GIVE_UP_S: Final[float] = 10.0
NEUTRAL_WINDOW_SAMPLES: Final[int] = 100  # fallback neutral: mean device roll of the last second at 100 Hz
NO_DATA_S: Final[float] = 1.0  # wall s without a packet before the link line says so
BATTERY_POLL_S: Final[float] = 30.0  # GET_STATUS this often when STATUS packets do not come (MTU 23)
COMMAND_TIMEOUT_S: Final[float] = 2.0
SESSION_POLL_S: Final[float] = 0.05  # wall s between looks at the session clock while waiting
STOP_TIMEOUT_S: Final[float] = 1.0
BATTERY_UNKNOWN: Final[int] = 255


@dataclass(frozen=True)
class LiveOptions:
    """What the patient asked for. seconds: stop after this many session seconds (None: until
    Ctrl-C). raw: stream raw 6-axis when the link allows, so the host analyser fuses itself."""

    exercise: str
    cue: CueSettings = field(default_factory=CueSettings)
    seconds: float | None = None
    raw: bool = True
    stand_still_s: float = STAND_STILL_S


class LiveSession:
    """One live session on an open sensor; `await session.run(stop)` until `stop` is set, the time
    is up or the link ends; returns the summary. `out` gets the frames (a terminal)."""

    def __init__(self, sensor: OpenSensor, options: LiveOptions, out: TextIO,
                 clock: Callable[[], float] = host_now_s) -> None:
        self.sensor = sensor
        self.link = sensor.link
        self.options = options
        self.out = out
        self.clock = clock
        self.state = LiveState(options.exercise, cue=options.cue)
        self.state.link.rssi_dbm = sensor.rssi_dbm
        self.state.link.battery_pct = sensor.battery_pct
        self.feed = LiveFeed()
        self.latency = LatencyMeter()
        self.pacer = FramePacer()
        self.tracker: RepTracker | None = None
        self.tared = False  # the stand-still phase is over
        self.device_neutral_deg: float | None = None  # the device's TARE answer, deg
        self.host_neutral_deg: float | None = None  # mean device roll of the stand phase, deg
        self.mode = StreamMode.ROLL
        self.end_reason = "stopped"
        self._stand_rolls: deque[float] = deque(maxlen=NEUTRAL_WINDOW_SAMPLES)
        self._bell = False
        self._timer: asyncio.Handle | None = None
        self._timer_soon = False
        self._t0 = clock()
        self._last_rx = float("-inf")
        self._last_status = float("-inf")
        self._done = asyncio.Event()
        self._ended_s: float | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._v0_s = 0.0  # virtual device time at the start, s
        self._stream_start_s: float | None = None  # session time of the first sample, s

    # --- session clock ---------------------------------------------------------------------------
    def session_s(self) -> float:
        """Seconds of session since start: wall time, or for a virtual device its virtual time
        (the newer of its TIME messages, 1 s resolution, and the newest sample's device time)."""
        device = self.sensor.virtual
        if device is None:
            return self.clock() - self._t0
        by_time_msgs = device.virtual_time_s - self._v0_s
        if self._stream_start_s is None:
            return by_time_msgs
        return max(by_time_msgs, self._stream_start_s + self.state.t_s)

    async def _sleep_session(self, seconds: float) -> None:
        """Wait `seconds` of session time (pacing the patient's instructions)."""
        end = self.session_s() + seconds
        while (left := end - self.session_s()) > 0:
            await asyncio.sleep(min(left / self.sensor.speed, SESSION_POLL_S))

    def _check_time_limit(self) -> None:
        if self.options.seconds is not None and self.session_s() >= self.options.seconds:
            self.finish("time up")

    # --- the whole session -----------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> LiveSummary:
        """Set up, tare, stream until `stop`/time/link end; always sends STOP and sums up."""
        self._t0 = self.clock()
        if self.sensor.virtual is not None:
            self._v0_s = self.sensor.virtual.virtual_time_s
        self.out.write(CLEAR_SCREEN + HIDE_CURSOR)
        consumer = asyncio.create_task(self._consume())
        ticker = asyncio.create_task(self._tick())
        stopper = asyncio.create_task(stop.wait())
        flow = asyncio.create_task(self._flow())
        done = asyncio.create_task(self._done.wait())
        limit = None
        if self.options.seconds is not None and self.sensor.virtual is None:
            limit = asyncio.get_running_loop().call_later(self.options.seconds, self.finish, "time up")
        try:
            await asyncio.wait({stopper, flow, done},
                               return_when=asyncio.FIRST_COMPLETED)
            self._ended_s = self.session_s()
            if flow.done() and flow.exception() is not None:
                raise flow.exception()  # type: ignore[misc]
        finally:
            for task in (flow, ticker, stopper, done):
                task.cancel()
            if limit is not None:
                limit.cancel()
            if self._timer is not None:
                self._timer.cancel()
            await self._stop_stream()
            consumer.cancel()
            await asyncio.gather(consumer, ticker, flow, stopper, done, return_exceptions=True)
            self.state.message = ""
            self._draw()
            self.out.write(SHOW_CURSOR)
            self.out.flush()
        ended_s = self._ended_s if self._ended_s is not None else self.session_s()
        return LiveSummary.of(self.state, ended_s, self.feed.loss_pct, self.latency.summary(),
                              self.end_reason, self.mode)

    def finish(self, reason: str) -> None:
        """End the session (from any task) with this reason for the summary."""
        if not self._done.is_set():
            self.end_reason = reason
            self._done.set()

    async def _flow(self) -> None:
        await self._setup()
        await self._tare()
        await self._done.wait()

    async def _setup(self) -> None:
        """Rate from GET_INFO, raw mode when the MTU allows, haptic off until tared, START."""
        self.state.message = "Connecting..."
        info = await self._info()
        rate_hz = int(info.get("rate_hz", 100))
        self.tracker = RepTracker.create(self.options.exercise, rate_hz)
        if self.tracker.note:
            self.state.reps_note = self.tracker.note
        want_raw = self.options.raw and self.tracker.available
        self.mode = StreamMode.RAW if want_raw else StreamMode.ROLL
        reply = await self.link.request(Cmd.SET_MODE, set_mode_payload(self.mode), COMMAND_TIMEOUT_S, check=False)
        if reply.status == ReplyStatus.MTU_TOO_SMALL:
            self.mode = StreamMode.ROLL
            await self.link.request(Cmd.SET_MODE, set_mode_payload(self.mode), COMMAND_TIMEOUT_S)
        elif reply.status != ReplyStatus.OK:
            raise CommandFailedError(f"the sensor refused stream mode {self.mode.name}: {reply.status.name}",
                                     status=int(reply.status))
        await self._set_haptic(False)  # no buzzing before the neutral is known
        await self._poll_status()
        await self.link.request(Cmd.START, timeout_s=COMMAND_TIMEOUT_S)
        self.state.link.state = "streaming"

    async def _info(self) -> dict[str, Any]:
        reply = await self.link.request(Cmd.GET_INFO, timeout_s=COMMAND_TIMEOUT_S)
        try:
            return dict(json.loads(reply.payload.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProtocolError(f"the sensor's GET_INFO reply is not JSON: {exc}") from exc

    async def _set_haptic(self, enabled: bool) -> None:
        cue = self.options.cue
        payload = set_haptic_payload(enabled, cue.threshold_deg, haptic_debounce_ms(self.options.exercise))
        await self._request_through_drops(Cmd.SET_HAPTIC, payload)

    async def _request_through_drops(self, cmd: Cmd, payload: bytes = b"", check: bool = True) -> Reply:
        """A command that survives a dropped BLE link: after a drop it waits for the link's own
        reconnection (the device keeps its settings and stream) and asks again."""
        while True:
            try:
                return await self.link.request(cmd, payload, COMMAND_TIMEOUT_S, check=check)
            except CommandFailedError:
                raise
            except LinkError:
                connected = getattr(self.link, "connected", None)
                if not isinstance(connected, asyncio.Event) or self.link.ended:
                    raise
                await connected.wait()

    async def _poll_status(self) -> None:
        """Battery from GET_STATUS (its first byte; 255 = unknown)."""
        try:
            reply = await self.link.request(Cmd.GET_STATUS, timeout_s=COMMAND_TIMEOUT_S)
        except HiplevelError as exc:
            log.info("GET_STATUS failed: %s", exc)
            return
        if reply.payload and reply.payload[0] != BATTERY_UNKNOWN:
            self.state.link.battery_pct = reply.payload[0]

    async def _tare(self) -> None:
        """Quiet standing, then TARE on the device (its haptic neutral; retried while it is
        moving) and on the host analyser (the gauge's and the reps' neutral)."""
        end = self.session_s() + self.options.stand_still_s
        while (left := end - self.session_s()) > 0:
            self.state.message = f"Stand tall and still... {math.ceil(left):.0f} s"
            await self._sleep_session(min(left, left - math.ceil(left) + 1.0))
        give_up = self.session_s() + TARE_GIVE_UP_S
        while self.device_neutral_deg is None and self.session_s() < give_up:
            reply = await self._request_through_drops(Cmd.TARE, check=False)
            if reply.status == ReplyStatus.OK:
                self.device_neutral_deg = parse_tare_reply(reply.payload)
                break
            self.state.message = "Hold still: the sensor is moving..."
            await self._sleep_session(TARE_RETRY_S)
        if self.tracker is not None and self.tracker.available:
            self.tracker.tare()  # if moving, the analyser keeps the quiet standing it found itself
        if self.device_neutral_deg is None:
            log.warning("the sensor never judged itself still; the haptic cue stays off")
        if self._stand_rolls:
            self.host_neutral_deg = sum(self._stand_rolls) / len(self._stand_rolls)
        await self._set_haptic(self.options.cue.haptic and self.device_neutral_deg is not None)
        self.tared = True
        self.state.message = ""
        self._draw_soon(urgent=True)

    async def _stop_stream(self) -> None:
        try:
            await self.link.request(Cmd.STOP, timeout_s=STOP_TIMEOUT_S)
        except HiplevelError as exc:
            log.info("STOP not acknowledged: %s", exc)

    # --- consumer: the latency path --------------------------------------------------------------
    async def _consume(self) -> None:
        async for rx, pkt in data_packets(self.link):
            self._last_rx = self.clock()
            if isinstance(pkt, StatusPacket):
                self._last_status = self._last_rx
                if pkt.battery_known:
                    self.state.link.battery_pct = pkt.battery_pct
                continue
            assert isinstance(pkt, DataPacket)
            samples = self.feed.push(pkt, rx.host_time_s)
            if samples is None:
                continue
            if self._stream_start_s is None:
                self._stream_start_s = self.session_s()
            haptic = bool(samples.flags & Flags.HAPTIC)
            urgent = self._take(samples) or haptic != self.state.haptic_firing
            self.state.on_device_flags(haptic)
            self._check_time_limit()
            self.latency.arrived(rx.host_time_s)
            self._draw_soon(urgent)
        self.finish("link lost")

    def _take(self, s: LiveSamples) -> bool:
        """Feed one packet's samples to the analyser and the cue logic; True when a frame must be
        drawn at once (a cue or a new rep)."""
        tracker = self.tracker if self.tracker is not None and self.tracker.available else None
        urgent = False
        for i in range(len(s)):
            t = float(s.t_s[i])
            if tracker is not None:
                for rep in tracker.push(t, s, i):
                    self.state.on_rep(rep.side, rep.drop_deg, rep.score, list(rep.flags))
                    urgent = True
            roll = self._gauge_roll(s, i, tracker)
            if not self.tared or math.isnan(roll):
                self.state.t_s, self.state.roll_deg = t, 0.0
            elif self.state.on_sample(t, roll):
                self._bell = self._bell or self.options.cue.sound
                urgent = True
        self.state.link.loss_pct = self.feed.loss_pct
        return urgent

    def _gauge_roll(self, s: LiveSamples, i: int, tracker: RepTracker | None) -> float:
        """Neutral-relative roll of sample i, deg: the analyser's (levelled, low-passed) when it has
        a neutral, else the device's roll minus the tared (or stand-phase mean) neutral."""
        if tracker is not None:
            roll = tracker.current_roll_deg
            if not math.isnan(roll) or s.roll_deg is None:
                return roll
        if s.roll_deg is None:
            return math.nan
        device_roll = float(s.roll_deg[i])
        if not self.tared:
            self._stand_rolls.append(device_roll)
        neutral = self.device_neutral_deg if self.device_neutral_deg is not None else self.host_neutral_deg
        return math.nan if neutral is None else device_roll - neutral

    def _draw_soon(self, urgent: bool = False) -> None:
        """Draw once the packets already queued are taken (call_soon runs when the consumer
        waits for the next packet), so a burst shares one frame; no faster than the pacer allows
        unless urgent."""
        now = self.clock()
        if self.pacer.due_now(now, urgent):
            if self._timer is not None and not self._timer_soon:
                self._timer.cancel()
                self._timer = None
            if self._timer is None:
                self._timer = asyncio.get_running_loop().call_soon(self._draw)
                self._timer_soon = True
        elif self._timer is None:
            delay = max(0.0, self.pacer.next_due_s() - now)
            self._timer = asyncio.get_running_loop().call_later(delay, self._draw)
            self._timer_soon = False

    def _draw(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.out.write(frame(self.state, self._bell))
        self.out.flush()
        self._bell = False
        now = self.clock()
        self.latency.shown(now)
        self.pacer.drawn(now)

    # --- ticker: link state, battery, time limit, idle redraws ----------------------------------
    async def _tick(self) -> None:
        last_poll = self.clock()
        while True:
            await asyncio.sleep(IDLE_REDRAW_S)  # the screen's idle refresh period
            now = self.clock()
            words = self._link_words(now)
            changed = words != self.state.link.state
            self.state.link.state = words
            self._check_time_limit()
            device = self.sensor.virtual
            if device is not None and device.ended.is_set():
                self.finish("the simulated patient finished")
            if now - last_poll >= BATTERY_POLL_S and now - self._last_status >= BATTERY_POLL_S:
                last_poll = now
                poll = asyncio.create_task(self._poll_status())
                self._background.add(poll)
                poll.add_done_callback(self._background.discard)
            if changed or now - self.pacer.last_s >= IDLE_REDRAW_S:
                self._draw()

    def _link_words(self, now: float) -> str:
        connected = getattr(self.link, "connected", None)
        if isinstance(connected, asyncio.Event) and not connected.is_set():
            return "reconnecting..."
        if self.state.link.state == "connecting":
            return "connecting"
        if now - self._last_rx > NO_DATA_S:
            return "no data"
        return f"streaming {self.mode.name.lower()} ({self.sensor.label})"

