"""A synthetic MPU6050 with known errors, independent of the calibration code: the oracle for the
calibration tests. Model per sample (chip frame):
    a_raw = S @ C @ a_true + offset + noise,   w_raw = w_true + bias + noise
quantised like the wire's DATA_RAW (1/4096 g, 1/32 deg/s). The sensor sits on the pelvis with
the mounting preset followed by a small offset rotation (roll, pitch, yaw), like a clip a few
degrees off."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.calibration import SampleBlock, mount_matrix


def euler_to_matrix(roll_deg, pitch_deg, yaw_deg) -> np.ndarray:
    """ZYX Euler angles, deg (scalars or (N,)) -> body-to-world R = Rz(yaw) Ry(pitch) Rx(roll)."""
    r, p, y = np.broadcast_arrays(*(np.radians(np.asarray(a, dtype=float)) for a in (roll_deg, pitch_deg, yaw_deg)))
    out = np.empty(r.shape + (3, 3))
    for idx in np.ndindex(r.shape):
        cr, sr, cp, sp, cy, sy = np.cos(r[idx]), np.sin(r[idx]), np.cos(p[idx]), np.sin(p[idx]), np.cos(y[idx]), np.sin(y[idx])
        rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
        ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
        rz = np.array([[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]])
        out[idx] = rz @ ry @ rx
    return out

ACC_LSB_G = 1 / 4096
GYRO_LSB_DPS = 1 / 32


@dataclass
class SynthImu:
    acc_offset_g: np.ndarray
    acc_scale: np.ndarray
    gyro_bias_dps: np.ndarray
    acc_cross: np.ndarray  # (3, 3), small off-diagonal coupling, identity = none
    mount_offset_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    mount: str = "standard"
    acc_noise_g: float = 0.004  # ~400 ug/sqrt(Hz) x sqrt(100 Hz)
    gyro_noise_dps: float = 0.05
    rate_hz: float = 100.0
    temp_c: float = 27.5

    @classmethod
    def typical(cls, seed: int, mount_offset_deg=(3.0, 8.0, -12.0)) -> SynthImu:
        """Errors drawn at the size the MPU6050 datasheet allows (offset +-50 mg (6.2: +-50 mg for
        X/Y, +-80 for Z), sensitivity +-3 %, gyro ZRO +-20 deg/s, cross-axis +-2 %)."""
        rng = np.random.default_rng(seed)
        cross = np.eye(3) + np.triu(rng.uniform(-0.01, 0.01, (3, 3)), 1)
        return cls(
            acc_offset_g=rng.uniform(-0.06, 0.06, 3),
            acc_scale=1 + rng.uniform(-0.03, 0.03, 3),
            gyro_bias_dps=rng.uniform(-5, 5, 3),
            acc_cross=cross,
            mount_offset_deg=mount_offset_deg,
        )

    def _raw(self, acc_chip_true: np.ndarray, gyro_chip_true: np.ndarray, rng: np.random.Generator) -> SampleBlock:
        n = len(acc_chip_true)
        acc = acc_chip_true @ (np.diag(self.acc_scale) @ self.acc_cross).T + self.acc_offset_g
        acc = acc + rng.normal(0, self.acc_noise_g, (n, 3))
        gyro = gyro_chip_true + self.gyro_bias_dps + rng.normal(0, self.gyro_noise_dps, (n, 3))
        return SampleBlock(
            np.round(acc / ACC_LSB_G) * ACC_LSB_G, np.round(gyro / GYRO_LSB_DPS) * GYRO_LSB_DPS, self.rate_hz, self.temp_c
        )

    def static(self, up_chip: np.ndarray, duration_s: float, rng: np.random.Generator, tremor_dps: float = 0.0) -> SampleBlock:
        """The chip lying still with unit vector up_chip (chip frame) pointing up; tremor_dps adds a
        hand's shake (rotation rate SD, deg/s) and the matching acceleration wobble."""
        n = int(duration_s * self.rate_hz)
        up = np.asarray(up_chip, dtype=float) / np.linalg.norm(up_chip)
        acc = np.tile(up, (n, 1))
        gyro = np.zeros((n, 3))
        if tremor_dps:
            t = np.arange(n) / self.rate_hz
            gyro = tremor_dps * np.sqrt(2) * np.sin(2 * np.pi * 6 * t[:, None] + np.array([0, 1, 2]))
            acc = acc + 0.05 * tremor_dps / 2 * np.sin(2 * np.pi * 6 * t[:, None] + np.array([2, 0, 1]))
        return self._raw(acc, gyro, rng)

    def sensor_from_body(self) -> np.ndarray:
        """R with v_chip = R @ v_body: mount preset after the offset rotation."""
        r_off = euler_to_matrix(*[np.array(v) for v in self.mount_offset_deg])  # sensor (mounted) -> body
        return mount_matrix(self.mount).T @ r_off.T

    def worn(self, roll_deg, pitch_deg, yaw_deg, acc_world_g, rng: np.random.Generator) -> SampleBlock:
        """Pelvis orientation series (deg, ZYX) and linear acceleration (N, 3, world, g) -> raw
        samples of the sensor worn on it (body rate from finite differences)."""
        r_wb = euler_to_matrix(roll_deg, pitch_deg, yaw_deg)
        f_world = np.asarray(acc_world_g, dtype=float) + np.array([0.0, 0.0, 1.0])
        f_body = np.einsum("nji,nj->ni", r_wb, f_world)
        dt = 1 / self.rate_hz
        rel = np.einsum("nji,njk->nik", r_wb[:-1], r_wb[1:])
        w = np.stack([rel[:, 2, 1] - rel[:, 1, 2], rel[:, 0, 2] - rel[:, 2, 0], rel[:, 1, 0] - rel[:, 0, 1]], 1) / 2 / dt
        w_body = np.degrees(np.vstack([w, w[-1:]]))
        s = self.sensor_from_body()
        return self._raw(f_body @ s.T, w_body @ s.T, rng)

    def standing(self, duration_s: float, rng: np.random.Generator, roll_deg=0.0, pitch_deg=0.0) -> SampleBlock:
        """Quiet standing: the given posture plus 0.3 deg postural sway."""
        n = int(duration_s * self.rate_hz)
        t = np.arange(n) / self.rate_hz
        sway = 0.3 * np.sin(2 * np.pi * 0.3 * t)
        return self.worn(roll_deg + sway, pitch_deg + 0.5 * sway, 0 * t, np.zeros((n, 3)), rng)

    def walking(self, duration_s: float, rng: np.random.Generator, cadence_spm: float = 110.0) -> SampleBlock:
        """Straight walking: forward-backward 0.25 g at the step rate, side sway 0.12 g at the
        stride rate, vertical 0.3 g, pelvic obliquity +-4 deg, tilt +-1.5 deg, rotation +-5 deg."""
        n = int(duration_s * self.rate_hz)
        t = np.arange(n) / self.rate_hz
        f_step = cadence_spm / 60.0
        ph = 2 * np.pi * f_step * t
        acc = np.column_stack([0.25 * np.sin(ph + 0.4), 0.12 * np.sin(ph / 2 + 1.0), 0.3 * np.sin(ph)])
        return self.worn(4 * np.sin(ph / 2), 1.5 * np.sin(ph + 1), 5 * np.sin(ph / 2 + 0.5), acc, rng)


def six_face_ups() -> list[np.ndarray]:
    """Up vectors (chip frame) of the six faces in the procedure's order (+z -z +x -x +y -y)."""
    return [np.array(v, dtype=float) for v in ([0, 0, 1], [0, 0, -1], [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0])]


def tilted_ups() -> list[np.ndarray]:
    """Four slanted up vectors (chip frame), about halfway between faces."""
    return [np.array(v, dtype=float) / np.linalg.norm(v) for v in ([1, 1, 0.2], [0.3, -1, 1], [-1, 0.2, -1], [0.6, 1, -1])]
