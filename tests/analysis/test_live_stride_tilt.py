"""The live tilt stays anchored to the accelerometer averaged over strides when single samples are
ignored (`hiplevel.signal.stride_tilt`, `TiltFusion`)."""

import math

import numpy as np

from hiplevel.signal.live_fusion import TiltFusion
from hiplevel.signal.stride_tilt import StrideTiltLoop

RATE_HZ = 50.0


def bouncing_walk(duration_s=120.0, bias_dps=(0.5, -0.5, 0.0)):
    """A level pelvis that bounces 0.5 g at the step (2 Hz) and sways 0.15 g sideways at the stride
    (1 Hz), so |a| is mostly outside `acc_tolerance_g` and single samples are ignored, while the
    mean over a stride is gravity; it turns 90 deg every 10 s (a brisk walk with turns); the gyro
    has a residual bias the live filter cannot see (no rest)."""
    t = np.arange(int(duration_s * RATE_HZ)) / RATE_HZ
    acc = np.column_stack([np.zeros_like(t), 0.15 * np.sin(2 * np.pi * t), 1.0 + 0.5 * np.sin(4 * np.pi * t)])
    yaw = np.where((t % 10.0) < 2.25, 40.0, 0.0) * np.where((t // 10.0) % 2 == 0, 1.0, -1.0)
    gyro = np.column_stack([np.zeros_like(t), np.zeros_like(t), yaw]) + np.asarray(bias_dps)
    return t, acc, gyro


def live_tilt_deg(t, acc, gyro):
    f = TiltFusion(rate_hz=RATE_HZ)
    dt = np.diff(t, prepend=t[0] - 1.0 / RATE_HZ)
    up = np.array([f.update(acc[i], gyro[i], dt[i]) for i in range(len(t))])
    return np.degrees(np.arccos(np.clip(up[:, 2], -1.0, 1.0)))


def test_live_tilt_stays_bounded_when_the_accelerometer_is_ignored():
    t, acc, gyro = bouncing_walk()
    tilt = live_tilt_deg(t, acc, gyro)
    late = t > 60.0
    # The rare accepted samples alone let the bias build up to 23-25 deg of tilt (8.5 with the loop).
    assert tilt[late].max() < 12.0, tilt[late].max()


def test_loop_leaves_a_correct_tilt_alone():
    # Up-vector and accelerometer agree over the window: nothing turns.
    loop = StrideTiltLoop(window=100, time_constant_s=20.0, turn_rate_dps=60.0)
    t, acc, _ = bouncing_walk(duration_s=10.0, bias_dps=(0.0, 0.0, 0.0))
    up = (0.0, 0.0, 1.0)
    for a in acc:
        out = loop.step(up, a, (0.0, 0.0, 0.0), 1.0 / RATE_HZ)
        assert math.isclose(out[2], 1.0, abs_tol=1e-6)
