"""A slow posture change laid over a simulated recording: sitting down (or lying down, or, run
backwards in tilt, standing up) with the feet shuffling and the hips landing.

Real sit-downs and lie-downs (UCI HAPT, a phone on a waist belt) tilt the pelvis by 20-90 deg over
2-4 s at 30-60 deg/s, under the walking detector's tilt-rate rule, and bump it up by 0.04-0.2 g
about every 0.5-0.7 s as the feet shuffle and the hips land, with lateral sway half-waves of
0.05-0.1 g between the bumps: the walking detector took them for steps (hapt-dev: 67 reps in the
gaps between its static labels). This module adds such a change to a series (`ImuSeries`, body
frame x forward, y left, z up; g and deg/s): the pelvis pitches by tilt_deg along a smooth ramp and
stays there (seated), the accelerometer turned with it (gravity seen in the sensor frame), the
bumps along the true vertical and the sway along the body's y axis. A sensor turned on the belt
(a phone in a pouch at the side of the waist, as in HAPT) sees that pitch about another horizontal
axis: axis_deg turns it toward the roll axis (90: the seat's backward tilt reads as roll).
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
    sway_g: lateral half-waves between the bumps, alternating side;
    axis_deg: the tilt's axis turned from the sensor's y axis toward its -x axis, deg (0: a pitch;
        90: a roll, the left side going up for a negative tilt_deg)."""

    start_s: float
    tilt_deg: float = -50.0
    duration_s: float = 3.0
    bump_every_s: float = 0.6
    bump_g: float = 0.12
    sway_g: float = 0.07
    axis_deg: float = 0.0

    def apply(self, imu: ImuSeries) -> ImuSeries:
        """The series with this posture change laid over it."""
        t = imu.t_s
        rate = 1.0 / float(np.median(np.diff(t)))
        u = np.clip((t - self.start_s) / self.duration_s, 0.0, 1.0)
        theta_deg = self.tilt_deg * 0.5 * (1.0 - np.cos(np.pi * u))
        w = np.gradient(theta_deg) * rate  # tilt rate, deg/s
        psi = np.radians(self.axis_deg)
        axis = np.array([-np.sin(psi), np.cos(psi), 0.0])  # the tilt's axis in the sensor frame
        gyro = imu.gyro_dps.copy()
        gyro += w[:, None] * axis
        th = np.radians(theta_deg)
        acc = _turned(imu.acc_g, axis, -th)  # what the sensor sees once tilted (0 deg: a pitch, as before)
        vertical = _turned(np.tile([0.0, 0.0, 1.0], (len(t), 1)), axis, -th)  # the true vertical in it
        bumps = np.arange(self.start_s + 0.3, self.start_s + self.duration_s, self.bump_every_s)
        for j, b0 in enumerate(bumps):
            k = (t >= b0) & (t < b0 + 0.14)
            shape = np.sin(np.pi * (t[k] - b0) / 0.14)
            acc[k] += self.bump_g * shape[:, None] * vertical[k]
            # The sway between this bump and the next, to alternate sides like steps.
            h = (t >= b0 + 0.1) & (t < b0 + self.bump_every_s - 0.05)
            span = self.bump_every_s - 0.15
            acc[h, 1] += (-1) ** j * self.sway_g * np.sin(np.pi * (t[h] - b0 - 0.1) / span)
        return ImuSeries(t, acc, gyro, dict(imu.meta))


def _turned(v: np.ndarray, axis: np.ndarray, angle_rad: np.ndarray) -> np.ndarray:
    """Vectors v (N,3) turned about the unit axis (3,) by angle_rad (N,), right-handed (Rodrigues)."""
    c, s = np.cos(angle_rad)[:, None], np.sin(angle_rad)[:, None]
    return v * c + np.cross(axis, v) * s + np.outer(v @ axis, axis) * (1.0 - c)
