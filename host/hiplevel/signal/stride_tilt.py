"""The live tilt's slow error, against the accelerometer averaged over whole strides (`TiltFusion`).

Why: `tilt_step` trusts single accelerometer samples only near 1 g and at low rotation rates, so in
brisk walking, stairs and turns with a consumer gyro (a phone on a belt: 100-350 deg/s at 50 Hz)
the accelerometer is ignored for most samples and the causal filter drifts (hapt-dev: half of the
upright 2 s windows of e08 and e14 more than 5 deg off; stroke-dev pp09 on a treadmill 13 deg).
Offline the backward pass cancels a constant drift; live nothing does. Over whole strides the
walking accelerations average out (the pelvis comes back to where it swayed from), so the mean of
the accelerometer over a window is gravity in the body frame, as is the mean of a correct up-vector
over the same window, even while the body rotates within it. Their difference is the filter's slow
error; it turns the up-vector back over a long time constant, weighted down while the body turns
(centripetal acceleration looks like tilt). The sway at the stride frequency (0.8-1.1 Hz) leaks
little through a 2 s mean, and the long constant keeps slow translations (a weight shift, a
step-down) from being taken for tilt.
"""

from __future__ import annotations

import math

from hiplevel.signal.fusion import DEG, rotate_unit


class StrideTiltLoop:
    """Per sample: the means of the accelerometer and of the up-vector over the last `window`
    samples; the rotation from the mean up to the mean accelerometer, x dt / time_constant_s and x
    1 / (1 + (mean vertical rate / turn_rate_dps)^2), turns the up-vector (a first-order loop; the
    means lag it by half a window, far inside the time constant). Running sums over a ring, O(1)."""

    def __init__(self, window: int, time_constant_s: float, turn_rate_dps: float) -> None:
        self.window, self.time_constant_s, self.turn_rate_dps = max(1, window), time_constant_s, turn_rate_dps
        self.reset()

    def reset(self) -> None:
        """Forget the window (a gap in the samples)."""
        self._ring: list[tuple[float, ...]] = []
        self._sums = [0.0] * 7  # acc (3), up (3), vertical rate, rad/s
        self._i = 0

    def _push(self, x: tuple[float, ...]) -> None:
        s = self._sums
        if len(self._ring) < self.window:
            self._ring.append(x)
            for c in range(7):
                s[c] += x[c]
            return
        old = self._ring[self._i]
        self._ring[self._i] = x
        for c in range(7):
            s[c] += x[c] - old[c]
        self._i = (self._i + 1) % self.window
        if self._i == 0:
            # Re-sum once per window so rounding in the running sums cannot build up.
            self._sums = [math.fsum(r[c] for r in self._ring) for c in range(7)]

    def step(self, up: tuple[float, float, float], acc_g, w_rps, dt_s: float) -> tuple[float, float, float]:
        """Push one sample (up: unit, after the fusion step; acc_g in g; w_rps bias-free, rad/s);
        returns up turned toward the stride-averaged accelerometer (as is until the window is full)."""
        ux, uy, uz = up
        self._push((acc_g[0], acc_g[1], acc_g[2], ux, uy, uz, w_rps[0] * ux + w_rps[1] * uy + w_rps[2] * uz))
        if len(self._ring) < self.window or self.time_constant_s <= 0:
            return up
        s = self._sums
        na, nu = math.sqrt(s[0] ** 2 + s[1] ** 2 + s[2] ** 2), math.sqrt(s[3] ** 2 + s[4] ** 2 + s[5] ** 2)
        if na <= 0.0 or nu <= 0.0:
            return up
        ax, ay, az = s[0] / na, s[1] / na, s[2] / na
        mx, my, mz = s[3] / nu, s[4] / nu, s[5] / nu
        # Axis m x a, |m x a| = sin of the angle between the means.
        cx, cy, cz = my * az - mz * ay, mz * ax - mx * az, mx * ay - my * ax
        sin = math.sqrt(cx * cx + cy * cy + cz * cz)
        if sin <= 0.0:
            return up
        angle = math.atan2(sin, mx * ax + my * ay + mz * az)
        weight = 1.0
        if self.turn_rate_dps > 0:
            vertical = s[6] / self.window / DEG / self.turn_rate_dps
            weight = 1.0 / (1.0 + vertical * vertical)
        theta = angle * weight * min(1.0, abs(dt_s) / self.time_constant_s)
        vx, vy, vz = rotate_unit(up, (cx / sin, cy / sin, cz / sin), math.cos(theta), math.sin(theta))
        n = math.sqrt(vx * vx + vy * vy + vz * vz)
        return vx / n, vy / n, vz / n
