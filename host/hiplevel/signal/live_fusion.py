"""Causal, per-sample tilt fusion for live use: the same `tilt_step` as the offline `fuse_tilt`
(`hiplevel.signal.fusion`), with the gyro bias followed at rest and a restart after link gaps."""

from __future__ import annotations

import math

import numpy as np

from hiplevel.signal.fusion import DEG, FusionSettings, _gains, _unit, tilt_step, up_to_roll_pitch_deg
from hiplevel.signal.stride_tilt import StrideTiltLoop

__all__ = ["RESTART_WINDOW_S", "TiltFusion"]

# After a link gap the live tilt restarts from the accelerometer averaged over this long, s, carried
# along by the gyro: about one stride, so walking's sideways swing (0.1-0.2 g at ~1 Hz) averages out.
RESTART_WINDOW_S = 1.1


class TiltFusion:
    """Causal, per-sample tilt fusion for live use (same `tilt_step` as the offline path).

    Start-up (and `restart()` after a gap): the up-vector is the accelerometer averaged over the
    first rest_window_s (RESTART_WINDOW_S after a restart), each sample carried along by the gyro
    so rotation during the window does not blur it; the gyro bias starts from the first window's
    mean when that window is at rest (rest_gyro_std_dps, rest_acc_std_g) and is kept up at rest:
    across the vertical from the tilt error, along it from the gyro (`_follow_bias`). A start while moving (a recording that begins mid-walk:
    half a stride's mean rate is no bias) starts from zero bias and seeds the up-vector as a
    restart does. Each step also turns the up-vector toward the accelerometer averaged over whole
    strides, slowly (`stride_tilt.StrideTiltLoop`): no backward pass cancels a drift live.
    Getters: `up`, `roll_deg`, `pitch_deg`; diagnostics: `acc_ignored`, `at_rest`, `initialising`,
    `gyro_spread_dps` / `acc_spread_g` (norm of the per-axis SDs over the rest window; NaN until it
    is full). The rest test keeps running sums over its window (O(1) per sample)."""

    def __init__(self, settings: FusionSettings | None = None, rate_hz: float = 100.0) -> None:
        self.settings = settings or FusionSettings()
        self.rate_hz = float(rate_hz)
        self._win = max(3, int(round(self.settings.rest_window_s * rate_hz)))
        self._ring = [(0.0,) * 6] * self._win  # (gx, gy, gz, ax, ay, az) of the last _win samples
        self._sums = [0.0] * 12  # sums of the 6 channels, then of their squares
        self._k = 0  # samples in the ring (<= _win) / next slot via _n
        self.bias_dps = (0.0, 0.0, 0.0)
        self.up = (0.0, 0.0, 1.0)
        self.acc_ignored = False
        self.at_rest = False
        self.initialising = True
        self._n = 0
        self._seed_n = self._win  # samples the current (re)start averages
        self._seed_bias = True
        self._m = (0.0, 0.0, 0.0)  # gyro-carried accelerometer sum while initialising
        self.gyro_spread_dps = math.nan
        self.acc_spread_g = math.nan
        # The slow error against the stride-averaged accelerometer (`stride_tilt`).
        st = self.settings
        self._stride = StrideTiltLoop(int(round(st.stride_window_s * rate_hz)),
                                      st.stride_time_constant_s if st.stride_window_s > 0 else 0.0, st.turn_rate_dps)

    def restart(self) -> None:
        """Forget the tilt (a gap in the samples: the body moved unseen); keep the gyro bias. The
        next RESTART_WINDOW_S of samples seed the up-vector again."""
        self.initialising = True
        self._seed_n = max(self._win, int(round(RESTART_WINDOW_S * self.rate_hz)))
        self._seed_bias = False
        self._m = (0.0, 0.0, 0.0)
        self._seed_k = 0
        self._k = 0
        self._sums = [0.0] * 12
        self.at_rest = False
        self._stride.reset()

    def _push_window(self, x: tuple[float, ...]) -> None:
        slot = self._n % self._win
        old = self._ring[slot]
        self._ring[slot] = x
        s = self._sums
        if self._k == self._win:
            for c in range(6):
                s[c] += x[c] - old[c]
                s[6 + c] += x[c] * x[c] - old[c] * old[c]
        else:
            self._k += 1
            for c in range(6):
                s[c] += x[c]
                s[6 + c] += x[c] * x[c]
        if slot == self._win - 1 and self._k == self._win:
            # Re-sum once per window so rounding in the running sums cannot build up.
            for c in range(6):
                col = [r[c] for r in self._ring]
                s[c] = math.fsum(col)
                s[6 + c] = math.fsum(v * v for v in col)

    def _spread(self, first: int) -> float:
        """Norm of the per-axis standard deviations of 3 channels of the window."""
        k, s = self._k, self._sums
        return math.sqrt(sum(max(0.0, s[6 + c] / k - (s[c] / k) ** 2) for c in range(first, first + 3)))

    def update(self, acc_g, gyro_dps, dt_s: float) -> tuple[float, float, float]:
        """Advance by one sample (acc in g, gyro in deg/s, dt in s); returns the up-vector."""
        s = self.settings
        a = (float(acc_g[0]), float(acc_g[1]), float(acc_g[2]))
        g = (float(gyro_dps[0]), float(gyro_dps[1]), float(gyro_dps[2]))
        self._push_window(g + a)
        self._n += 1
        full = self._k == self._win
        self.gyro_spread_dps = self._spread(0) if full else math.nan
        self.acc_spread_g = self._spread(3) if full else math.nan
        if self.initialising:
            return self._seed(a, g, dt_s)
        self.at_rest = full and self.gyro_spread_dps < s.rest_gyro_std_dps and self.acc_spread_g < s.rest_acc_std_g
        if self.at_rest and s.bias_time_constant_s > 0:
            self._follow_bias(a, g, dt_s)
        b = self.bias_dps
        w = ((g[0] - b[0]) * DEG, (g[1] - b[1]) * DEG, (g[2] - b[2]) * DEG)
        move_gain, rest_gain = _gains(s)
        self.up, k = tilt_step(self.up, w, a, dt_s, rest_gain if self.at_rest else move_gain,
                               s.acc_tolerance_g, s.turn_rate_dps)
        self.up = self._stride.step(self.up, a, w, dt_s)
        self.acc_ignored = k == 0.0
        return self.up

    def _follow_bias(self, a, g, dt_s: float) -> None:
        """At rest: the gyro bias across the vertical from the tilt error, along it from the gyro.

        Across the vertical (what tilts the up-vector) the bias integrates the angle between the
        up-vector and the accelerometer, as x-io Fusion and the firmware do (a Mahony integral
        term), not the mean gyro: standing sway and a hold's slow wobble pass the rest test, and
        their mean rate is real rotation (following it as bias cost 0.1-0.3 deg of roll RMSE on
        the simulator, bench section 2). A bias makes the gyro tilt drift from the accelerometer's;
        sway moves both together, so only the bias integrates. Gain: critically damped with the
        rest correction (s^2 + g s + g^2 / 4, g = 1 / rest_acc_time_constant_s). Along the
        vertical (yaw when upright) gravity sees nothing: that part follows the gyro at rest over
        bias_time_constant_s, as before."""
        u = self.up
        norm_a = math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
        if norm_a <= 0.0:
            return
        ax, ay, az = a[0] / norm_a, a[1] / norm_a, a[2] / norm_a
        # u x a: the rotation (rad) that would carry u onto the accelerometer; a bias b turns u by
        # u x b per second, so the bias estimate grows along u x a.
        ex, ey, ez = u[1] * az - u[2] * ay, u[2] * ax - u[0] * az, u[0] * ay - u[1] * ax
        rest_gain = _gains(self.settings)[1]
        ki = 0.25 * rest_gain * rest_gain * dt_s / DEG
        b = self.bias_dps
        kv = min(1.0, dt_s / self.settings.bias_time_constant_s)
        along = kv * sum((x - bb) * uu for x, bb, uu in zip(g, b, u))
        self.bias_dps = tuple(bb + ki * e + along * uu for bb, e, uu in zip(b, (ex, ey, ez), u))

    def _seed(self, a, g, dt_s: float) -> tuple[float, float, float]:
        """One start-up sample: carry the accelerometer sum along by the gyro, add this sample."""
        if self._seed_bias:
            k = self._k
            self.bias_dps = (self._sums[0] / k, self._sums[1] / k, self._sums[2] / k)
            m = (self._sums[3], self._sums[4], self._sums[5])  # at rest: a plain sum
            done = self._n >= self._seed_n
            s = self.settings
            if done and not (self.gyro_spread_dps < s.rest_gyro_std_dps and self.acc_spread_g < s.rest_acc_std_g):
                # Started while moving: no bias from it, and the up-vector is seeded as after a gap.
                self.bias_dps = (0.0, 0.0, 0.0)
                self.up = _unit(m)
                self.restart()
                return self.up
        else:
            b = self.bias_dps
            w = ((g[0] - b[0]) * DEG, (g[1] - b[1]) * DEG, (g[2] - b[2]) * DEG)
            m0 = self._m
            norm = math.sqrt(m0[0] ** 2 + m0[1] ** 2 + m0[2] ** 2)
            if norm > 0.0:
                u, _ = tilt_step((m0[0] / norm, m0[1] / norm, m0[2] / norm), w, a, dt_s, 0.0, 1.0)
                m0 = (u[0] * norm, u[1] * norm, u[2] * norm)
            m = (m0[0] + a[0], m0[1] + a[1], m0[2] + a[2])
            self._seed_k += 1
            done = self._seed_k >= self._seed_n
        self._m = m
        self.up = _unit(m)
        self.initialising = not done
        return self.up

    @property
    def roll_deg(self) -> float:
        """Roll, deg (+ = left side higher)."""
        return float(up_to_roll_pitch_deg(np.asarray(self.up))[0][0])

    @property
    def pitch_deg(self) -> float:
        """Pitch, deg (+ = front of the pelvis down)."""
        return float(up_to_roll_pitch_deg(np.asarray(self.up))[1][0])
