"""Device-to-host clock mapping and sample-timing diagnostics.

`ClockSync` maps the device's microsecond clock to host monotonic seconds with an offset and a drift
(`host_s = dev_s + offset_s + drift * (dev_s - dev_ref_s)`). Host receive times are the device time
plus a positive, variable delivery delay (BLE connection intervals, batching, scheduling), so the
mapping is fitted to the *lower envelope* of (host - device) against device time: the minimum per
window (min filter), then the lower-convex-hull line that minimises the summed distance to all
window minima while staying below them (the linear-programming skew estimator of Moon, Skelly &
Towsley 1999, "Estimation and removal of clock skew from network delay measurements"). Delays only
ever add, so the envelope follows the fastest deliveries and ignores queued bursts.

Steps of the host's receive clock (a clock set by hand or by NTP, the soak's injected +600 s and
-30 s) would tilt that one line and move every sample. A step is a *sharp* jump of the residual
(host - fitted) between two packets at most `sharp_s` device seconds apart, *large* (>= `min_step_s`:
link delays and the virtual device's rate wander stay far below) and *lasting*: the envelope of the
residuals over the next `confirm_s` device seconds sits at the new level (a burst queued during a
stall drains back down and is not a step). Later receive times are moved back by the step, so the
mapping stays on the host clock as it was before the first step (the device clock is the reference:
a host step does not move samples); `ClockReport.steps` lists them.

`JitterMeter` reports how evenly the device stamps its packets: per-packet deviation of `t_us` from
`seq * period` and the effective sample rate measured on the device clock.
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass

import numpy as np

from hiplevel.link.lower_hull import hull_edge, lower_chain, lower_envelope_line, lower_hull

DEFAULT_WINDOW_S = 5.0
MIN_STEP_S = 5.0  # a host clock step; link delays and the virtual device's rate wander stay far below
SHARP_S = 2.0  # device s between the packets either side of a step (a few packet intervals)
CONFIRM_S = 60.0  # device s the new level must last
_MIN_CONFIRM_N = 5  # packets after the jump, at least, to confirm a step
_WANDER = 0.05  # s per device s: how far the virtual device's rate may wander (3 s a minute)


@dataclass(frozen=True)
class ClockStep:
    """A step of the host receive clock: device time (s) and host receive time (s, the stepped clock)
    of the first packet after it, and its size (s; positive: the host clock jumped forward)."""

    dev_s: float
    host_s: float
    size_s: float


@dataclass(frozen=True)
class ClockReport:
    """State of a `ClockSync`: offset (s) and drift (ppm, host clock faster than device is positive),
    and the delivery delay above the fitted envelope (ms), a measure of link latency jitter.
    steps: the host receive clock's steps found and taken out of the fit."""

    offset_s: float
    drift_ppm: float
    n_observations: int
    n_windows: int
    delay_p50_ms: float
    delay_p95_ms: float
    delay_max_ms: float
    steps: tuple[ClockStep, ...] = ()


@dataclass
class _Candidate:
    """A sharp jump of the residual waiting to be confirmed as a host clock step."""

    index: int  # observation index of the first packet after the jump
    x: float
    host_s: float
    base: float  # residual envelope before the jump
    jump: float  # residual of that packet minus base
    level: float  # lowest residual since (the new envelope)
    n: int
    last_x: float
    last_r: float


class ClockSync:
    """Online device-to-host clock fit.

    window_s: device-time span (s) of each min-filter window; longer windows need fewer fast
        deliveries to find the envelope but follow drift changes more slowly.
    max_windows: how many most recent windows the fit uses (default: one hour of 5 s windows).
    min_step_s, sharp_s, confirm_s: a host clock step is a jump of the residual (host - fitted) of
        at least min_step_s between packets at most sharp_s device s apart whose new envelope lasts
        confirm_s device s (module docstring). While one waits to be confirmed the fit is held.
    """

    def __init__(self, window_s: float = DEFAULT_WINDOW_S, max_windows: int = 720, *,
                 min_step_s: float = MIN_STEP_S, sharp_s: float = SHARP_S, confirm_s: float = CONFIRM_S) -> None:
        if window_s <= 0 or max_windows < 2 or min_step_s <= 0:
            raise ValueError("window_s and min_step_s must be > 0 and max_windows >= 2")
        self.window_s = window_s
        self.max_windows = max_windows
        self.min_step_s, self.sharp_s, self.confirm_s = min_step_s, sharp_s, confirm_s
        self._ref_s: float | None = None
        self._win_index: int | None = None
        self._win_best: tuple[float, float] | None = None
        self._minima: list[tuple[float, float]] = []  # (x = dev - ref, y = host - shift - dev) per window
        self._a = 0.0
        self._b = 0.0
        self._xs = array("d")
        self._ys = array("d")  # y with the steps found so far taken out
        self._shift = 0.0  # sum of the steps found: taken out of later receive times
        self._steps: list[ClockStep] = []
        self._recent: deque[tuple[float, float]] = deque()  # sliding minimum of (x, residual) over window_s
        self._last_x: float | None = None
        self._last_r = 0.0
        self._pending: _Candidate | None = None
        self._held: list[tuple[float, float]] = []  # window minima closed while a candidate waits
        self._hull_src: list[tuple[float, float]] = []  # the points of the last fit and their lower hull
        self._hull: list[tuple[float, float]] = []
        self._hull_xs: list[float] = []

    def observe(self, t_dev_us: float, host_time_s: float) -> None:
        """One packet: device time (us, unwrapped) of its *last* sample, which is taken just before
        the packet is sent, and its host receive time (s, monotonic)."""
        dev_s = t_dev_us * 1e-6
        if self._ref_s is None:
            self._ref_s = dev_s
        x, y = dev_s - self._ref_s, host_time_s - self._shift - dev_s
        self._xs.append(x)
        self._ys.append(y)
        index = int(x // self.window_s)
        if self._win_index is None or index != self._win_index:
            self._close_window()
            self._win_index, self._win_best = index, (x, y)
        elif self._win_best is None or y < self._win_best[1]:
            self._win_best = (x, y)
        if len(self._minima) < 2 and self._pending is None:
            self._fit()
        self._scan(len(self._xs) - 1)

    def observe_many(self, t_dev_us: np.ndarray, host_time_s: np.ndarray) -> None:
        """`observe` of each (t_dev_us[i], host_time_s[i]) in order, to the bit, a window at a time:
        while no step can start (the residual moves by less than half the smallest step between two
        packets, the device clock runs forward and the fit rests on two window minima or more), the
        residuals, window minima and the sliding minimum are numpy's; otherwise `observe` itself."""
        t = np.asarray(t_dev_us)
        h = np.asarray(host_time_s, dtype=np.float64)
        n = len(t)
        i = 0
        while i < n and self._ref_s is None:
            self.observe(t[i].item(), float(h[i]))
            i += 1
        if i >= n:
            return
        dev_all = t * 1e-6
        x_all = dev_all - self._ref_s
        index = np.floor_divide(x_all, self.window_s)
        cuts = np.flatnonzero(index[1:] != index[:-1]) + 1
        ends = cuts[np.searchsorted(cuts, i, side="right"):].tolist() + [n]
        for j in ends:
            self._observe_window(t, h, dev_all, x_all, int(index[i]), i, j)
            i = j

    def _observe_window(self, t: np.ndarray, h: np.ndarray, dev_all: np.ndarray, x_all: np.ndarray, win: int,
                        i: int, j: int) -> None:
        """Observations i..j-1, all of device-time window `win` (`observe_many`)."""
        if self._pending is not None or len(self._minima) < 2 or self._last_x is None:
            for k in range(i, j):
                self.observe(t[k].item(), float(h[k]))
            return
        x, dev_s = x_all[i:j], dev_all[i:j]
        y = h[i:j] - self._shift - dev_s
        if win != self._win_index:
            self._close_window()  # what `observe` does first; a second call in it does nothing
        a, b = self._a, self._b
        r = y - (a + b * x)
        prev_r = np.empty_like(r)
        prev_r[0], prev_r[1:] = self._last_r, r[:-1]
        back = bool(self._recent) and x[0] < self._recent[-1][0]
        if (back or not np.isfinite(y).all() or not (np.diff(x) >= 0).all()
                or not (np.abs(r - prev_r) < self.min_step_s / 2).all()):
            for k in range(i, j):  # a step may start here, or the clock went back: one at a time
                self.observe(t[k].item(), float(h[k]))
            return
        self._xs.frombytes(np.ascontiguousarray(x, dtype=np.float64).tobytes())
        self._ys.frombytes(np.ascontiguousarray(y, dtype=np.float64).tobytes())
        k = int(np.argmin(y))  # the first of the lowest, as `observe` keeps it
        if win != self._win_index:
            self._win_index, self._win_best = win, (float(x[k]), float(y[k]))
        elif self._win_best is None or y[k] < self._win_best[1]:
            self._win_best = (float(x[k]), float(y[k]))
        # the sliding minimum of the residuals over window_s, as `_remember` leaves it: the points
        # no later one reaches or undercuts, within window_s of the last
        later_min = np.minimum.accumulate(r[::-1])[::-1]
        keep = np.ones(len(r), dtype=bool)
        keep[:-1] = r[:-1] < later_min[1:]
        thr = float(x[-1]) - self.window_s
        keep &= ~(x < thr)
        low = float(later_min[0])
        recent = deque((px, pr) for px, pr in self._recent if not px < thr and pr < low)
        recent.extend(zip(x[keep].tolist(), r[keep].tolist()))
        self._recent = recent
        self._last_x, self._last_r = float(x[-1]), float(r[-1])

    def _close_window(self) -> None:
        if self._win_best is None:
            return
        if self._pending is not None:
            self._held.append(self._win_best)
            self._win_best = None
            return
        self._add_minimum(self._win_best)
        self._win_best = None
        self._fit()

    def _add_minimum(self, m: tuple[float, float]) -> None:
        self._minima.append(m)
        if len(self._minima) > self.max_windows:
            del self._minima[0]

    # -- host clock steps ---------------------------------------------------------------------

    def _scan(self, i: int) -> None:
        """Look for steps in observations i.. (one, unless a decided candidate's span is looked at
        again)."""
        while i < len(self._xs):
            again = self._watch(i)
            i = again if again is not None else i + 1

    def _jump(self, dx: float, r: float, prev_r: float, base: float) -> bool:
        """A step-sized jump of the residual to r from the packet before (prev_r, dx device s
        earlier), away from the envelope `base`: over a gap, the rate's wander may add to it."""
        size = self.min_step_s + _WANDER * max(0.0, dx - self.sharp_s)
        return (dx > 0 and abs(r - base) >= size and (r - prev_r) * (r - base) > 0
                and abs(r - prev_r) >= size / 2)

    def _watch(self, i: int) -> int | None:
        """Observation i against the (held) fit; after a candidate is decided, the index to go on
        from (the packets of its span are looked at again on the corrected clock)."""
        x, y = self._xs[i], self._ys[i]
        r = y - (self._a + self._b * x)
        c = self._pending
        if c is not None:
            if x - c.x > self.confirm_s or self._jump(x - c.last_x, r, c.last_r, c.level):
                return self._decide()  # its span is over, or another step starts
            c.level, c.n, c.last_x, c.last_r = min(c.level, r), c.n + 1, x, r
            return None
        prev_x, prev_r = self._last_x, self._last_r
        base = self._recent[0][1] if self._recent else r
        if len(self._minima) >= 2 and prev_x is not None and self._jump(x - prev_x, r, prev_r, base):
            host = y + self._shift + x + (self._ref_s or 0.0)
            self._pending = _Candidate(i, x, host, base, r - base, r, 1, x, r)
            return None
        self._last_x, self._last_r = x, r
        self._remember(x, r)
        return None

    def _remember(self, x: float, r: float) -> None:
        recent = self._recent
        if recent and x < recent[-1][0]:
            recent.clear()  # the device clock went back (a restart): start over
        while recent and recent[-1][1] >= r:
            recent.pop()
        recent.append((x, r))
        while recent[0][0] < x - self.window_s:
            recent.popleft()

    def _decide(self) -> int | None:
        """Confirm the pending candidate as a step (the envelope of its span stayed at the new level)
        or reject it; then the index of the packet after it, to look at its span again."""
        c = self._pending
        assert c is not None
        self._pending = None
        step = c.level - c.base
        held, self._held = self._held, []
        if abs(step) >= self.min_step_s and (step > 0) == (c.jump > 0) and c.n >= _MIN_CONFIRM_N:
            self._shift += step
            self._steps.append(ClockStep(float(c.x + (self._ref_s or 0.0)), float(c.host_s), float(step)))
            ys = np.frombuffer(self._ys)
            ys[c.index:] -= step
            del ys
            held = [(x, y - step if x >= c.x else y) for x, y in held]
            if self._win_best is not None and self._win_best[0] >= c.x:
                self._win_best = (self._win_best[0], self._win_best[1] - step)
        for m in held:
            self._add_minimum(m)
        self._fit()
        self._last_x, self._last_r = c.x, self._ys[c.index] - (self._a + self._b * c.x)
        self._remember(c.x, self._last_r)
        return c.index + 1 if c.index + 1 < len(self._xs) else None

    # -- the mapping ----------------------------------------------------------------------------

    def _fit(self) -> None:
        points = list(self._minima)
        if self._win_best is not None and len(points) < 2:
            points.append(self._win_best)
        if not points:
            return
        if len(points) == 1:
            self._a, self._b = points[0][1], 0.0
            return
        self._a, self._b = self._envelope(points)

    def _envelope(self, points: list[tuple[float, float]]) -> tuple[float, float]:
        """`lower_envelope_line(np.array(points))`, to the bit. When the points are those of the last
        fit (given in x order) with more after them in x order (a window closed), the hull is
        carried on from where it stopped (the chain is the same); otherwise built again (a window
        dropped at the front: the compiled chain when built)."""
        src = self._hull_src
        n = len(src)
        if (n and len(points) > n and points[n - 1] == src[-1] and points[:n] == src
                and all(p[0] >= q[0] for p, q in zip(points[n:], points[n - 1:]))):
            hull = list(self._hull)
            lower_chain(hull, points[n:])
            xs = self._hull_xs + [p[0] for p in points[n:]]
        else:
            pts = np.array(points)
            order = np.argsort(pts[:, 0], kind="stable")
            if not (order[1:] > order[:-1]).all():  # not given in x order: nothing kept for the next
                self._hull_src, self._hull, self._hull_xs = [], [], []
                return lower_envelope_line(pts)
            hull = lower_hull(pts)
            xs = pts[:, 0].tolist()
        self._hull_src, self._hull, self._hull_xs = points, hull, xs
        return hull_edge(hull, np.array(xs))

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

    @property
    def steps(self) -> tuple[ClockStep, ...]:
        """The host clock steps found so far."""
        return tuple(self._steps)

    def to_host_s(self, t_dev_us: float | np.ndarray) -> float | np.ndarray:
        """Host monotonic time (s) of device time `t_dev_us` (us, unwrapped), on the host clock as it
        was before any step found; vectorised."""
        if self._ref_s is None:
            raise ValueError("ClockSync has no observation yet")
        dev_s = np.asarray(t_dev_us, dtype=np.float64) * 1e-6
        host = dev_s + self._a + self._b * (dev_s - self._ref_s)
        return float(host) if np.ndim(host) == 0 else host

    def finish(self) -> None:
        """Close the current window so the fit uses every observation (end of a recording); a jump
        still waiting is a step if its new envelope held until the end."""
        self._close_window()
        self._win_index = None
        while self._pending is not None:
            again = self._decide()
            if again is not None:
                self._scan(again)
        if self._held:
            for m in self._held:
                self._add_minimum(m)
            self._held = []
            self._fit()

    def report(self) -> ClockReport:
        """Current fit, the delivery-delay distribution above it and the host clock steps."""
        xs, ys = np.frombuffer(self._xs), np.frombuffer(self._ys)
        if len(xs) == 0:
            nan = float("nan")
            return ClockReport(nan, nan, 0, 0, nan, nan, nan)
        delay_ms = (ys - (self._a + self._b * xs)) * 1e3
        p50, p95 = np.percentile(delay_ms, [50, 95])
        return ClockReport(self._a, self.drift_ppm, len(xs), len(self._minima), float(p50), float(p95),
                           float(delay_ms.max()), tuple(self._steps))
