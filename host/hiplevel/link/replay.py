"""A recording replayed as a transport: the same `Received` items, byte for byte, in the same order,
at the original pace (scaled by `speed`) or as fast as possible (`speed=None`)."""

from __future__ import annotations

import asyncio
import os

from hiplevel.link.base import Link, host_now_s
from hiplevel.recording.reader import Recording, read_recording

# While replaying as fast as possible, let the consumer catch up once this many items are queued.
_MAX_QUEUED = 1024


class ReplayLink(Link):
    """Replays the RX records of a recording.

    speed: 1.0 = original pace, 2.0 = twice as fast, None = as fast as possible.
    retime: False keeps the recorded host receive times (decoding a replay then gives exactly the
        samples of the recording); True stamps items with the current host time instead.
    Commands sent to a replay are recorded in `sent` and otherwise ignored (a recording cannot
    answer), so `request()` times out.
    """

    def __init__(self, recording: Recording | str | os.PathLike[str], speed: float | None = 1.0,
                 retime: bool = False) -> None:
        super().__init__()
        if speed is not None and speed <= 0:
            raise ValueError("speed must be > 0, or None for as fast as possible")
        self.recording = recording if isinstance(recording, Recording) else read_recording(recording)
        self.speed = speed
        self.retime = retime
        self.sent: list[bytes] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start replaying (also started by the first iteration or `receive`)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def __aiter__(self):  # type: ignore[no-untyped-def]
        self.start()
        return super().__aiter__()

    async def receive(self, timeout_s: float | None = None):  # type: ignore[no-untyped-def]
        self.start()
        return await super().receive(timeout_s)

    async def _run(self) -> None:
        items = list(self.recording.received())
        wall0 = host_now_s()
        rec0 = items[0].host_time_s if items else 0.0
        try:
            for i, rx in enumerate(items):
                if self.speed is not None:
                    due = wall0 + (rx.host_time_s - rec0) / self.speed
                    delay = due - host_now_s()
                    if delay > 0:
                        await asyncio.sleep(delay)
                elif i % 64 == 0:
                    while self._queue.qsize() > _MAX_QUEUED:
                        await asyncio.sleep(0)
                    await asyncio.sleep(0)
                self._deliver(rx.channel, rx.data, None if self.retime else rx.host_time_s)
        finally:
            self._deliver_end()

    async def _send_packet(self, packet: bytes) -> None:
        self.sent.append(bytes(packet))

    async def _close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
