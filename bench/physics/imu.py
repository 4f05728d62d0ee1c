"""From a pelvis pose trajectory to what the belt's MPU6050 records: rigid-body kinematics at a
sensor behind the pelvis centre (lever arm), soft tissue between pelvis and sensor, the mount, the
chip's errors and filter, its clock and its rounding.

Physics: the sensor sits at p_s = p + R r (r = lever arm in the pelvis frame); it measures the
specific force f = R_s^T (d2 p_s / dt2 + g z_hat) and the angular rate w = R_s^T dR_s/dt (body
axes), where R_s is the pelvis attitude times the tissue wobble's and the mount's rotations.
Written from first principles; `hiplevel.sim` is neither imported nor read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import bilinear, butter, lfilter
from scipy.spatial.transform import Rotation

from bench.physics.pose import GRID_HZ, Pose

STANDARD_GRAVITY_MS2 = 9.80665
ACC_LSB_PER_G = 16384.0  # MPU6050 at +-2 g
GYRO_LSB_PER_DPS = 131.0  # MPU6050 at +-250 deg/s
INT16_MAX = 32767
CHIP_LOWPASS_HZ = 40.0  # DLPF_CFG 3 (accel 44 Hz, gyro 42 Hz): a 2nd-order stand-in
# A sacral belt sensor sits above the hip joint centres: the posterior superior iliac spines (S2) lie
# some 5-8 cm above them and a belt at the iliac crests up to ~12 cm (adult anthropometry, order of magnitude).
SENSOR_ABOVE_HIPS_M = (0.05, 0.12)
TISSUE_LEVER_M = 0.05  # soft tissue: a sideways (forward) slip of u rotates the sensor by u / 5 cm


@dataclass(frozen=True)
class SensorSpec:
    """How one belt and chip differ from ideal. Angles deg, lengths m, rates Hz, biases g and deg/s."""

    # The sensor from the pelvis centre (the midpoint of the hip joints), pelvis frame: over the sacrum,
    # behind the hips and above them (the belt line).
    lever_m: tuple[float, float, float] = (-0.10, 0.0, 0.08)
    wobble_hz: float = 15.0
    wobble_damping: float = 0.3
    mount_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)  # roll, pitch, yaw of the sensor on the belt
    acc_scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    acc_cross: tuple[float, ...] = (0.0,) * 6  # off-diagonal terms xy, xz, yx, yz, zx, zy
    gyro_scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    gyro_cross: tuple[float, ...] = (0.0,) * 6
    acc_bias_g: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gyro_bias_dps: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gyro_drift_dps: tuple[float, float, float] = (0.0, 0.0, 0.0)  # bias change over the recording (warm-up)
    acc_noise_g: float = 0.0
    gyro_noise_dps: float = 0.0
    clock_error: float = 0.0  # device clock runs (1 + clock_error) x true time
    jitter_s: float = 0.0  # SD of the sampling instants about the nominal grid (device clock)
    rate_hz: float = 100.0
    lowpass: bool = True
    rounding: bool = True

    @classmethod
    def ideal(cls, lever_m: tuple[float, float, float] = (-0.10, 0.0, 0.08)) -> SensorSpec:
        """No tissue, mount, error, filter, clock or rounding: for checking the physics."""
        return cls(lever_m=lever_m, wobble_hz=0.0, lowpass=False, rounding=False)

    @classmethod
    def drawn(cls, rng: np.random.Generator) -> SensorSpec:
        """A belt and chip drawn across the ranges the brief names (issue 14): lever 8-13 cm behind and
        SENSOR_ABOVE_HIPS_M above the hip joint centres,
        wobble 12-20 Hz, mount +-4 deg, scale +-2 %, cross-axis +-1 %, accelerometer bias +-15 mg,
        gyro bias +-2 deg/s drifting +-0.5 deg/s, clock +-0.3 %, jitter 1 ms."""
        u = rng.uniform
        return cls(lever_m=(-u(0.08, 0.13), u(-0.01, 0.01), u(*SENSOR_ABOVE_HIPS_M)), wobble_hz=u(12.0, 20.0),
                   wobble_damping=u(0.15, 0.4), mount_deg=tuple(u(-4.0, 4.0, 3)),
                   acc_scale=tuple(1.0 + u(-0.02, 0.02, 3)), acc_cross=tuple(u(-0.01, 0.01, 6)),
                   gyro_scale=tuple(1.0 + u(-0.02, 0.02, 3)), gyro_cross=tuple(u(-0.01, 0.01, 6)),
                   acc_bias_g=tuple(u(-0.015, 0.015, 3)), gyro_bias_dps=tuple(u(-2.0, 2.0, 3)),
                   gyro_drift_dps=tuple(u(-0.5, 0.5, 3)), acc_noise_g=0.003, gyro_noise_dps=0.06,
                   clock_error=float(rng.choice([-1.0, 1.0]) * 0.003), jitter_s=0.001)


def rotation(roll_deg, pitch_deg, yaw_deg) -> np.ndarray:
    """(..., 3, 3) body-to-world rotations R = Rz(yaw) Ry(pitch) Rx(roll) (intrinsic z-y-x), angles deg."""
    r, p, y = np.broadcast_arrays(*(np.asarray(a, float) for a in (roll_deg, pitch_deg, yaw_deg)))
    angles = np.stack([y.ravel(), p.ravel(), r.ravel()], axis=-1)
    return Rotation.from_euler("ZYX", angles, degrees=True).as_matrix().reshape(r.shape + (3, 3))


def body_rate_dps(roll_deg: np.ndarray, pitch_deg: np.ndarray, yaw_deg: np.ndarray, dt_s: float) -> np.ndarray:
    """(N, 3) angular rate in body axes, deg/s, from the Euler angles' rates (ZYX kinematics)."""
    r, p = np.radians(roll_deg), np.radians(pitch_deg)
    dr, dp, dy = (np.gradient(np.asarray(a, float), dt_s) for a in (roll_deg, pitch_deg, yaw_deg))
    return np.column_stack([dr - dy * np.sin(p),
                            dp * np.cos(r) + dy * np.cos(p) * np.sin(r),
                            -dp * np.sin(r) + dy * np.cos(p) * np.cos(r)])


def ideal_signals(pose: Pose, spec: SensorSpec) -> tuple[np.ndarray, np.ndarray]:
    """(specific force in g, angular rate in deg/s), (N, 3) each in the sensor's axes, on the pose's
    grid: lever arm, tissue wobble and mount included; no chip errors."""
    dt = 1.0 / GRID_HZ
    R = rotation(pose.roll_deg, pose.pitch_deg, pose.yaw_deg)
    lever = np.asarray(spec.lever_m, float)
    p_s = pose.pos_m + R @ lever
    acc_w = np.gradient(np.gradient(p_s, dt, axis=0), dt, axis=0)
    roll, pitch = pose.roll_deg, pose.pitch_deg
    if spec.wobble_hz > 0:
        # The sensor on soft tissue: a damped spring (12-20 Hz) driven by the sensor's acceleration; its
        # slip u adds to the position and tilts the sensor by u / TISSUE_LEVER_M.
        w = 2 * np.pi * spec.wobble_hz
        b, a = bilinear([-1.0], [1.0, 2 * spec.wobble_damping * w, w * w], fs=GRID_HZ)
        u = lfilter(b, a, acc_w, axis=0)
        acc_w = acc_w + np.gradient(np.gradient(u, dt, axis=0), dt, axis=0)
        body_u = np.einsum("nji,nj->ni", R, u)  # slip in pelvis axes
        roll = roll - np.degrees(body_u[:, 1] / TISSUE_LEVER_M)
        pitch = pitch + np.degrees(body_u[:, 0] / TISSUE_LEVER_M)
        R = rotation(roll, pitch, pose.yaw_deg)
    f_w = acc_w + np.array([0.0, 0.0, STANDARD_GRAVITY_MS2])
    f_b = np.einsum("nji,nj->ni", R, f_w) / STANDARD_GRAVITY_MS2
    w_b = body_rate_dps(roll, pitch, pose.yaw_deg, dt)
    M = rotation(*spec.mount_deg)  # sensor-to-pelvis: the sensor's axes as seen in the pelvis frame
    return f_b @ M, w_b @ M


def _error_matrix(scale: tuple[float, ...], cross: tuple[float, ...]) -> np.ndarray:
    xy, xz, yx, yz, zx, zy = cross
    return np.array([[scale[0], xy, xz], [yx, scale[1], yz], [zx, zy, scale[2]]])


def record(pose: Pose, spec: SensorSpec, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t_s on the device clock, acc g (N, 3), gyro deg/s (N, 3)) as the chip records the pose at
    spec.rate_hz: chip errors, noise, the 40 Hz low-pass, a clock spec.clock_error off, sampling
    jitter and the chip's integer rounding."""
    f, w = ideal_signals(pose, spec)
    f = f @ _error_matrix(spec.acc_scale, spec.acc_cross).T + np.asarray(spec.acc_bias_g)
    frac = (pose.t_s - pose.t_s[0]) / max(pose.t_s[-1] - pose.t_s[0], 1e-9)
    w = (w @ _error_matrix(spec.gyro_scale, spec.gyro_cross).T + np.asarray(spec.gyro_bias_dps)
         + frac[:, None] * np.asarray(spec.gyro_drift_dps))
    if spec.lowpass:
        b, a = butter(2, CHIP_LOWPASS_HZ, fs=GRID_HZ)
        f = lfilter(b, a, f - f[0], axis=0) + f[0]  # start settled on the first sample
        w = lfilter(b, a, w - w[0], axis=0) + w[0]
    device_end = (pose.t_s[-1] - pose.t_s[0]) * (1.0 + spec.clock_error)
    n = int(device_end * spec.rate_hz) - 1
    stamps = np.arange(n) / spec.rate_hz + np.clip(rng.normal(0.0, spec.jitter_s, n), -0.4 / spec.rate_hz,
                                                   0.4 / spec.rate_hz) if spec.jitter_s else np.arange(n) / spec.rate_hz
    stamps = np.maximum(stamps, 0.0)
    true_t = pose.t_s[0] + stamps / (1.0 + spec.clock_error)
    acc = np.column_stack([np.interp(true_t, pose.t_s, f[:, k]) for k in range(3)])
    gyr = np.column_stack([np.interp(true_t, pose.t_s, w[:, k]) for k in range(3)])
    acc += rng.normal(0.0, spec.acc_noise_g, acc.shape) if spec.acc_noise_g else 0.0
    gyr += rng.normal(0.0, spec.gyro_noise_dps, gyr.shape) if spec.gyro_noise_dps else 0.0
    if spec.rounding:
        acc = np.clip(np.round(acc * ACC_LSB_PER_G), -INT16_MAX - 1, INT16_MAX) / ACC_LSB_PER_G
        gyr = np.clip(np.round(gyr * GYRO_LSB_PER_DPS), -INT16_MAX - 1, INT16_MAX) / GYRO_LSB_PER_DPS
    return np.round(stamps, 4), acc, gyr


def device_time(true_s: float, spec: SensorSpec) -> float:
    """A true time (s since the recording started) on the device clock, where the reps are judged."""
    return true_s * (1.0 + spec.clock_error)
