"""When the live view draws its next frame, on the running event loop: `FrameTimer` turns the
pacer's verdicts (`timing.FramePacer`) into one pending call of the session's draw."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hiplevel.live_screen.timing import FramePacer


class FrameTimer:
    """Schedules the next frame on the running event loop: once the packets already queued are
    taken (call_soon runs when the consumer waits for the next packet), so a burst shares one
    frame, when the pacer says it is due (or the frame is urgent), else at the pacer's next due
    time; one frame pending at most. After `halt` (the session is over) it schedules nothing
    more. draw: draws a frame (and tells the pacer); clock: host s."""

    def __init__(self, pacer: FramePacer, clock: Callable[[], float], draw: Callable[[], None]) -> None:
        self.pacer = pacer
        self.clock = clock
        self._draw = draw
        self._timer: asyncio.Handle | None = None
        self._soon = False
        self._halted = False

    @property
    def halted(self) -> bool:
        """True once the session is over: no frame is drawn through this timer any more."""
        return self._halted

    def schedule(self, urgent: bool = False) -> None:
        """Draw soon: at once after the queued packets when due, else when due (a pending frame
        due later gives way to one at once); nothing once halted."""
        if self._halted:
            return
        now = self.clock()
        if self.pacer.due_now(now, urgent):
            if self._timer is not None and not self._soon:
                self._timer.cancel()
                self._timer = None
            if self._timer is None:
                self._timer = asyncio.get_running_loop().call_soon(self._draw)
                self._soon = True
        elif self._timer is None:
            delay = max(0.0, self.pacer.next_due_s() - now)
            self._timer = asyncio.get_running_loop().call_later(delay, self._draw)
            self._soon = False

    def cancel(self) -> None:
        """Forget the pending frame (a frame is being drawn now)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def halt(self) -> None:
        """End of the session: drop the pending frame and schedule none from now on (the view's
        `end` draws the last one)."""
        self._halted = True
        self.cancel()
