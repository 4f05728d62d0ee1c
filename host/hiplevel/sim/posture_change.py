"""A slow posture change laid over a simulated recording: sitting down (or lying down, or, run
backwards in tilt, standing up) with the feet shuffling and the hips landing.

Real sit-downs and lie-downs (UCI HAPT, a phone on a waist belt) tilt the pelvis by 20-90 deg over
2-4 s at 30-60 deg/s, under the walking detector's tilt-rate rule, and bump it up by 0.04-0.2 g
about every 0.5-0.7 s as the feet shuffle and the hips land, with lateral sway half-waves of
0.05-0.1 g between the bumps: the walking detector took them for steps (hapt-dev: 67 reps in the
gaps between its static labels). This module adds such a change to a series (`ImuSeries`, body
frame x forward, y left, z up; g and deg/s): the pelvis pitches by tilt_deg along a smooth ramp and
stays there (seated), the accelerometer turned with it (gravity seen in the sensor frame), the
bumps along the true vertical and the sway along the body's y axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.samples import ImuSeries


@dataclass(frozen=True)
class PostureChange:
    """Parameters (units in the names).

    start_s: when the pelvis starts to tilt (series clock);
    tilt_deg: the pitch reached, deg (+ = forward; a seated pelvis rolls back: negative);
    duration_s: how long the ramp takes (a half-cosine: peak rate pi/2 * tilt / duration);
    bump_every_s: the shuffles' and landing's rhythm;
    bump_g: height of each upward bump (a 0.14 s half-sine along the true vertical);
    sway_g: lateral half-waves between the bumps, alternating side."""

    start_s: float
    tilt_deg: float = -50.0
    duration_s: float = 3.0
    bump_every_s: float = 0.6
    bump_g: float = 0.12
    sway_g: float = 0.07

    def apply(self, imu: ImuSeries) -> ImuSeries:
        """The series with this posture change laid over it."""
        t = imu.t_s
        rate = 1.0 / float(np.median(np.diff(t)))
        u = np.clip((t - self.start_s) / self.duration_s, 0.0, 1.0)
        theta_deg = self.tilt_deg * 0.5 * (1.0 - np.cos(np.pi * u))
        w = np.gradient(theta_deg) * rate  # pitch rate, deg/s
        gyro = imu.gyro_dps.copy()
        gyro[:, 1] += w
        th = np.radians(theta_deg)
        c, s = np.cos(th), np.sin(th)
        acc = imu.acc_g.copy()
        acc[:, 0], acc[:, 2] = c * imu.acc_g[:, 0] - s * imu.acc_g[:, 2], s * imu.acc_g[:, 0] + c * imu.acc_g[:, 2]
        bumps = np.arange(self.start_s + 0.3, self.start_s + self.duration_s, self.bump_every_s)
        for j, b0 in enumerate(bumps):
            k = (t >= b0) & (t < b0 + 0.14)
            shape = np.sin(np.pi * (t[k] - b0) / 0.14)
            acc[k] += self.bump_g * shape[:, None] * np.column_stack([-s[k], 0 * s[k], c[k]])
            # The sway between this bump and the next, to alternate sides like steps.
            h = (t >= b0 + 0.1) & (t < b0 + self.bump_every_s - 0.05)
            span = self.bump_every_s - 0.15
            acc[h, 1] += (-1) ** j * self.sway_g * np.sin(np.pi * (t[h] - b0 - 0.1) / span)
        return ImuSeries(t, acc, gyro, dict(imu.meta))
