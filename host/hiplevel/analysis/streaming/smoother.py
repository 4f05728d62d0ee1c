"""Fixed-lag smoothing of the live tilt for the rep detectors.

The causal tilt (`TiltFusion`) lags any correction by its accelerometer time constant, and that
low-frequency error leaks gravity into the lateral acceleration the band-walk and single-leg-stance
detectors integrate. Offline, `fuse_tilt` averages a forward and a backward pass; live, the forward
pass is the causal filter itself (kept in the buffer) and each detector run adds a backward pass,
with the same `tilt_step`, from the newest sample back over `smooth_lag_s`, started from the
forward state there (so the newest samples equal the causal tilt and older ones approach the
two-pass average). A backward pass restarts at every link gap. The work is done in slices
(`step(budget)`) so no single pushed sample pays for a whole pass.
"""

from __future__ import annotations

import numpy as np

from hiplevel.analysis.streaming.buffer import SampleBuffer
from hiplevel.signal.fusion import FusionSettings, tilt_step
from hiplevel.signal.rest_masks import rest_mask

__all__ = ["BackwardPass"]


class BackwardPass:
    """One backward pass over the global samples [g_end - lag, g_end) of `buf`, written into
    `buf.smooth` (unit up-vectors, sensor frame) and `buf.rest` (the offline centred rest mask).

    bias_dps: gyro bias to remove, deg/s (the live fusion's current estimate); turns: the turn fit
    (`turn_fit.LiveTurnFit`) whose corrections the pass applies, as the forward filter does."""

    def __init__(self, buf: SampleBuffer, g_end: int, lag: int, bias_dps, settings: FusionSettings,
                 rate_hz: float, turns=None) -> None:
        self.buf, self.g_end, self.settings, self._turns = buf, g_end, settings, turns
        self.g_lo = max(buf.base, g_end - lag)
        self._bias = np.asarray(bias_dps, float)
        self._move = 1.0 / settings.acc_time_constant_s if settings.acc_time_constant_s > 0 else 0.0
        self._rest = 1.0 / settings.rest_acc_time_constant_s if settings.rest_acc_time_constant_s > 0 else self._move
        win = max(3, int(round(settings.rest_window_s * rate_hz)))
        r_end, r_lo = g_end - buf.base, self.g_lo - buf.base
        ctx = max(0, r_lo - win)
        buf.rest[r_lo:r_end] = rest_mask(buf.acc[ctx:r_end], buf.gyro[ctx:r_end], rate_hz, settings)[r_lo - ctx :]
        self._u = tuple(buf.up[r_end - 1].tolist())
        buf.smooth[r_end - 1] = buf.up[r_end - 1]
        self._g = g_end - 2  # next sample to write
        self.done = self._g < self.g_lo

    def step(self, budget: int) -> bool:
        """Do up to `budget` samples of the pass; True when it is complete."""
        if self.done:
            return True
        b, s = self.buf, self.settings
        self.g_lo = max(self.g_lo, b.base)  # rows the buffer dropped meanwhile are not needed
        g1 = self._g
        g0 = max(self.g_lo, g1 - budget + 1)
        if g1 < g0:
            self.done = True
            return True
        r0, r1 = g0 - b.base, g1 - b.base
        gyro, acc = b.gyro[r0 : r1 + 1], b.acc[r0 : r1 + 1]
        if self._turns is not None:
            acc, gyro = self._turns.rows(acc, gyro, self._bias)
        w = np.radians(gyro - self._bias).tolist()
        acc = acc.tolist()
        t = b.t[r0 : r1 + 2].tolist()
        rest = b.rest[r0 : r1 + 1].tolist()
        restart = b.restart[r0 + 1 : r1 + 2].tolist()
        fwd = b.up[r0 : r1 + 1]
        out = np.empty((r1 + 1 - r0, 3))
        u, tol, turn = self._u, s.acc_tolerance_g, s.turn_rate_dps
        for k in range(r1 - r0, -1, -1):
            if restart[k]:
                # Sample k+1 followed a gap: the pass starts again from the forward state here.
                u = tuple(fwd[k].tolist())
            else:
                u, _ = tilt_step(u, w[k], acc[k], t[k] - t[k + 1], self._rest if rest[k] else self._move, tol, turn)
            out[k] = u
        self._u = u
        sm = fwd + out
        b.smooth[r0 : r1 + 1] = sm / np.linalg.norm(sm, axis=1, keepdims=True)
        self._g = g0 - 1
        self.done = self._g < self.g_lo
        return self.done
