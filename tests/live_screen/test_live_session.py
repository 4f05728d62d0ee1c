"""The live session against the virtual device without a terminal: a link loss mid-session shows
"Reconnecting" and the session goes on; the latency figure the benchmark uses is filled in.

The losses come at moments of the session (what the screen shows), not of the clock, whatever the
machine's speed: the stand-still count runs on samples received (it pauses while the link is lost)
and the simulated patient waits for the screen's "Go!"; nothing here races the clock."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable

import pytest

from hiplevel.live_screen.latency import measure_latency_async
from hiplevel.live_screen.state import LiveState
from hiplevel.live_screen.view import CURSOR_HOME, TerminalView

pytestmark = pytest.mark.slow

LONG_LOSS_S = 3600.0  # a loss lasts until the test gives the link back


class Screen(io.StringIO):
    """Keeps every frame written."""

    @property
    def frames(self) -> list[str]:
        return self.getvalue().split(CURSOR_HOME)[1:]


class LosesTheLinkWhen(TerminalView):
    """Frames to a `Screen`; cuts the virtual device's link the first time the screen shows each
    `when` condition, and gives it back once the screen has shown "Reconnecting" and the device's
    clock has run `seconds` on: faults come at moments of the session, never of the wall clock."""

    def __init__(self, device, screen: Screen, losses: list[tuple[Callable[[LiveState], bool], float]],
                 stop: asyncio.Event, steps_after: int) -> None:
        super().__init__(screen)
        self.device, self.losses = device, list(losses)
        self.lost_until_s: float | None = None  # virtual time the current loss lasts at least until
        self.stop, self.steps_after = stop, steps_after
        self.steps_at_last_loss: int | None = None

    def draw(self, state: LiveState, bell: bool = False) -> None:
        super().draw(state, bell)
        if self.lost_until_s is not None:
            if state.link.state == "reconnecting" and self.device.virtual_time_s >= self.lost_until_s:
                self.lost_until_s = None
                self.device.restore_link()
                self.steps_at_last_loss = state.rep_count
        elif not self.losses and self.steps_at_last_loss is not None:
            if state.rep_count >= self.steps_at_last_loss + self.steps_after:
                self.stop.set()  # the session went on after the last loss: enough
        elif self.losses and state.link.state == "connected" and self.losses[0][0](state):
            _, seconds = self.losses.pop(0)
            self.lost_until_s = self.device.virtual_time_s + seconds
            self.device.drop_link(LONG_LOSS_S)


def _steps(frame: str) -> int:
    m = re.search(r"^  Steps: (\d+)", frame, re.M)
    return int(m.group(1)) if m else 0


async def test_a_lost_link_shows_reconnecting_and_the_session_goes_on() -> None:
    # Two losses: one while the patient stands for the tare (the count pauses, TARE waits for the
    # reconnection), one while walking.
    screen = Screen()
    losses = [(lambda s: s.message == "Stand tall and still... 2 s", 1.5), (lambda s: s.rep_count >= 6, 4.0)]
    stop = asyncio.Event()
    summary = await measure_latency_async(
        seconds=None, speed=8.0, stop=stop,
        view_for=lambda device: LosesTheLinkWhen(device, screen, losses, stop, steps_after=4))
    frames = screen.frames
    lost = [i for i, f in enumerate(frames) if "Reconnecting to the sensor" in f]
    assert lost, "no frame showed the lost link"
    first_lost, last_lost = lost[0], lost[-1]
    assert "Stand tall and still... 2 s" in frames[first_lost] and _steps(frames[first_lost]) == 0
    assert _steps(frames[last_lost]) >= 6  # the second loss came while walking
    assert last_lost < len(frames) - 1
    # Connected again after the losses, and steps still counted.
    assert "Sensor connected" in frames[-1]
    assert _steps(frames[-1]) > _steps(frames[last_lost])
    assert summary.end_reason == "stopped"  # by the test, 4 steps after the last loss
    assert summary.buzzes >= 1  # the device's haptic cue was set up after the first reconnection
    # What was resent after the reconnections came too late for the live view.
    assert summary.loss_pct > 5.0
    assert summary.latency.count > 100
    assert summary.latency.median_ms <= summary.latency.p99_ms


class StopsAfter(TerminalView):
    """Frames to a `Screen`; ends the session once the screen has counted `steps` steps."""

    def __init__(self, screen: Screen, stop: asyncio.Event, steps: int) -> None:
        super().__init__(screen)
        self.stop, self.steps = stop, steps

    def draw(self, state: LiveState, bell: bool = False) -> None:
        super().draw(state, bell)
        if state.rep_count >= self.steps:
            self.stop.set()


async def test_roll_mode_uses_the_device_roll_and_still_counts_reps_and_cues() -> None:
    screen, stop = Screen(), asyncio.Event()
    summary = await measure_latency_async(seconds=None, speed=8.0, raw=False, stop=stop,
                                          view_for=lambda _device: StopsAfter(screen, stop, steps=12))
    assert "Sensor connected" in screen.frames[-1]
    assert summary.mode == "roll" and summary.end_reason == "stopped"
    assert summary.reps >= 12 and summary.cues >= 2
    left, right = summary.per_leg["left"], summary.per_leg["right"]
    assert left[1] > right[1] + 3.0  # weak left leg: the right hip drops further
