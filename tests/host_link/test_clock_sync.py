"""Clock mapping with simulated drift and BLE-like delivery delay, and sample-rate jitter."""

from __future__ import annotations

import numpy as np

from hiplevel.link.clock_sync import ClockSync
from hiplevel.link.jitter import JitterMeter
from hiplevel.link.lower_hull import lower_envelope_line

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


def stepped(duration_s: float, seed: int, steps: list[tuple[float, float]], speed: float = 1.0,
            packet_period_s: float = 0.1, jitter: float = 0.0):
    """Device times (us), true host times (s: before any step) and stepped host receive times (s) of
    packets from a device running `speed` times host time, with BLE-like delays (`jitter`: a
    relative packet-delay jitter on top), and the receive clock stepping by `size` s at device
    time `at` for each (at, size) in `steps`."""
    rng = np.random.default_rng(seed)
    dev_s = np.arange(0.0, duration_s, packet_period_s) + 3.0
    delay = MIN_DELAY_S + rng.exponential(0.015, dev_s.size) + jitter * packet_period_s * rng.random(dev_s.size)
    true_host = 700.0 + dev_s / speed + MIN_DELAY_S
    host = 700.0 + dev_s / speed + delay
    for at, size in steps:
        host[dev_s >= at] += size
    return dev_s * 1e6, true_host, host


def fitted(dev_us: np.ndarray, host_s: np.ndarray) -> ClockSync:
    sync = ClockSync()
    for d, h in zip(dev_us, host_s):
        sync.observe(d, h)
    sync.finish()
    return sync


def test_host_clock_steps_do_not_move_samples() -> None:
    # The soak's two steps (+10 min, -30 s) in an hour on a device 30x faster than the host: the
    # fit stays on the host clock before the first step and both steps are reported.
    dev_us, truth, host = stepped(3600.0, seed=4, steps=[(1300.0, 600.0), (2500.0, -30.0)], speed=30.0)
    sync = fitted(dev_us, host)
    err_s = sync.to_host_s(dev_us) - truth
    assert np.abs(err_s).max() <= 2.0
    assert np.abs(err_s).max() < 0.05  # in fact within the link's delay jitter
    steps = sync.report().steps
    assert [round(s.size_s) for s in steps] == [600, -30]
    assert abs(steps[0].dev_s - 1300.0) < 0.2 and abs(steps[1].dev_s - 2500.0) < 0.2
    assert abs(steps[0].host_s - host[np.searchsorted(dev_us, steps[0].dev_s * 1e6)]) < 1e-9
    assert sync.report().delay_max_ms < 1000  # the stepped packets are not counted as delayed


def test_a_step_at_real_speed_and_one_near_the_end() -> None:
    dev_us, truth, host = stepped(900.0, seed=5, steps=[(200.0, -30.0), (880.0, 12.0)])
    sync = fitted(dev_us, host)
    assert np.abs(sync.to_host_s(dev_us) - truth).max() < 0.05
    assert [round(s.size_s) for s in sync.report().steps] == [-30, 12]


def test_slow_wander_and_delay_jitter_are_no_step() -> None:
    # The accelerated virtual device's rate wanders: 3 s ahead of the host over a minute, back over
    # the next, with 3 % packet-delay jitter; and a host stall delivers 8 s of queued packets at once.
    dev_s = np.arange(0.0, 600.0, 0.1) + 3.0
    rng = np.random.default_rng(6)
    wander = 3.0 * np.interp(dev_s, [0, 200, 260, 320, 600], [0, 0, 1, 0, 0])
    host = 50.0 + dev_s + wander + MIN_DELAY_S + 0.03 * 0.1 * rng.random(dev_s.size)
    stall = (dev_s >= 400.0) & (dev_s < 408.0)
    host[stall] = host[stall][-1] + 0.01  # all delivered when the stall ends
    sync = fitted(dev_s * 1e6, host)
    assert sync.report().steps == ()
    dev_us, _truth, host = stepped(600.0, seed=7, steps=[], speed=30.0, jitter=0.03)
    assert fitted(dev_us, host).report().steps == ()


def test_steps_in_a_gap_and_two_within_a_minute() -> None:
    # The soak's 150 s plan: +10 min, then -30 s while the link is down for 30 s, 50 s later.
    dev_us, truth, host = stepped(150.0, seed=8, steps=[(20.0, 600.0), (75.0, -30.0)], speed=20.0)
    keep = (dev_us < 62e6) | (dev_us > 92e6)
    sync = fitted(dev_us[keep], host[keep])
    assert np.abs(sync.to_host_s(dev_us) - truth).max() < 0.05
    assert [round(s.size_s) for s in sync.report().steps] == [600, -30]
