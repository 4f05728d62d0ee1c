"""The MPU6050 error model measured back from simulated still data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import welch

from hiplevel.sim import ImuModelParams, simulate_still
from hiplevel.sim.imu_model import draw_errors, quantise


def _density(x: np.ndarray, fs: float, band: tuple[float, float]) -> float:
    f, pxx = welch(x - x.mean(), fs=fs, nperseg=512)
    sel = (f >= band[0]) & (f <= band[1])
    return float(np.sqrt(np.median(pxx[sel])))


def test_noise_density_matches_datasheet():
    p = ImuModelParams(gyro_bias_walk_dps_rts=0.0, accel_bias_walk_g_rts=0.0, temp_rise_c=0.0)
    rec = simulate_still(120.0, rate_hz=100.0, seed=5, params=p)
    fs = rec.imu.sample_rate_hz
    for ax in range(3):
        assert _density(rec.imu.gyro_dps[:, ax], fs, (2.0, 20.0)) == pytest.approx(p.gyro_noise_dps_rthz, rel=0.12)
        assert _density(rec.imu.acc_g[:, ax], fs, (2.0, 20.0)) == pytest.approx(p.accel_noise_g_rthz, rel=0.12)


def test_dlpf_limits_bandwidth():
    p = ImuModelParams(gyro_bias_walk_dps_rts=0.0, temp_rise_c=0.0)
    rec = simulate_still(30.0, seed=6, params=p)
    g = rec.sensor_1k.gyro_dps[:, 0]
    low, high = _density(g, 1000.0, (5.0, 20.0)), _density(g, 1000.0, (200.0, 400.0))
    assert high < 0.1 * low  # 2nd-order roll-off above the 42 Hz DLPF


def test_bias_measured_back():
    p = ImuModelParams(temp_rise_c=0.0)
    rec = simulate_still(20.0, seed=7, params=p, roll_deg=0.0, pitch_deg=0.0)
    err = rec.errors
    assert np.allclose(rec.imu.gyro_dps.mean(axis=0), err.gyro_bias_dps, atol=0.03)
    expected_acc = err.accel_matrix @ np.array([0.0, 0.0, 1.0]) + err.accel_bias_g
    assert np.allclose(rec.imu.acc_g.mean(axis=0), expected_acc, atol=1e-3)
    assert np.any(np.abs(err.gyro_bias_dps) > 0.1)  # a real, nonzero turn-on bias


def test_turn_on_bias_spread_matches_config():
    p = ImuModelParams()
    rng = np.random.default_rng(8)
    biases = np.array([draw_errors(p, rng, True).gyro_bias_dps for _ in range(400)])
    assert np.std(biases) == pytest.approx(p.gyro_bias_dps, rel=0.1)
    scales = np.array([np.diag(draw_errors(p, rng, True).gyro_matrix) for _ in range(400)]) - 1.0
    assert np.std(scales) == pytest.approx(p.gyro_scale_error, rel=0.1)


def test_bias_random_walk_allan_deviation():
    p = ImuModelParams(temp_rise_c=0.0)
    rec = simulate_still(600.0, rate_hz=100.0, seed=9, params=p)
    tau_s = 10.0
    per = int(tau_s * 100)
    g = rec.imu.gyro_dps[: (len(rec.imu) // per) * per]
    means = g.reshape(-1, per, 3).mean(axis=1)
    adev = np.sqrt(0.5 * np.mean(np.diff(means, axis=0) ** 2))
    expected = np.sqrt(p.gyro_bias_walk_dps_rts**2 * tau_s / 3 + p.gyro_noise_dps_rthz**2 / (2 * tau_s))
    assert adev == pytest.approx(expected, rel=0.25)


def test_quantisation_and_saturation():
    q = quantise(np.array([0.0001, 1.0, 9.0, -9.0]), 8.0)
    assert q[0] == 0.0
    assert q[1] == 1.0
    assert q[2] == pytest.approx(32767 / 4096)
    assert q[3] == -8.0


def test_noise_off_is_ideal():
    rec = simulate_still(5.0, seed=1, noise=False, roll_deg=10.0)
    assert np.allclose(rec.imu.gyro_dps, 0.0)
    assert np.allclose(rec.imu.acc_g[:, 1], np.sin(np.radians(10.0)), atol=2.5e-4)
    assert np.allclose(np.diff(rec.imu.t_s), 0.01)
