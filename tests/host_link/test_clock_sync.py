"""Clock mapping with simulated drift and BLE-like delivery delay, and sample-rate jitter."""

from __future__ import annotations

import numpy as np

from hiplevel.link.clock_sync import ClockSync, JitterMeter, lower_envelope_line

MIN_DELAY_S = 0.0075  # one BLE connection interval: the fastest possible delivery


def simulate(duration_s: float, drift_ppm: float, seed: int, packet_period_s: float = 0.1):
    """Device times (us) of packets and their host receive times (s) with delay >= MIN_DELAY_S:
    mostly exponential jitter, sometimes a 0.5 s burst of queued notifications."""
    rng = np.random.default_rng(seed)
    dev_s = np.arange(0.0, duration_s, packet_period_s) + 12.0
    delay = MIN_DELAY_S + rng.exponential(0.015, dev_s.size)
    burst = rng.random(dev_s.size) < 0.02
    delay[burst] += rng.uniform(0.1, 0.5, burst.sum())
    host_s = 5000.0 + dev_s * (1 + drift_ppm * 1e-6) + delay
    return dev_s * 1e6, host_s


def test_hour_long_session_stays_aligned_within_a_few_ms() -> None:
    dev_us, host_s = simulate(3600.0, drift_ppm=40.0, seed=1)
    sync = ClockSync()
    worst_online = 0.0
    for i, (d, h) in enumerate(zip(dev_us, host_s)):
        sync.observe(d, h)
        if i > 600 and i % 500 == 0:  # after the first minute, the online estimate is usable
            truth = 5000.0 + d * 1e-6 * (1 + 40e-6) + MIN_DELAY_S
            worst_online = max(worst_online, abs(sync.to_host_s(d) - truth))
    sync.finish()
    truth = 5000.0 + dev_us * 1e-6 * (1 + 40e-6) + MIN_DELAY_S
    err_s = sync.to_host_s(dev_us) - truth
    assert np.abs(err_s).max() < 0.003  # 3 ms over an hour with 40 ppm drift (144 ms uncorrected)
    assert worst_online < 0.01
    assert abs(sync.drift_ppm - 40.0) < 2.0
    rep = sync.report()
    assert rep.delay_p50_ms > 0 and rep.delay_max_ms > 100  # the bursts are seen as delay, not drift


def test_negative_drift_and_constant_delay() -> None:
    dev_us = np.arange(0, 600e6, 50_000.0)
    host_s = 20.0 + dev_us * 1e-6 * (1 - 25e-6) + 0.02
    sync = ClockSync(window_s=2.0)
    for d, h in zip(dev_us, host_s):
        sync.observe(d, h)
    sync.finish()
    assert abs(sync.drift_ppm + 25.0) < 0.5
    np.testing.assert_allclose(sync.to_host_s(dev_us), host_s, atol=1e-4)


def test_first_observation_gives_an_offset() -> None:
    sync = ClockSync()
    sync.observe(1_000_000, 50.0)
    assert sync.ready and abs(sync.to_host_s(2_000_000) - 51.0) < 1e-9


def test_lower_envelope_ignores_points_above() -> None:
    x = np.arange(10.0)
    y = 1.0 + 0.5 * x
    y[[2, 5, 7]] += 3.0
    a, b = lower_envelope_line(np.column_stack([x, y]))
    assert abs(a - 1.0) < 1e-12 and abs(b - 0.5) < 1e-12


def test_jitter_meter_measures_device_rate_and_jitter() -> None:
    rng = np.random.default_rng(3)
    meter = JitterMeter()
    period_us = 10_000 * (1 + 0.01)  # the MPU6050 clock runs 1 % slow
    for k in range(1000):
        seq = 4 * k
        meter.observe(seq, 1e6 + seq * period_us + rng.normal(0, 50.0))
    rep = meter.report()
    assert abs(rep.rate_hz - 100 / 1.01) < 0.01
    assert 40 < rep.jitter_rms_us < 60 and rep.n_packets == 1000
