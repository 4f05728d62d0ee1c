"""MPU6050 model: from pelvis kinematics to what the chip's sensing elements and registers output.

Figures: InvenSense PS-MPU-6000A-00 rev 3.4 (MPU-6000/6050 Product Specification), section
numbers in the field comments; the table with sources is in docs/simulator.md.
Frames: body (pelvis) -> sensor (body rotated by the mount offset) -> chip (sensor axes
permuted/negated by the mount axes of the board).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.constants import DEFAULT_MOUNT_AXES, STANDARD_GRAVITY_MS2  # noqa: F401  (DEFAULT_MOUNT_AXES: re-exported)
from hiplevel.sim.motion import FS_INTERNAL_HZ
from hiplevel.sim.rotation import body_rate_from_matrices, euler_to_matrix


@dataclass(frozen=True)
class ImuModelParams:
    """Sensor error model; random figures are 1-sigma of the per-device draw unless said otherwise."""

    gyro_noise_dps_rthz: float = 0.005  # 6.1 rate noise spectral density @10 Hz
    accel_noise_g_rthz: float = 400e-6  # 6.2 noise power spectral density @10 Hz
    gyro_bias_dps: float = 1.5  # post-power-up bias; 6.1 initial ZRO tolerance is +-20 deg/s (untrimmed)
    accel_bias_g: float = 0.02  # 6.2 zero-g initial calibration tolerance +-50 mg X/Y, +-80 mg Z
    gyro_bias_walk_dps_rts: float = 0.003  # in-run bias random walk (not in the datasheet; typical MEMS)
    accel_bias_walk_g_rts: float = 2e-5
    gyro_tempco_dps_per_c: float = 0.03  # 6.1 ZRO variation -40..85 C: +-20 deg/s (i.e. <= 0.16 /C)
    accel_tempco_g_per_c: float = 0.0005  # 6.2 zero-g change 0..70 C: +-35 mg X/Y (0.5 mg/C)
    gyro_scale_error: float = 0.01  # 6.1 sensitivity scale factor tolerance +-3 % (3 sigma)
    accel_scale_error: float = 0.01  # 6.2 initial calibration tolerance +-3 % (3 sigma)
    cross_axis: float = 0.007  # 6.1/6.2 cross-axis sensitivity +-2 % (3 sigma)
    gyro_dlpf_hz: float = 42.0  # register 26 DLPF_CFG=3: gyro 42 Hz, delay 4.8 ms
    accel_dlpf_hz: float = 44.0  # DLPF_CFG=3: accel 44 Hz, delay 4.9 ms
    accel_range_g: float = 8.0  # AFS_SEL=2: 4096 LSB/g
    gyro_range_dps: float = 500.0  # FS_SEL=1: 65.5 LSB/(deg/s)
    clock_error: float = 0.005  # sample clock error (gyro PLL +-1 % over temperature, 7.15)
    jitter_s: float = 0.0005  # timestamp jitter SD (ISR latency on the ESP32), s
    temp_start_c: float = 25.0  # chip temperature at power-up, deg C
    temp_rise_c: float = 6.0  # warm-up toward skin/belt temperature
    temp_tau_s: float = 300.0
    lever_arm_m: tuple[float, float, float] = (-0.12, 0.0, 0.08)  # sensor from the hip-centre midpoint, body frame
    impact_g: float = 0.35  # heel-strike transient at the sacrum, peak, g
    impact_hz: float = 18.0
    impact_tau_s: float = 0.02


@dataclass(frozen=True)
class DeviceErrors:
    """One device's drawn errors (sensor frame)."""

    gyro_bias_dps: np.ndarray
    accel_bias_g: np.ndarray
    gyro_tempco: np.ndarray
    accel_tempco: np.ndarray
    gyro_matrix: np.ndarray  # scale + cross-axis, applied as M @ w
    accel_matrix: np.ndarray
    clock_error: float


def draw_errors(p: ImuModelParams, rng: np.random.Generator, noise: bool) -> DeviceErrors:
    """Draw one device's bias, temperature coefficients, scale/cross-axis matrices and clock error."""
    if not noise:
        z = np.zeros(3)
        return DeviceErrors(z, z, z, z, np.eye(3), np.eye(3), 0.0)

    def matrix(scale: float) -> np.ndarray:
        m = np.eye(3) + np.diag(rng.normal(0.0, scale, 3))
        off = rng.normal(0.0, p.cross_axis, (3, 3))
        return m + off - np.diag(np.diag(off))

    return DeviceErrors(
        gyro_bias_dps=np.clip(rng.normal(0.0, p.gyro_bias_dps, 3), -20.0, 20.0),
        accel_bias_g=np.clip(rng.normal(0.0, p.accel_bias_g, 3), -0.08, 0.08),
        gyro_tempco=rng.normal(0.0, p.gyro_tempco_dps_per_c, 3),
        accel_tempco=rng.normal(0.0, p.accel_tempco_g_per_c, 3),
        gyro_matrix=matrix(p.gyro_scale_error),
        accel_matrix=matrix(p.accel_scale_error),
        clock_error=float(np.clip(rng.normal(0.0, p.clock_error), -0.03, 0.03)),
    )


def kinematic_imu(
    mats: np.ndarray, pos_m: np.ndarray, p: ImuModelParams, impacts_i: list[int] | None = None,
    impact_scale: list[float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Ideal body-frame specific force (g) and angular rate (deg/s) at the sensor position, 1 kHz.

    mats: (N, 3, 3) body-to-world; pos_m: (N, 3) pelvis (hip-centre midpoint) position, world, m.
    Heel-strike transients (damped sinusoids, vertical and forward) are added to the acceleration
    at each impact index, each scaled by impact_scale (None: all full size); their sub-millimetre
    displacement is not in pos_m."""
    dt = 1.0 / FS_INTERNAL_HZ
    sensor_pos = pos_m + mats @ np.asarray(p.lever_arm_m)
    acc = np.gradient(np.gradient(sensor_pos, dt, axis=0), dt, axis=0) / STANDARD_GRAVITY_MS2
    if impacts_i:
        n_imp = int(6 * p.impact_tau_s * FS_INTERNAL_HZ)
        tt = np.arange(n_imp) * dt
        pulse = p.impact_g * np.exp(-tt / p.impact_tau_s) * np.sin(2 * np.pi * p.impact_hz * tt)
        scales = impact_scale if impact_scale else [1.0] * len(impacts_i)
        for i, k in zip(impacts_i, scales):
            j = min(len(acc), i + n_imp) - i
            if j > 0:
                fwd = mats[i, :, 0] * np.array([1.0, 1.0, 0.0])
                acc[i : i + j, 2] += k * pulse[:j]
                acc[i : i + j] += -0.4 * k * pulse[:j, None] * fwd  # braking
    f_world = acc + np.array([0.0, 0.0, 1.0])
    f_body = np.einsum("nji,nj->ni", mats, f_world)
    w_body = np.degrees(body_rate_from_matrices(mats, dt))
    return f_body, w_body


def mount_matrix(mount_offset_deg: tuple[float, float, float]) -> np.ndarray:
    """Sensor-to-body rotation for a (roll, pitch, yaw) mount offset, deg."""
    r, pch, y = mount_offset_deg
    return euler_to_matrix(np.array(r), np.array(pch), np.array(y))


def axes_matrix(mount_axes: list[str] | tuple[str, ...]) -> np.ndarray:
    """Chip-to-sensor matrix A for a mount config: body/sensor axis i = sign * chip axis named mount_axes[i].

    Example ("-z", "y", "x"): sensor x (forward) = -chip z, sensor y = chip y, sensor z (up) = chip x.
    sensor = A @ chip, chip = A.T @ sensor."""
    if len(mount_axes) != 3:
        raise ValueError("mount_axes needs three entries")
    a = np.zeros((3, 3))
    for i, name in enumerate(mount_axes):
        sign = -1.0 if name.startswith("-") else 1.0
        axis = name.lstrip("+-")
        if axis not in ("x", "y", "z"):
            raise ValueError(f"bad mount axis {name!r}")
        a[i, "xyz".index(axis)] = sign
    if abs(abs(np.linalg.det(a)) - 1.0) > 1e-9 or np.linalg.det(a) < 0:
        raise ValueError(f"mount_axes {mount_axes} is not a proper rotation")
    return a


def temperature_c(n: int, p: ImuModelParams) -> np.ndarray:
    """Chip temperature over the session (warm-up on the belt), deg C."""
    t = np.arange(n) / FS_INTERNAL_HZ
    return p.temp_start_c + p.temp_rise_c * (1.0 - np.exp(-t / p.temp_tau_s))


def dlpf(x: np.ndarray, cutoff_hz: float) -> np.ndarray:
    """The chip's digital low-pass, modelled as a causal 2nd-order Butterworth at 1 kHz (its
    DC group delay, 5.1 ms at 44 Hz, matches the datasheet's 4.9 ms), started in steady state."""
    # Imported here: this module's constants are read by `hiplevel --help` and `analyze`, which
    # should not pay scipy.signal's import (~0.8 s).
    from scipy.signal import butter, lfilter, lfilter_zi

    b, a = butter(2, cutoff_hz / (FS_INTERNAL_HZ / 2))
    zi = lfilter_zi(b, a)[:, None] * x[0][None, :]
    y, _ = lfilter(b, a, x, axis=0, zi=zi)
    return y


def sense(
    f_sensor_g: np.ndarray, w_sensor_dps: np.ndarray, temp_c: np.ndarray, err: DeviceErrors,
    p: ImuModelParams, rng: np.random.Generator, noise: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Sensor-frame signals at 1 kHz after scale/cross-axis error, bias (turn-on, temperature,
    random walk), white noise and the DLPF: (acc_g, gyro_dps), before quantisation."""
    n = len(f_sensor_g)
    acc = f_sensor_g @ err.accel_matrix.T
    gyr = w_sensor_dps @ err.gyro_matrix.T
    if noise:
        dt = 1.0 / FS_INTERNAL_HZ
        dtemp = (temp_c - temp_c[0])[:, None]
        gyr = gyr + err.gyro_bias_dps + dtemp * err.gyro_tempco
        acc = acc + err.accel_bias_g + dtemp * err.accel_tempco
        gyr += np.cumsum(rng.normal(0.0, p.gyro_bias_walk_dps_rts * np.sqrt(dt), (n, 3)), axis=0)
        acc += np.cumsum(rng.normal(0.0, p.accel_bias_walk_g_rts * np.sqrt(dt), (n, 3)), axis=0)
        # White noise with one-sided PSD = density^2 up to the 500 Hz Nyquist of the 1 kHz grid.
        gyr += rng.normal(0.0, p.gyro_noise_dps_rthz * np.sqrt(FS_INTERNAL_HZ / 2), (n, 3))
        acc += rng.normal(0.0, p.accel_noise_g_rthz * np.sqrt(FS_INTERNAL_HZ / 2), (n, 3))
    return dlpf(acc, p.accel_dlpf_hz), dlpf(gyr, p.gyro_dlpf_hz)


def quantise(x: np.ndarray, full_scale: float) -> np.ndarray:
    """Round to the register LSB of a +-full_scale range and saturate at int16, same unit out."""
    lsb_per_unit = 32768.0 / full_scale
    return np.clip(np.round(x * lsb_per_unit), -32768, 32767) / lsb_per_unit


def sample_times(duration_s: float, rate_hz: float, err: DeviceErrors, p: ImuModelParams,
                 rng: np.random.Generator, noise: bool) -> tuple[np.ndarray, np.ndarray]:
    """(true sample instants, recorded timestamps), s: the chip's sample clock runs clock_error
    fast, the timestamps carry jitter (kept below 0.45 of the period so they stay increasing)."""
    period = 1.0 / (rate_hz * (1.0 + err.clock_error))
    t_true = np.arange(0.0, duration_s - 2e-3, period)
    if not noise:
        return t_true, t_true.copy()
    jit = np.clip(rng.normal(0.0, p.jitter_s, len(t_true)), -0.45 / rate_hz, 0.45 / rate_hz)
    jit[0] = abs(jit[0])  # the session clock starts at 0
    return t_true, t_true + jit
