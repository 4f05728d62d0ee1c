"""Accelerometer bias and gyro cross-axis leak estimated across turns (hiplevel.signal.turns):
synthetic level-pelvis turns with known sensor errors, the fused roll after the turns, and a
simulated walk whose sideways sway must not read as bias (hiplevel.signal.stride_window)."""

import numpy as np
import pytest

from hiplevel.signal.fusion import FusionSettings, fuse_tilt, up_to_roll_pitch_deg
from hiplevel.signal.stride_window import stride_window, stride_windows
from hiplevel.signal.turns import estimate_turn_errors, find_turns
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

RATE_HZ = 100.0


def turning(bias_g=(0.0, 0.0, 0.0), leak=(0.0, 0.0)):
    """Level pelvis, pure yaw: 3 s still, +90 deg, 3 s, -180 deg, 3 s, +90 deg, 3 s (min-jerk turns)."""
    segs = [(3.0, 0.0), (1.5, 90.0), (3.0, 0.0), (2.0, -180.0), (3.0, 0.0), (1.5, 90.0), (3.0, 0.0)]
    rates = []
    for dur, deg in segs:
        n = int(dur * RATE_HZ)
        x = (np.arange(n) + 0.5) / n
        # Min-jerk heading: rate = deg/dur * 30 x^2 (1 - x)^2.
        rates.append(deg / dur * 30 * x**2 * (1 - x) ** 2)
    wz = np.concatenate(rates)
    n = len(wz)
    t = np.arange(n) / RATE_HZ
    acc = np.tile([0.0, 0.0, 1.0], (n, 1)) + np.asarray(bias_g)
    gyro = np.column_stack([leak[0] * wz, leak[1] * wz, wz])
    return t, acc, gyro


def test_turns_are_found_with_their_size():
    _, _, gyro = turning()
    spans = find_turns(gyro, RATE_HZ)
    assert len(spans) == 3
    sizes = [np.sum(gyro[a:b, 2]) / RATE_HZ for a, b in spans]
    assert sizes[0] > 60 and sizes[1] < -120 and sizes[2] > 60


@pytest.mark.parametrize("bias_g,leak", [((0.02, -0.015, 0.0), (0.0, 0.0)), ((0.0, 0.0, 0.0), (0.012, -0.008))])
def test_errors_are_recovered(bias_g, leak):
    t, acc, gyro = turning(bias_g, leak)
    # The fusion settles on the biased accelerometer: start from that up-vector.
    up = acc / np.linalg.norm(acc, axis=1, keepdims=True)
    est = estimate_turn_errors(acc, gyro, up, RATE_HZ)
    assert est.n_turns == 3
    # About a vertical axis the two act alike (a leak c about x tilts the gyro's up-vector like a
    # bias b = -c on x), so only their difference is observable; either half corrects the turns.
    assert np.allclose(est.acc_bias_g[:2] - est.gyro_leak, np.subtract(bias_g[:2], leak), atol=0.002)
    assert est.acc_bias_g[2] == 0.0


def test_no_turn_changes_nothing():
    n = 1000
    acc = np.tile([0.01, 0.02, 1.0], (n, 1))
    est = estimate_turn_errors(acc, np.zeros((n, 3)), acc / np.linalg.norm(acc[0]), RATE_HZ)
    assert est.n_turns == 0 and not est.acc_bias_g.any() and not est.gyro_leak.any()


@pytest.mark.parametrize("bias_g,leak,uncorrected_min_deg", [((0.0, 0.03, 0.0), (0.0, 0.0), 1.5), ((0.0, 0.0, 0.0), (0.02, 0.0), 0.3)])
def test_roll_stays_level_through_turns(bias_g, leak, uncorrected_min_deg):
    # Without the correction a 30 mg lateral bias leaves ~3 deg of false roll after the 180 deg turn
    # (the quiet standing between turns then pulls it back quickly); a 2 % leak less.
    t, acc, gyro = turning(bias_g, leak)
    still = slice(0, int(2 * RATE_HZ))
    errs = {}
    for on in (True, False):
        r, _ = up_to_roll_pitch_deg(fuse_tilt(t, acc, gyro, FusionSettings(turn_errors=on)).up_)
        errs[on] = float(np.max(np.abs(r - np.median(r[still]))))
    assert errs[True] < 0.2, errs
    assert errs[False] > uncorrected_min_deg, errs  # the test can tell the difference


def test_stride_window_is_a_whole_stride_where_the_walk_repeats():
    # Lateral sway at a 1.1 s stride and forward bounce at the step, plus sensor noise.
    rng = np.random.default_rng(3)
    t = np.arange(600) / RATE_HZ
    sway = np.column_stack([0.1 * np.sin(2 * np.pi * t / 0.55), 0.08 * np.sin(2 * np.pi * t / 1.1 + 0.7)])
    xy = sway + rng.normal(0.0, 0.005, sway.shape)
    assert stride_window(xy, 400, -1, RATE_HZ, 150) == 110
    assert stride_window(xy, 200, 1, RATE_HZ, 150) == 110
    # No repeat (a shuffle, noise), or too few samples: the fixed window.
    assert stride_window(rng.normal(0.0, 0.05, (600, 2)), 400, -1, RATE_HZ, 150) == 150
    assert stride_window(xy, 100, -1, RATE_HZ, 150) == 150


def test_stride_windows_at_once_are_each_edges_own():
    # Strides of 0.9-1.5 s drifting along the walk, noise, a noisy stretch that does not repeat,
    # and edges near both ends (shorter stretches, or the fixed window).
    rng = np.random.default_rng(4)
    t = np.arange(3000) / RATE_HZ
    phase = 2 * np.pi * np.cumsum(1.0 / (1.2 + 0.3 * np.sin(t / 7.0))) / RATE_HZ
    xy = np.column_stack([0.1 * np.sin(2 * phase), 0.08 * np.sin(phase + 0.7)]) + rng.normal(0.0, 0.01, (3000, 2))
    xy[1200:1600] = rng.normal(0.0, 0.05, (400, 2))
    edges = np.r_[rng.integers(0, 3000, 150), np.arange(0, 260, 13), 3000 - np.arange(0, 260, 13)]
    sides = rng.choice([-1, 1], len(edges))
    want = [stride_window(xy, int(e), int(s), RATE_HZ, 150) for e, s in zip(edges, sides)]
    assert stride_windows(xy, edges, sides, RATE_HZ, 150).tolist() == want
    assert len(set(want)) > 10 and 150 in want


@pytest.mark.parametrize("seed,cadence_spm", [(1, 125.0), (2, 95.0), (2, 125.0)])
def test_gait_sway_is_not_read_as_bias(seed, cadence_spm):
    # The pelvis sways sideways once per stride; a reference window that is not a whole number of
    # strides kept part of a sway cycle, read as 1-19 mg of lateral bias (here 38, 29 and 0.8 mg
    # for a true 20 mg before the stride windows).
    bias_g = np.array([0.0, 0.02, 0.0])
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=40, turn_every_steps=8, cadence_spm=cadence_spm)],
                                       rate_hz=RATE_HZ, seed=seed, mount_offset_deg=(0.0, 0.0, 0.0), noise=False))
    t, acc, gyro = sim.imu.t_s, sim.imu.acc_g + bias_g, sim.imu.gyro_dps
    up = fuse_tilt(t, acc, gyro, FusionSettings(turn_errors=False), gyro_bias_dps=np.zeros(3)).up_
    est = estimate_turn_errors(acc, gyro, up, RATE_HZ)
    assert est.n_turns == 4
    # Only bias minus leak is observable about the vertical (`test_errors_are_recovered`).
    assert abs(est.acc_bias_g[1] - est.gyro_leak[1] - bias_g[1]) < 0.004
