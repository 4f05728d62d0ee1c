"""The turn fit live: the accelerometer bias and gyro cross-axis leak that turns reveal
(`hiplevel.signal.turns`), estimated from each turn as soon as its reference windows have arrived.

Why: offline, `fuse_tilt` fits these errors over all the recording's turns and fuses again on
corrected signals. Live without them, a 180 deg turn leaves the causal tilt off by 2|b| + pi |c|
(ipol-dev: 1-2 deg of roll), which the slow accelerometer correction takes 10 s or more to pull
back: the steps after a turn were measured from another level than offline's, and where a step's
drop and rise nearly tie, a tenth of a degree turns a pelvic drop into a hip hike (bench section 9:
offline's turn fit was 33 of ipol-dev's 153 steps over 2 deg). Each turn's observation is taken
once, over the samples since the last gap, from the signals as measured (as offline); all turns
seen so far are solved together (`solve_turn_errors`, as offline over the recording), and the tilt
from before the newest turn to now is fused again on corrected signals. Causal: a turn counts only
once its after-turn window is in the buffer (docs/analysis.md, "Live analysis", turn fit).
"""

from __future__ import annotations

import numpy as np

from hiplevel.signal.fusion import DEG, FusionSettings, _gains, tilt_step
from hiplevel.signal.turns import (NO_ERRORS, REFERENCE_S, TURN_AVG_S, TURN_PAD_S, TurnErrors, TurnObservations,
                                   find_turns, solve_turn_errors, turn_observations)

__all__ = ["REFUSE_BEFORE_S", "LiveTurnFit", "unit_rows"]

# Re-fuse from this far before a turn's fast part: its pad and its before-window (which
# `stride_windows` may stretch to whole strides, up to about twice REFERENCE_S).
REFUSE_BEFORE_S = TURN_PAD_S + 2 * REFERENCE_S
# Steps from this long before a turn not yet fitted wait for its fit (their tilt is fused again
# with it): about a step before the turn's pad.
HOLD_BEFORE_S = TURN_PAD_S + 1.0
# A turn older than this that has not been fitted (its fit found no usable window) holds nothing.
MAX_HOLD_S = 8.0


class LiveTurnFit:
    """The turn errors in use (`errors`: the device prior until this session's first turn fit,
    else NO_ERRORS until a turn is seen) and the signals corrected by them; `update` looks for
    newly complete turns. prior: the device's errors from an earlier session (`streaming.prior`:
    acc_bias_g (3,) g, gyro_leak (2,) deg/s about x, y per deg/s about z); the fit ignores it (it
    solves this session's turns alone) and replaces it."""

    def __init__(self, settings: FusionSettings, rate_hz: float, prior: TurnErrors | None = None) -> None:
        self.settings, self.rate_hz = settings, float(rate_hz)
        self.errors: TurnErrors = prior if prior is not None and prior.n_turns else NO_ERRORS
        self._obs: dict[int, TurnObservations] = {}  # global start sample of each turn used -> its observation
        self._sep = int(round(TURN_AVG_S * rate_hz))  # two turn starts closer than this are one turn
        self.hold_from_s = np.inf  # reps ending after this (s) wait for a turn's fit (`update`)

    def acc(self, acc_g: np.ndarray) -> np.ndarray:
        """Accelerometer rows (N,3) or (3,), g, less the fitted bias."""
        return np.asarray(acc_g, float) - self.errors.acc_bias_g

    def gyro(self, gyro_dps: np.ndarray, bias_dps) -> np.ndarray:
        """Raw gyro rows (N,3), deg/s, with the leak of the bias-free vertical rate taken out (the
        bias stays in: the caller removes it, as `sensor_correction.corrected_sensor`)."""
        g = np.array(gyro_dps, float, ndmin=2)
        z = g[:, 2] - float(bias_dps[2])
        for k in range(2):
            g[:, k] -= z * self.errors.gyro_leak[k]
        return g

    def rows(self, acc_g: np.ndarray, gyro_dps: np.ndarray, bias_dps) -> tuple[np.ndarray, np.ndarray]:
        """Accelerometer (N,3) g and raw gyro (N,3) deg/s rows as corrected by the fit (`acc`,
        `gyro`), or as given while no turn has been fitted: what every live reader of the buffer
        (backward pass, detectors, tilt anchor) takes."""
        if not self.errors.n_turns:
            return acc_g, gyro_dps
        return self.acc(acc_g), self.gyro(gyro_dps, bias_dps)

    def sample(self, acc_g, gyro_dps, bias_dps) -> tuple[np.ndarray, np.ndarray]:
        """One sample's (acc g, raw gyro deg/s) as the fusion takes them."""
        if not self.errors.n_turns:
            return acc_g, gyro_dps
        return self.acc(acc_g), self.gyro(gyro_dps, bias_dps)[0]

    def update(self, buf, a: int, still_rows: np.ndarray, bias_dps) -> tuple | None:
        """Turns among buffer rows [a, buf.n) (a: the first after the last gap) whose after-turn
        window has arrived and that were not used yet: their observations join the fit. Returns the
        up-vector now, fused again from before the earliest new turn on corrected signals, or None
        when no new turn was used. still_rows: the buffer's rest flags (`SampleBuffer.still`)."""
        n = buf.n
        if n - a < 3:
            return None
        bias = np.asarray(bias_dps, float)
        gyro = buf.gyro[a:n] - bias
        pad = int(TURN_PAD_S * self.rate_hz)
        new = []
        self.hold_from_s = np.inf
        for s, _ in find_turns(gyro, self.rate_hz):
            g0 = buf.base + a + s
            if s - pad < 0 or any(abs(g0 - k) < self._sep for k in self._obs):
                continue
            obs = turn_observations(buf.acc[a:n], gyro, buf.up[a:n], self.rate_hz, first=s - pad, stop=s - pad + 1)
            if obs.n_turns:
                self._obs[g0] = obs
                new.append(s)
            elif buf.t[n - 1] - buf.t[a + s] < MAX_HOLD_S:
                self.hold_from_s = min(self.hold_from_s, float(buf.t[a + s]) - HOLD_BEFORE_S)
        if not new:
            return None
        fit = solve_turn_errors(list(self._obs.values()))
        if not fit.n_turns:
            return None  # implausible (offline keeps none either)
        shift, self.errors = fit.acc_bias_g - self.errors.acc_bias_g, fit
        r0 = max(a + 1, a + min(new) - int(round(REFUSE_BEFORE_S * self.rate_hz)))
        # Before the turn only the level moves: the filter settles on the accelerometer's direction,
        # now less the new bias (a level step in the buffer would move walking's bout level).
        buf.up[a:r0] = buf.smooth[a:r0] = unit_rows(buf.up[a:r0] - shift)
        return self._refuse(buf, r0, n, bias, still_rows)

    def _refuse(self, buf, r0: int, n: int, bias: np.ndarray, still_rows: np.ndarray) -> tuple:
        """Forward tilt over buffer rows [r0, n) on corrected signals from the tilt at row r0 - 1
        (`tilt_step`, the live filter's gains), written into buf.up and buf.smooth; the last one."""
        st = self.settings
        move, rest = _gains(st)
        w = (self.gyro(buf.gyro[r0:n], bias) - bias) * DEG
        acc = self.acc(buf.acc[r0:n])
        dt = np.diff(buf.t[r0 - 1 : n]).tolist()
        u = tuple(buf.up[r0 - 1].tolist())
        out = np.empty((n - r0, 3))
        for k, (wk, ak, rk) in enumerate(zip(w.tolist(), acc.tolist(), still_rows[r0:n].tolist())):
            u, _ = tilt_step(u, wk, ak, dt[k], rest if rk else move, st.acc_tolerance_g, st.turn_rate_dps)
            out[k] = u
        buf.up[r0:n] = buf.smooth[r0:n] = out
        return u


def unit_rows(v: np.ndarray) -> np.ndarray:
    """Rows of v (N,3) scaled to unit length."""
    return v / np.linalg.norm(v, axis=1, keepdims=True)

