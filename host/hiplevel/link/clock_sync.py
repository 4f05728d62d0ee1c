"""Device-to-host clock mapping and sample-timing diagnostics.

`ClockSync` maps the device's microsecond clock to host monotonic seconds with an offset and a drift
(`host_s = dev_s + offset_s + drift * (dev_s - dev_ref_s)`). Host receive times are the device time
plus a positive, variable delivery delay (BLE connection intervals, batching, scheduling), so the
mapping is fitted to the *lower envelope* of (host - device) against device time: the minimum per
window (min filter), then the lower-convex-hull line that minimises the summed distance to all
window minima while staying below them (the linear-programming skew estimator of Moon, Skelly &
Towsley 1999, "Estimation and removal of clock skew from network delay measurements"). Delays only
ever add, so the envelope follows the fastest deliveries and ignores queued bursts.

`JitterMeter` reports how evenly the device stamps its packets: per-packet deviation of `t_us` from
`seq * period` and the effective sample rate measured on the device clock.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

DEFAULT_WINDOW_S = 5.0


@dataclass(frozen=True)
class ClockReport:
    """State of a `ClockSync`: offset (s) and drift (ppm, host clock faster than device is positive),
    and the delivery delay above the fitted envelope (ms), a measure of link latency jitter."""

    offset_s: float
    drift_ppm: float
    n_observations: int
    n_windows: int
    delay_p50_ms: float
    delay_p95_ms: float
    delay_max_ms: float


class ClockSync:
    """Online device-to-host clock fit.

    window_s: device-time span (s) of each min-filter window; longer windows need fewer fast
        deliveries to find the envelope but follow drift changes more slowly.
    max_windows: how many most recent windows the fit uses (default: one hour of 5 s windows).
    """

    def __init__(self, window_s: float = DEFAULT_WINDOW_S, max_windows: int = 720) -> None:
        if window_s <= 0 or max_windows < 2:
            raise ValueError("window_s must be > 0 and max_windows >= 2")
        self.window_s = window_s
        self.max_windows = max_windows
        self._ref_s: float | None = None
        self._win_index: int | None = None
        self._win_best: tuple[float, float] | None = None
        self._minima: list[tuple[float, float]] = []  # (x = dev - ref, y = host - dev) per window
        self._a = 0.0
        self._b = 0.0
        self._xs = array("d")
        self._ys = array("d")

    def observe(self, t_dev_us: float, host_time_s: float) -> None:
        """One packet: device time (us, unwrapped) of its *last* sample, which is taken just before
        the packet is sent, and its host receive time (s, monotonic)."""
        dev_s = t_dev_us * 1e-6
        if self._ref_s is None:
            self._ref_s = dev_s
        x, y = dev_s - self._ref_s, host_time_s - dev_s
        self._xs.append(x)
        self._ys.append(y)
        index = int(x // self.window_s)
        if self._win_index is None or index != self._win_index:
            self._close_window()
            self._win_index, self._win_best = index, (x, y)
        elif self._win_best is None or y < self._win_best[1]:
            self._win_best = (x, y)
        if len(self._minima) < 2:
            self._fit()

    def _close_window(self) -> None:
        if self._win_best is None:
            return
        self._minima.append(self._win_best)
        self._win_best = None
        if len(self._minima) > self.max_windows:
            del self._minima[0]
        self._fit()

    def _fit(self) -> None:
        points = list(self._minima)
        if self._win_best is not None and len(points) < 2:
            points.append(self._win_best)
        if not points:
            return
        if len(points) == 1:
            self._a, self._b = points[0][1], 0.0
            return
        self._a, self._b = lower_envelope_line(np.array(points))

    @property
    def ready(self) -> bool:
        """True once at least one observation has been made."""
        return self._ref_s is not None

    @property
    def offset_s(self) -> float:
        """host - device time (s) at the first observed device time."""
        return self._a

    @property
    def drift_ppm(self) -> float:
        """Host clock rate relative to the device clock, parts per million."""
        return self._b * 1e6

    def to_host_s(self, t_dev_us: float | np.ndarray) -> float | np.ndarray:
        """Host monotonic time (s) of device time `t_dev_us` (us, unwrapped); vectorised."""
        if self._ref_s is None:
            raise ValueError("ClockSync has no observation yet")
        dev_s = np.asarray(t_dev_us, dtype=np.float64) * 1e-6
        host = dev_s + self._a + self._b * (dev_s - self._ref_s)
        return float(host) if np.ndim(host) == 0 else host

    def finish(self) -> None:
        """Close the current window so the fit uses every observation (end of a recording)."""
        self._close_window()
        self._win_index = None

    def report(self) -> ClockReport:
        """Current fit and the delivery-delay distribution above it."""
        xs, ys = np.frombuffer(self._xs), np.frombuffer(self._ys)
        if len(xs) == 0:
            nan = float("nan")
            return ClockReport(nan, nan, 0, 0, nan, nan, nan)
        delay_ms = (ys - (self._a + self._b * xs)) * 1e3
        p50, p95 = np.percentile(delay_ms, [50, 95])
        return ClockReport(self._a, self.drift_ppm, len(xs), len(self._minima), float(p50), float(p95),
                           float(delay_ms.max()))


def lower_envelope_line(points: np.ndarray) -> tuple[float, float]:
    """(a, b) of the line y = a + b x below all `points` ((N, 2), sorted by x) that minimises the
    summed vertical distance to them: the lower-convex-hull edge spanning the mean x."""
    order = np.argsort(points[:, 0], kind="stable")
    pts = points[order]
    hull: list[tuple[float, float]] = []
    for x, y in pts:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            # Drop the middle point when it lies on or above the chord (keeps the lower hull).
            if (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) <= 0:
                hull.pop()
            else:
                break
        hull.append((float(x), float(y)))
    if len(hull) == 1:
        return hull[0][1], 0.0
    x_mean = float(pts[:, 0].mean())
    for (x1, y1), (x2, y2) in zip(hull, hull[1:], strict=False):
        if x2 >= x_mean:
            break
    if x2 == x1:
        return min(y1, y2), 0.0
    b = (y2 - y1) / (x2 - x1)
    return y1 - b * x1, b


@dataclass(frozen=True)
class JitterReport:
    """Device-side sample timing: effective rate on the device clock (Hz) and the deviation of packet
    times from their slot times (us, RMS and max absolute, after removing the mean rate)."""

    rate_hz: float
    jitter_rms_us: float
    jitter_max_us: float
    n_packets: int


class JitterMeter:
    """Collects (slot, device time) of packets to measure sample-rate jitter."""

    def __init__(self) -> None:
        self._seq = array("d")
        self._t = array("d")

    def observe(self, seq: int, t_dev_us: float) -> None:
        """First slot (unwrapped) and device time (us, unwrapped) of a packet."""
        self._seq.append(float(seq))
        self._t.append(float(t_dev_us))

    def report(self) -> JitterReport:
        seq, t = np.frombuffer(self._seq), np.frombuffer(self._t)
        if len(seq) < 3 or np.ptp(seq) == 0:
            nan = float("nan")
            return JitterReport(nan, nan, nan, len(seq))
        slope, intercept = np.polyfit(seq - seq[0], t - t[0], 1)
        resid = (t - t[0]) - (intercept + slope * (seq - seq[0]))
        return JitterReport(float(1e6 / slope), float(np.sqrt(np.mean(resid**2))), float(np.abs(resid).max()), len(seq))
