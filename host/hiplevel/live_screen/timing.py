"""Frame pacing and the arrival-to-screen latency figure of the live view, pure (times are passed in,
host monotonic seconds, so tests give them directly)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Packets arrive every <= 50 ms at any rate (the device batches at most 50 ms of samples), so in
# real time every packet gets its own frame (~20 frames/s) at once; the cap only binds for faster
# (virtual) streams, which then share frames, and never delays a real-time packet.
FRAME_INTERVAL_S = 0.02
# With no data (standing up, reconnecting) the screen still refreshes this often.
IDLE_REDRAW_S = 0.25


@dataclass(frozen=True)
class LatencySummary:
    """Arrival-to-frame latency of the packets shown, ms."""

    count: int
    median_ms: float
    p99_ms: float
    max_ms: float

    def words(self) -> str:
        """'latency median 2.1 ms, p99 7.9 ms' (or a note when nothing was measured)."""
        if not self.count:
            return "latency not measured (no samples shown)"
        return f"latency median {self.median_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"


class LatencyMeter:
    """Collects, per packet, the time from its arrival on the host to the frame that showed it."""

    def __init__(self) -> None:
        self._pending: list[float] = []
        self._latencies_s: list[float] = []

    def arrived(self, host_time_s: float) -> None:
        """A packet that arrived at `host_time_s` (s) waits for the next frame."""
        self._pending.append(host_time_s)

    def shown(self, written_s: float) -> None:
        """A frame was written (and flushed) at `written_s` (s): every waiting packet is shown."""
        self._latencies_s.extend(written_s - t for t in self._pending)
        self._pending.clear()

    @property
    def waiting(self) -> bool:
        """True when a packet arrived that no frame has shown yet."""
        return bool(self._pending)

    def summary(self) -> LatencySummary:
        if not self._latencies_s:
            return LatencySummary(0, float("nan"), float("nan"), float("nan"))
        ms = np.asarray(self._latencies_s) * 1000.0
        return LatencySummary(len(ms), float(np.median(ms)), float(np.percentile(ms, 99)), float(ms.max()))


class FramePacer:
    """When to draw: at once when the last frame is at least `interval_s` old or the frame is
    urgent (a cue, a new rep), otherwise at `next_due_s`."""

    def __init__(self, interval_s: float = FRAME_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self.last_s = float("-inf")

    def due_now(self, now_s: float, urgent: bool = False) -> bool:
        return urgent or now_s - self.last_s >= self.interval_s

    def next_due_s(self) -> float:
        return self.last_s + self.interval_s

    def drawn(self, now_s: float) -> None:
        self.last_s = now_s
