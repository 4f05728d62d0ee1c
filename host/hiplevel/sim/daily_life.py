"""Daily life without exercise: quiet and fidgety standing, sitting down, fidgeting seated,
standing up, bending, lying down, turning over and getting up. No rep may be found in any of it.

    life = simulate_daily_life(seed=3)      # life.imu (body frame), life.scenes [(name, t0, t1)]

Postures (pelvis relative to quiet standing; + pitch = front down): sitting tilts the pelvis back
15-25 deg and lowers it 0.45 m; lying supine pitches it back ~85 deg, lying on the side rolls it
~85 deg; transitions take 1.2-2.5 s with the trunk's forward lean (sit-to-stand: +20-35 deg).
Fidgets are what a belt sensor sees between exercises: weight shifts of 2-4 cm from foot to foot,
small bumps (a leg crossed, a heel tapped: 0.2-0.6 cm of pelvis travel in 0.35-0.6 s, 0.01-0.1 g),
and a few degrees of roll and pitch. The same IMU model as `simulate_session`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.samples import ImuSeries
from hiplevel.sim.imu_model import (
    DEFAULT_MOUNT_AXES,
    ImuModelParams,
    axes_matrix,
    draw_errors,
    kinematic_imu,
    quantise,
    sample_times,
    sense,
    temperature_c,
)
from hiplevel.sim.motion import FS_INTERNAL_HZ, min_jerk, sway
from hiplevel.sim.rotation import euler_to_matrix

BLEND_S = 0.3  # a scene starts from where the previous one ended, blended over this, s

SCENES = ("standing", "fidget_standing", "sit_down", "sitting", "stand_up", "bend", "lie_down", "lying",
          "turn_over", "get_up")


@dataclass(frozen=True)
class DailyLife:
    """Simulated daily life: imu at the requested rate (body frame, g, deg/s) and the scenes in
    order as (name, start_s, end_s) on the imu clock."""

    imu: ImuSeries
    scenes: list[tuple[str, float, float]]


class _Track:
    """Pelvis roll/pitch (deg) and position (m) built scene by scene on the 1 kHz grid."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.roll: list[np.ndarray] = []
        self.pitch: list[np.ndarray] = []
        self.pos: list[np.ndarray] = []
        self.state = np.zeros(5)  # roll, pitch, x, y, z
        self.scenes: list[tuple[str, float, float]] = []
        self.n = 0

    def add(self, name: str, duration_s: float, target: tuple[float, float, float, float, float] | None = None,
            fidget: bool = False, lean_deg: float = 0.0) -> None:
        """Hold (target None) or move smoothly to target (roll, pitch, x, y, z); fidget adds weight
        shifts and bumps; lean_deg a forward lean peaking mid-transition."""
        n = int(round(duration_s * FS_INTERNAL_HZ))
        s = np.linspace(0.0, 1.0, n)
        start = self.state.copy()
        end = start if target is None else np.asarray(target, float)
        path = start[None, :] + (end - start)[None, :] * min_jerk(s)[:, None]
        path[:, 1] += lean_deg * np.sin(np.pi * s) ** 2  # starts and ends at rest (a step in pitch rate is a 6 g spike)
        rng = self.rng
        path[:, 0] += sway(n, rng, 0.15)
        path[:, 1] += sway(n, rng, 0.2)
        if fidget:
            t = s * duration_s
            k, side = 0.5, float(rng.choice([-1.0, 1.0]))
            while k < duration_s - 1.0:
                d = float(rng.uniform(0.5, 1.2))
                shift = min_jerk((t - k) / d) - min_jerk((t - k - d - rng.uniform(0.2, 1.0)) / d)
                path[:, 3] += side * rng.uniform(0.02, 0.04) * shift
                path[:, 0] += side * rng.uniform(0.3, 1.5) * shift
                bump_d = float(rng.uniform(0.35, 0.6))
                tb = k + float(rng.uniform(0.0, d))
                path[:, 4] += rng.uniform(0.002, 0.006) * np.sin(np.pi * np.clip((t - tb) / bump_d, 0.0, 1.0)) ** 2
                path[:, 1] += rng.uniform(-2.0, 2.0) * np.sin(np.pi * np.clip((t - tb) / (2 * bump_d), 0.0, 1.0)) ** 2
                side = -side if rng.random() < 0.7 else side
                k += d + float(rng.uniform(0.3, 1.5))
        if self.n:
            # Each scene's sway and fidgets are drawn afresh: blend from where the last one ended,
            # or the step between them (0.2 deg, a fidget's few cm) is a spike of several g.
            nb = min(n, int(BLEND_S * FS_INTERNAL_HZ))
            last = np.array([self.roll[-1][-1], self.pitch[-1][-1], *self.pos[-1][-1]])
            path[:nb] += (last - path[0])[None, :] * (1.0 - min_jerk(np.linspace(0.0, 1.0, nb)))[:, None]
        self.roll.append(path[:, 0])
        self.pitch.append(path[:, 1])
        self.pos.append(path[:, 2:5])
        self.state = end
        t0 = self.n / FS_INTERNAL_HZ
        self.n += n
        self.scenes.append((name, t0, self.n / FS_INTERNAL_HZ))


def daily_life_track(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Roll, pitch (deg), position (N,3 m) at 1 kHz and the scenes, for one person's drawn postures."""
    tr = _Track(rng)
    sit_pitch = -float(rng.uniform(15.0, 25.0))
    tr.add("standing", 6.0)
    tr.add("fidget_standing", float(rng.uniform(12.0, 18.0)), fidget=True)
    tr.add("sit_down", float(rng.uniform(1.5, 2.5)), (0.0, sit_pitch, -0.15, 0.0, -0.45), lean_deg=float(rng.uniform(20, 35)))
    tr.add("sitting", float(rng.uniform(12.0, 18.0)), fidget=True)
    tr.add("stand_up", float(rng.uniform(1.2, 2.0)), (0.0, 0.0, 0.0, 0.0, 0.0), lean_deg=float(rng.uniform(20, 35)))
    tr.add("standing", 4.0, fidget=True)
    bend = float(rng.uniform(40.0, 70.0))
    tr.add("bend", float(rng.uniform(1.0, 1.6)), (0.0, bend, 0.1, 0.0, -0.1))
    tr.add("bend", float(rng.uniform(1.0, 1.6)), (0.0, 0.0, 0.0, 0.0, 0.0))
    tr.add("standing", 4.0, fidget=True)
    tr.add("sit_down", 2.0, (0.0, sit_pitch, -0.15, 0.0, -0.45), lean_deg=25.0)
    tr.add("lie_down", float(rng.uniform(2.0, 3.0)), (0.0, -85.0, -0.3, 0.0, -0.6))
    tr.add("lying", float(rng.uniform(10.0, 15.0)), fidget=True)
    side = float(rng.choice([-1.0, 1.0]))
    tr.add("turn_over", float(rng.uniform(1.5, 2.5)), (side * 85.0, -5.0, -0.3, 0.1, -0.55))
    tr.add("lying", float(rng.uniform(8.0, 12.0)), fidget=True)
    tr.add("turn_over", float(rng.uniform(1.5, 2.5)), (0.0, -85.0, -0.3, 0.0, -0.6))
    tr.add("get_up", float(rng.uniform(2.0, 3.0)), (0.0, sit_pitch, -0.15, 0.0, -0.45))
    tr.add("stand_up", 1.6, (0.0, 0.0, 0.0, 0.0, 0.0), lean_deg=30.0)
    tr.add("standing", 6.0, fidget=True)
    return np.concatenate(tr.roll), np.concatenate(tr.pitch), np.concatenate(tr.pos), tr.scenes


def simulate_daily_life(seed: int = 0, rate_hz: float = 100.0, params: ImuModelParams | None = None,
                        noise: bool = True) -> DailyLife:
    """Simulate about 2 minutes of daily life without exercise (seeded), body-frame IMU output."""
    p = params or ImuModelParams()
    rng_motion = np.random.default_rng([seed, 11])
    rng_sensor = np.random.default_rng([seed, 12])
    roll, pitch, pos, scenes = daily_life_track(rng_motion)
    yaw = sway(len(roll), rng_motion, 2.0)
    n = len(roll)
    mats = euler_to_matrix(roll, pitch, yaw)
    f_body, w_body = kinematic_imu(mats, pos, p)
    err = draw_errors(p, rng_sensor, noise)
    acc_s, gyr_s = sense(f_body, w_body, temperature_c(n, p), err, p, rng_sensor, noise)
    t_true, t_stamp = sample_times(n / FS_INTERNAL_HZ, rate_hz, err, p, rng_sensor, noise)
    idx = np.clip(np.round(t_true * FS_INTERNAL_HZ).astype(int), 0, n - 1)
    a = axes_matrix(DEFAULT_MOUNT_AXES)
    imu = ImuSeries(t_stamp, quantise(acc_s[idx] @ a, p.accel_range_g) @ a.T,
                    quantise(gyr_s[idx] @ a, p.gyro_range_dps) @ a.T,
                    meta={"source": "hiplevel.sim.daily_life", "seed": seed, "rate_hz": rate_hz, "frame": "body"})
    return DailyLife(imu, scenes)
