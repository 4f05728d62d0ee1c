"""When the live view draws: `FrameTimer` on a real event loop with a clock the test sets (no
sleeping: frames "at once" run on the loop's next turn, frames due later are only ever pending)."""

import asyncio

from hiplevel.live_screen.frames import FrameTimer
from hiplevel.live_screen.timing import FramePacer

INTERVAL_S = 0.05


class _Screen:
    """Counts frames, forgets the pending one and tells the pacer, as the session's draw does."""

    def __init__(self, clock: list[float]) -> None:
        self.clock, self.frames = clock, 0
        self.timer = FrameTimer(FramePacer(interval_s=INTERVAL_S), lambda: clock[0], self.draw)

    def draw(self) -> None:
        self.timer.cancel()
        self.frames += 1
        self.timer.pacer.drawn(self.clock[0])


def _timer() -> tuple[FrameTimer, _Screen, list[float]]:
    clock = [10.0]
    screen = _Screen(clock)
    return screen.timer, screen, clock


async def _turns(n: int = 3) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def test_a_burst_shares_one_frame_and_an_urgent_one_replaces_a_frame_due_later():
    async def run() -> None:
        frames, screen, clock = _timer()
        for _ in range(5):  # five packets queued: one frame after them
            frames.schedule()
        await _turns()
        assert screen.frames == 1
        clock[0] += INTERVAL_S / 5
        frames.schedule()  # not due yet: pending for later
        await _turns()
        assert screen.frames == 1
        frames.schedule(urgent=True)  # a cue: at once, instead of the one due later
        await _turns()
        assert screen.frames == 2
        frames.cancel()

    asyncio.run(run())


def test_no_frame_after_halt_whatever_was_pending():
    async def run() -> None:
        frames, screen, clock = _timer()
        frames.schedule()
        await _turns()
        assert screen.frames == 1
        clock[0] += INTERVAL_S / 5
        frames.schedule()  # a frame due later is pending when the session ends
        frames.halt()
        frames.schedule(urgent=True)  # a cue after the end
        await _turns()
        clock[0] += 2 * INTERVAL_S
        frames.schedule()  # a packet after the end, the frame due by the pacer
        await _turns()
        assert screen.frames == 1
        assert frames.halted

    asyncio.run(run())


def test_no_frame_after_halt_of_a_frame_at_once():
    async def run() -> None:
        frames, screen, clock = _timer()
        frames.schedule()  # at once, not taken yet when the session ends
        frames.halt()
        frames.schedule(urgent=True)
        await _turns()
        assert screen.frames == 0

    asyncio.run(run())
