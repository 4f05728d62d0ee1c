"""What the host waits for from the virtual device: GATT reads answered in order (READ_RESULT) and
moments of its virtual clock (TIME). Each waiter is resolved by the pipe reader, or failed when the
device ends."""

from __future__ import annotations

import asyncio
import collections


class PendingReads:
    """GATT reads per value handle, answered in the order they were asked."""

    def __init__(self) -> None:
        self._queues: dict[int, collections.deque[asyncio.Future[bytes]]] = {}

    def expect(self, value_handle: int) -> asyncio.Future[bytes]:
        """Queue a waiter for a read about to be sent on `value_handle`."""
        fut: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(value_handle, collections.deque()).append(fut)
        return fut

    async def wait(self, value_handle: int, fut: asyncio.Future[bytes], timeout_s: float) -> bytes:
        """The answer `fut` gets; `asyncio.TimeoutError` after timeout_s (the waiter is dropped)."""
        try:
            return await asyncio.wait_for(asyncio.shield(fut), timeout_s)
        except asyncio.TimeoutError:
            queue = self._queues.get(value_handle)
            if queue is not None and fut in queue:
                queue.remove(fut)
            raise

    def answer(self, value_handle: int, data: bytes) -> None:
        """READ_RESULT: the oldest read still waiting on this handle gets `data`."""
        queue = self._queues.get(value_handle)
        while queue:
            fut = queue.popleft()
            if not fut.done():
                fut.set_result(data)
                break

    def fail_all(self, exc: Exception) -> None:
        for queue in self._queues.values():
            for fut in queue:
                if not fut.done():
                    fut.set_exception(exc)
        self._queues.clear()


class TimeWaiters:
    """Waits for the device's virtual clock to reach a time, s."""

    def __init__(self) -> None:
        self._waiters: list[tuple[float, asyncio.Future[None]]] = []

    def add(self, t_s: float) -> asyncio.Future[None]:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((t_s, fut))
        return fut

    def reached(self, t_s: float) -> None:
        """The device's clock is at `t_s`: every waiter for it or earlier is done."""
        if self._waiters:
            for _, fut in [w for w in self._waiters if w[0] <= t_s]:
                if not fut.done():
                    fut.set_result(None)
            self._waiters = [w for w in self._waiters if w[0] > t_s]

    def fail_all(self, exc: Exception) -> None:
        for _, fut in self._waiters:
            if not fut.done():
                fut.set_exception(exc)
        self._waiters.clear()
