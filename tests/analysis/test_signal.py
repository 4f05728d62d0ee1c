"""Pure unit tests of the signal layer with known answers: fusion on static tilts and rotations,
alignment, neutral and filters."""

import math

import numpy as np
import pytest

from hiplevel.signal.alignment import estimate_mount_yaw_deg, level_rotation, yaw_rotation
from hiplevel.signal.filters import CausalLowpass, moving_std, zero_phase_lowpass
from hiplevel.signal.fusion import fuse_tilt, roll_pitch_to_up, up_to_roll_pitch_deg
from hiplevel.signal.live_fusion import TiltFusion
from hiplevel.signal.neutral import find_standing, neutral_roll


def rot_x(deg):
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def rot_y(deg):
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def static(roll, pitch, n=500, rate=100.0, bias=(0.0, 0.0, 0.0)):
    up = roll_pitch_to_up([roll], [pitch])[0]
    t = np.arange(n) / rate
    return t, np.tile(up, (n, 1)), np.tile(bias, (n, 1))


@pytest.mark.parametrize("roll,pitch", [(0, 0), (7.5, 0), (-12, 3), (4, 30), (-6, 25)])
def test_static_tilt_is_recovered(roll, pitch):
    t, acc, gyro = static(roll, pitch, bias=(1.2, -0.8, 0.5))
    up = fuse_tilt(t, acc, gyro).up_
    r, p = up_to_roll_pitch_deg(up)
    assert np.allclose(r, roll, atol=0.01) and np.allclose(p, pitch, atol=0.01)


def test_signs_follow_constants():
    # Left side higher: gravity gets a +y component in the body frame -> positive roll.
    r, p = up_to_roll_pitch_deg(np.array([[0.0, math.sin(0.1), math.cos(0.1)]]))
    assert r[0] > 0 and abs(p[0]) < 1e-9
    # Front of the pelvis down (x axis below the horizon): up has -x -> positive pitch.
    r, p = up_to_roll_pitch_deg(np.array([[-math.sin(0.2), 0.0, math.cos(0.2)]]))
    assert p[0] == pytest.approx(math.degrees(0.2))


def test_rotation_integrates_gyro_between_rests():
    # 2 s rest, roll 10 deg at 20 deg/s in 0.5 s, 2 s rest; gyro bias 1 dps must be removed.
    rate = 200.0
    rates = np.r_[np.zeros(400), np.full(100, 20.0), np.zeros(400)]
    roll = np.cumsum(rates) / rate
    t = np.arange(len(rates)) / rate
    acc = roll_pitch_to_up(roll, np.zeros_like(roll))
    gyro = np.column_stack([rates + 1.0, np.full_like(rates, -1.0), np.zeros_like(rates)])
    r, _ = up_to_roll_pitch_deg(fuse_tilt(t, acc, gyro).up_)
    assert np.max(np.abs(r - roll)) < 0.3
    assert r[-1] == pytest.approx(10.0, abs=0.05)


def test_yaw_turn_does_not_create_roll():
    # A 90 deg/s turn about the vertical with the pelvis level: roll stays 0.
    rate = 100.0
    n = 600
    t = np.arange(n) / rate
    acc = np.tile([0.0, 0.0, 1.0], (n, 1))
    gyro = np.zeros((n, 3))
    gyro[200:400, 2] = 90.0
    r, p = up_to_roll_pitch_deg(fuse_tilt(t, acc, gyro).up_)
    assert np.max(np.abs(r)) < 1e-6 and np.max(np.abs(p)) < 1e-6


def test_live_filter_converges_and_reports_rest():
    f = TiltFusion(rate_hz=100.0)
    up = roll_pitch_to_up([5.0], [10.0])[0]
    for _ in range(300):
        f.update(up, (0.5, 0.5, 0.5), 0.01)
    assert f.roll_deg == pytest.approx(5.0, abs=0.05) and f.pitch_deg == pytest.approx(10.0, abs=0.05)
    assert f.at_rest and not f.initialising
    assert np.allclose(f.bias_dps, 0.5, atol=0.01)


def test_level_rotation_maps_standing_up_to_z():
    up = roll_pitch_to_up([3.0], [-4.0])[0]
    assert np.allclose(level_rotation(up) @ up, [0, 0, 1], atol=1e-12)


def test_mount_yaw_recovered_from_hinge():
    # Pelvis hinges 25 deg about its y axis; the sensor is turned 5 deg about z.
    pitch = np.r_[np.zeros(100), np.full(400, 25.0)]
    up_pelvis = roll_pitch_to_up(np.zeros_like(pitch), pitch)
    up_sensor = up_pelvis @ yaw_rotation(-5.0).T
    psi = estimate_mount_yaw_deg(up_sensor)
    assert psi == pytest.approx(5.0, abs=0.01)
    assert np.allclose(yaw_rotation(psi) @ up_sensor[-1], up_pelvis[-1], atol=1e-9)


def test_mount_yaw_defaults_to_documented_mount_without_pitch():
    roll = 4 * np.sin(np.linspace(0, 20, 500))
    assert estimate_mount_yaw_deg(roll_pitch_to_up(roll, np.zeros_like(roll))) == 0.0


def test_neutral_from_first_quiet_standing():
    rate = 100.0
    t = np.arange(1000) / rate
    still = np.r_[np.ones(300, bool), np.zeros(700, bool)]
    roll = np.r_[np.full(300, 2.5), 5 * np.sin(np.arange(700) / 10)]
    span = find_standing(still, t)
    assert span == (0, 300)
    assert neutral_roll(roll, span) == pytest.approx(2.5)


def test_zero_phase_has_no_delay_and_causal_has_the_stated_delay():
    rate = 100.0
    t = np.arange(2000) / rate
    x = np.sin(2 * np.pi * 0.5 * t)
    y = zero_phase_lowpass(x, 6.0, rate)
    assert np.max(np.abs(y[200:-200] - x[200:-200])) < 1e-3
    lp = CausalLowpass(6.0, rate)
    yc = np.array([lp.push(v) for v in x])
    lag = np.argmax(np.correlate(yc[500:1500], x[500:1500], "full")) - 999
    assert 0.02 < lp.delay_s < 0.1
    assert abs(lag / rate - lp.delay_s) <= 0.011


def test_moving_std_of_constant_and_step():
    assert np.allclose(moving_std(np.ones(50), 5), 0.0)
    s = moving_std(np.r_[np.zeros(50), np.ones(50)], 10)
    assert s[0] == 0 and s[50] == pytest.approx(0.5)


def test_live_filter_does_not_learn_standing_sway_as_bias():
    # Quiet standing: the pelvis sways 0.6 deg in roll at 0.25 Hz (gyro SD ~0.7 deg/s, so "at
    # rest"), and the gyro has a constant bias of 0.4 deg/s on x found at start-up. Following the
    # gyro's mean at rest learned the sway's rate as bias (+-0.5 deg/s) and lagged the roll; the
    # tilt-error integral only sees the bias.
    rate, n = 100.0, 3000
    t = np.arange(n) / rate
    roll = 2.0 + 0.6 * np.sin(2 * np.pi * 0.25 * t)
    acc = roll_pitch_to_up(roll, np.zeros(n))
    gyro = np.zeros((n, 3))
    gyro[:, 0] = 0.6 * 2 * np.pi * 0.25 * np.cos(2 * np.pi * 0.25 * t) + 0.4
    f = TiltFusion(rate_hz=rate)
    rolls, bias_x = [], []
    for i in range(n):
        f.update(acc[i], gyro[i], 1.0 / rate)
        rolls.append(f.roll_deg)
        bias_x.append(f.bias_dps[0])
    late = slice(1000, None)
    assert np.max(np.abs(np.array(bias_x)[late] - 0.4)) < 0.1
    assert np.max(np.abs(np.array(rolls)[late] - roll[late])) < 0.05
