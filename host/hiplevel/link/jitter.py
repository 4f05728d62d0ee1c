"""Device-side sample timing of a stream: the effective rate on the device clock and the jitter of
packet times about their slots."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np


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

    def observe_many(self, seq: np.ndarray, t_dev_us: np.ndarray) -> None:
        """`observe` of each (seq[i], t_dev_us[i]) in order."""
        self._seq.frombytes(np.asarray(seq, dtype=np.float64).tobytes())
        self._t.frombytes(np.asarray(t_dev_us, dtype=np.float64).tobytes())

    def report(self) -> JitterReport:
        seq, t = np.frombuffer(self._seq), np.frombuffer(self._t)
        if len(seq) < 3 or np.ptp(seq) == 0:
            nan = float("nan")
            return JitterReport(nan, nan, nan, len(seq))
        slope, intercept = np.polyfit(seq - seq[0], t - t[0], 1)
        resid = (t - t[0]) - (intercept + slope * (seq - seq[0]))
        return JitterReport(float(1e6 / slope), float(np.sqrt(np.mean(resid**2))), float(np.abs(resid).max()), len(seq))
