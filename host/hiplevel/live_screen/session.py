"""The live biofeedback loop: stream from an open sensor, tare on quiet standing, then redraw the
level gauge and rep panel as samples arrive, cue on drops, and sum up at the end.

The set-up waits on data, not on the clock: the stand-still count runs on samples received (a lost
link pauses it), the tare is retried until the sensor and the analyser both have a neutral, and only
then is the patient told to go (a simulated patient on the virtual device waits for that word).
No cue before a neutral and, where reps are counted, a first rep: the bell and the sensor's buzz
start with the exercise, not with stepping into it.

Three tasks share one `LiveState`: the consumer (`async for rx in link`: decode, feed the analyser,
draw when a frame is due; it is the only one on the latency path), the ticker (link state, battery,
idle redraws) and the control flow (setup commands, tare, waiting for the end). Session time is
wall time for a real sensor and the device's own clock for a virtual one (which may run faster than
real time in tests, and slower than asked when the machine cannot keep up).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from hiplevel.link.base import data_packets, host_now_s
from hiplevel.live_screen.connect import OpenSensor
from hiplevel.live_screen.feed import LiveFeed, LiveSamples
from hiplevel.live_screen.frames import FrameTimer
from hiplevel.live_screen.reps import RepTracker
from hiplevel.live_screen.sensor_control import SensorControl
from hiplevel.live_screen.state import LinkState, LiveOptions, LiveState
from hiplevel.live_screen.summary import LiveSummary
from hiplevel.live_screen.timing import IDLE_REDRAW_S, FramePacer, LatencyMeter
from hiplevel.live_screen.view import Unread, View
from hiplevel.protocol import Cmd, DataPacket, Flags, ReplyStatus, StatusPacket, StreamMode, parse_tare_reply

if TYPE_CHECKING:
    from hiplevel.analysis.streaming.prior import DevicePrior

log = logging.getLogger(__name__)

TARE_RETRY_S: Final[float] = 0.5  # s of samples between TARE attempts while the patient is not still
# Then the device's haptic cue stays off and the gauge keeps the analyser's own neutral (its first
# quiet standing, if it finds one), or without an analyser the mean device roll of the stand phase;
# s of samples received.
TARE_GIVE_UP_S: Final[float] = 10.0
GO_MESSAGE: Final[str] = "Go! Keep your hip bones level"
NEUTRAL_WINDOW_SAMPLES: Final[int] = 100  # fallback neutral: mean device roll of the last second at 100 Hz
NO_DATA_S: Final[float] = 1.0  # wall s without a packet before the link line says so
BATTERY_POLL_S: Final[float] = 30.0  # GET_STATUS this often when STATUS packets do not come (MTU 23)
SESSION_POLL_S: Final[float] = 0.05  # wall s between looks at the session clock while waiting


class LiveSession:
    """One live session on an open sensor; `await session.run(stop)` until `stop` is set, the time
    is up or the link ends; returns the summary. `view` draws the screen."""

    def __init__(self, sensor: OpenSensor, options: LiveOptions, view: View,
                 clock: Callable[[], float] = host_now_s,
                 priors: Callable[[str], DevicePrior | None] | None = None) -> None:
        self.sensor = sensor
        self.link = sensor.link
        self.control = SensorControl(sensor.link)
        self.options = options
        self.view = view
        self.clock = clock
        self.priors = priors  # device id -> its stored sensor errors (`store.device_priors`)
        self.prior: DevicePrior | None = None  # the one the analyser started from
        self.state = LiveState(options.exercise, cue=options.cue)
        self.state.link.rssi_dbm = sensor.rssi_dbm
        self.state.link.battery_pct = sensor.battery_pct
        self.state.link.label = sensor.label
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
        self._rate_hz = 100.0
        self._samples = asyncio.Event()  # set by the consumer on every fresh packet
        self._haptic_task: asyncio.Task[None] | None = None
        self.frames = FrameTimer(self.pacer, clock, self._draw)
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
        if self.options.seconds is None:
            return
        now_s = self.session_s()
        if self.sensor.virtual is not None and self._stream_start_s is not None and self.link.pending:
            # A virtual device's TIME messages overtake the samples queued for the consumer (at 50x
            # on a loaded machine, seconds of them): the session is where its samples are.
            now_s = self._stream_start_s + self.state.t_s
        if now_s >= self.options.seconds:
            self.finish("time up")

    # --- the whole session -----------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> LiveSummary:
        """Set up, tare, stream until `stop`/time/link end; always sends STOP and sums up."""
        self._t0 = self.clock()
        if self.sensor.virtual is not None:
            self._v0_s = self.sensor.virtual.virtual_time_s
        self.view.begin()
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
            self.frames.halt()
            await self.control.stop()
            consumer.cancel()
            tasks = [consumer, ticker, flow, stopper, done]
            if self._haptic_task is not None:
                tasks.append(self._haptic_task)
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.tracker is not None and self.tracker.available:
                for rep in self.tracker.finish():  # the last steps, held for what would follow
                    self.state.on_rep(rep)
            self.state.message = ""
            self.view.end(self.state)
        ended_s = self._ended_s if self._ended_s is not None else self.session_s()
        return LiveSummary.of(self.state, ended_s, self.feed.loss_pct, self.latency.summary(),
                              self.end_reason, self.mode, self.prior.words() if self.prior else "")

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
        self.state.message = "Stand tall and still..."
        info = await self.control.info()
        rate_hz = int(info.get("rate_hz", 100))
        self._rate_hz = float(rate_hz)
        device_id = str(info.get("device_id") or "")
        self.prior = self.priors(device_id) if self.priors is not None and device_id else None
        errors = self.prior.errors if self.prior is not None else None
        self.tracker = RepTracker.create(self.options.exercise, rate_hz, prior=errors)
        self.state.reps_counted = self.tracker.available
        if self.tracker.note:
            self.state.reps_note = self.tracker.note
        self.mode = await self.control.choose_mode(self.options.raw and self.tracker.available)
        await self._set_haptic(False)  # no buzzing before the neutral is known
        await self._poll_status()
        await self.control.start()
        if self.sensor.virtual is not None:
            # Held since it was opened: its clock (the session's) starts with the stream, so a
            # slow connect on a loaded machine does not eat the session's --seconds.
            self.sensor.virtual.release()
        self.state.link.state = "connected"

    async def _set_haptic(self, enabled: bool) -> None:
        await self.control.set_haptic(enabled, self.options.cue, self.options.exercise)

    async def _poll_status(self) -> None:
        battery = await self.control.battery_pct()
        if battery is not None:
            self.state.link.battery_pct = battery

    def _received_s(self) -> float:
        """Seconds of samples shown live since the stream started (lost and late ones not)."""
        return self.feed.shown_slots / self._rate_hz

    async def _wait_for_samples(self, seconds: float) -> None:
        """Until `seconds` more of samples have arrived (a lost link pauses the count)."""
        target = self._received_s() + seconds
        while self._received_s() < target:
            self._samples.clear()
            await self._samples.wait()

    async def _tare(self) -> None:
        """Quiet standing (STAND_STILL_S of samples received), then TARE on the device (its haptic
        neutral; retried while it is moving) and on the host analyser (the gauge's and the reps'
        neutral; retried until it has one), then tell the patient to go."""
        while (left := self.options.stand_still_s - self._received_s()) > 0:
            self.state.message = f"Stand tall and still... {math.ceil(left):.0f} s"
            await self._wait_for_samples(min(left, left - math.ceil(left) + 1.0))
        give_up = self._received_s() + TARE_GIVE_UP_S
        while self.device_neutral_deg is None and self._received_s() < give_up:
            reply = await self.control.request_through_drops(Cmd.TARE, check=False)
            if reply.status == ReplyStatus.OK:
                self.device_neutral_deg = parse_tare_reply(reply.payload)
                break
            self.state.message = "Hold still: the sensor is moving..."
            await self._wait_for_samples(TARE_RETRY_S)
        tracker = self.tracker if self.tracker is not None and self.tracker.available else None
        while tracker is not None and not tracker.tare() and not tracker.has_neutral and self._received_s() < give_up:
            self.state.message = "Hold still..."
            await self._wait_for_samples(TARE_RETRY_S)
        if self.device_neutral_deg is None:
            log.warning("the sensor never judged itself still; the haptic cue stays off")
        if tracker is not None and not tracker.has_neutral:
            log.warning("no quiet standing for the analyser yet; reps are counted once it finds one")
        if self._stand_rolls:
            self.host_neutral_deg = sum(self._stand_rolls) / len(self._stand_rolls)
        if tracker is None:  # no reps to wait for: the sensor may buzz from now on
            await self._set_haptic(self.options.cue.haptic and self.device_neutral_deg is not None)
        self.tared = True
        self.state.tared = True
        self.state.message = GO_MESSAGE
        self._let_patient_start()
        self._draw_soon(urgent=True)

    def _let_patient_start(self) -> None:
        """The virtual device's simulated patient stands until told to go, as a person would."""
        device = self.sensor.virtual
        if device is not None:
            device.let_patient_start()

    def _first_rep(self) -> None:
        """The exercise has begun: the instruction gives way, and the sensor may buzz now."""
        if self.state.message == GO_MESSAGE:
            self.state.message = ""
        if self.options.cue.haptic and self.device_neutral_deg is not None and self._haptic_task is None:
            self._haptic_task = asyncio.create_task(self._set_haptic(True))

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
            if self._done.is_set():
                continue  # the session is over (STOP on its way): the screen keeps its last frame
            samples = self.feed.push(pkt, rx.host_time_s)
            if samples is None:
                continue
            if self._stream_start_s is None:
                self._stream_start_s = self.session_s()
            self._samples.set()
            haptic = bool(samples.flags & Flags.HAPTIC)
            urgent = self._take(samples)
            buzz_changed = haptic != self.state.haptic_firing
            self.state.on_device_flags(haptic)
            self._check_time_limit()
            self.latency.arrived(rx.host_time_s)
            if buzz_changed:
                self._draw()  # at once: the frame shows the buzz with the packet that reported it
            else:
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
                    self.state.on_rep(rep)
                    if self.state.rep_count == 1:
                        self._first_rep()
                    urgent = True
            roll = self._gauge_roll(s, i, tracker)
            if not self.tared or math.isnan(roll):
                self.state.t_s, self.state.roll_deg = t, 0.0
            elif self.state.on_sample(t, roll):
                # Drawn at once: the frame that rings shows the sample that cued.
                self._draw(bell=self.options.cue.sound)
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
        """Draw once the packets already queued are taken, no faster than the pacer allows unless
        urgent (`FrameTimer.schedule`)."""
        self.frames.schedule(urgent)

    def _draw(self, bell: bool = False) -> None:
        self.frames.cancel()
        try:
            self.view.draw(self.state, bell)
        except BrokenPipeError:
            # Nobody reads the screen any more (`hiplevel live | head`): end the session as `q`
            # would (the sensor is told to stop), and draw nothing more.
            self.view = Unread()
            self.finish("output closed")
            return
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

    def _link_words(self, now: float) -> LinkState:
        connected = getattr(self.link, "connected", None)
        if isinstance(connected, asyncio.Event) and not connected.is_set():
            return "reconnecting"
        if self.state.link.state == "connecting":
            return "connecting"
        if now - self._last_rx > NO_DATA_S:
            return "no data"
        return "connected"

