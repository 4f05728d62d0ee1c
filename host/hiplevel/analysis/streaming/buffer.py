"""The live analyser's rolling sample store and its display low-pass."""

from __future__ import annotations

from typing import Callable

import numpy as np

from hiplevel.signal.biquad import sosfilt, sosfilt_zi
from hiplevel.signal.filters import lowpass_sos


class DisplayFilter:
    """Causal Butterworth low-pass of (roll, pitch), deg: DF2T biquads, the same state scipy's
    `sosfilt` keeps, so one sample and an array give identical output. Starts settled."""

    def __init__(self, cutoff_hz: float, rate_hz: float) -> None:
        self.sos = lowpass_sos(cutoff_hz, rate_hz)
        self._zi0 = sosfilt_zi(self.sos)
        self.zi: np.ndarray | None = None  # (sections, 2 states, 2 channels)
        self._coef = self.sos.tolist()

    def push(self, r: float, p: float) -> tuple[float, float]:
        """One (roll, pitch) sample, deg; returns the filtered pair."""
        if self.zi is None:
            self.zi = self._zi0[:, :, None] * np.array([r, p])[None, None, :]
        z = self.zi
        out = [r, p]
        for c in range(2):
            x = out[c]
            for s, (b0, b1, b2, _a0, a1, a2) in enumerate(self._coef):
                z0, z1 = z[s, 0, c], z[s, 1, c]
                y = b0 * x + z0
                z[s, 0, c] = b1 * x - a1 * y + z1
                z[s, 1, c] = b2 * x - a2 * y
                x = y
            out[c] = x
        return out[0], out[1]

    def push_many(self, rp: np.ndarray) -> np.ndarray:
        """(N,2) roll, pitch, deg; returns them filtered (state carried on)."""
        if self.zi is None:
            self.zi = self._zi0[:, :, None] * rp[0][None, None, :]
        y, self.zi = sosfilt(self.sos, rp, zi=self.zi)
        return y


class SampleBuffer:
    """Rolling sample store; global sample index g lives at row g - base.

    Columns: t (s), up (causal up-vector, sensor frame), rp (sensor-frame roll, pitch, deg), acc (g),
    gyro (raw, deg/s), still (causal stillness), smooth (up-vector after the backward pass), rest
    (centred rest mask, as offline), restart (True on the first sample after a gap)."""

    _COLUMNS = (("t", ()), ("up", (3,)), ("rp", (2,)), ("acc", (3,)), ("gyro", (3,)), ("smooth", (3,)))
    _FLAGS = ("still", "rest", "restart")

    def __init__(self, keep: int) -> None:
        self.keep = keep
        cap = 2 * keep + 64
        for name, shape in self._COLUMNS:
            setattr(self, name, np.zeros((cap,) + shape))
        for name in self._FLAGS:
            setattr(self, name, np.zeros(cap, bool))
        self.base = 0
        self.n = 0
        # Called with (global index, smoothed up-vectors (N,3)) of the rows about to be dropped
        # (`session_yaw.SessionYaw` keeps them); None: nobody needs them.
        self.on_drop: Callable[[int, np.ndarray], None] | None = None

    def row(self) -> int:
        """Row for the next sample (drops the oldest rows when full)."""
        if self.n == len(self.t):
            drop = self.n - self.keep
            if self.on_drop is not None:
                self.on_drop(self.base, self.smooth[:drop])
            for name in [c for c, _ in self._COLUMNS] + list(self._FLAGS):
                a = getattr(self, name)
                a[: self.keep] = a[drop : self.n]
            self.base += drop
            self.n = self.keep
        self.n += 1
        return self.n - 1

    def first(self, g: int) -> int:
        """Row of global index g, clipped to the oldest row kept."""
        return max(0, g - self.base)
