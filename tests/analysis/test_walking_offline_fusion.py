"""The offline fusion behind walking analysis, vectorised (hiplevel.signal.scan), against an
independent oracle: the per-sample loop of `tilt_step` (the live filter's step) and a per-sample
gyro propagation. Results must agree within 0.01 deg (the brief's bound); the loop is slow, so
the recordings are short."""

import math

import numpy as np
import pytest

from hiplevel.signal import fusion, rest_masks
from hiplevel.signal.fusion import FusionSettings, fuse_tilt, tilt_step, up_to_roll_pitch_deg
from hiplevel.signal.scan import affine_scan, from_blocks, segment_products, to_blocks
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

TOL_DEG = 0.01


def _loop_pass(acc, w_rps, dt, rest, u0, settings):
    """Reference: the original per-sample loop over tilt_step, in array order."""
    move, rest_gain = fusion._gains(settings)
    up, err = np.empty_like(acc), np.empty(len(acc))
    u, e = u0, settings.gyro_error_floor_deg
    for i in range(len(acc)):
        w = tuple(w_rps[i])
        u, k = tilt_step(u, w, tuple(acc[i]), float(dt[i]), rest_gain if rest[i] else move,
                         settings.acc_tolerance_g, settings.turn_rate_dps)
        e = (e + settings.cross_axis_fraction * math.sqrt(sum(x * x for x in w)) * abs(dt[i])) * (1.0 - k)
        up[i], err[i] = u, e
    return up, err


@pytest.fixture(scope="module")
def walk():
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=16, turn_every_steps=6)], rate_hz=100,
                                       seed=5, noise=True, mount_offset_deg=(2.0, -3.0, 4.0), rest_s=3.0))
    s = sim.imu
    return s.t_s - s.t_s[0], s.acc_g, s.gyro_dps


@pytest.mark.parametrize("backward", [False, True])
def test_vectorised_pass_matches_the_per_sample_loop(walk, backward):
    t, acc, gyro = walk
    st = FusionSettings()
    rest = rest_masks.rest_mask(acc, gyro, 100.0, st)
    w = np.radians(gyro - gyro[:50].mean(axis=0))
    dt = np.diff(t, prepend=t[0] - 0.01)
    if backward:
        acc, w, dt, rest = acc[::-1], w[::-1], -dt[::-1], rest[::-1]
    u0 = tuple(acc[0] / np.linalg.norm(acc[0]))
    up_ref, err_ref = _loop_pass(acc, w, dt, rest, u0, st)
    ((up, err),) = fusion._run([(acc, w, dt, rest, u0)], st)
    r_ref, p_ref = up_to_roll_pitch_deg(up_ref)
    r, p = up_to_roll_pitch_deg(up)
    assert np.max(np.abs(r - r_ref)) < TOL_DEG
    assert np.max(np.abs(p - p_ref)) < TOL_DEG
    assert np.allclose(err, err_ref, rtol=1e-9, atol=1e-12)
    # The walk really moves the tilt: a filter that ignored the gyro would not pass.
    assert np.ptp(r_ref) > 3.0


def test_affine_scan_known_answer():
    rng = np.random.default_rng(3)
    n, d = 203, 3  # not a multiple of the block: the padding must not leak
    a = rng.normal(0, 0.6, (n, d, d))
    b = rng.normal(0, 1.0, (n, d))
    x, ref = np.array([1.0, -2.0, 0.5]), []
    for i in range(n):
        x = a[i] @ x + b[i]
        ref.append(x)
    got = affine_scan(to_blocks(a), to_blocks(b)[:, :, None], np.array([[1.0], [-2.0], [0.5]]))
    assert np.allclose(from_blocks(got[:, :, 0], n), np.asarray(ref), rtol=1e-9, atol=1e-9)


def test_segment_products_restart_at_each_segment():
    rng = np.random.default_rng(4)
    w = rng.normal(0, 2.0, (150, 3))
    starts = np.array([0, 40, 41, 100])
    p = segment_products(w, 0.01, starts)
    for s, e in zip(starts, np.r_[starts[1:], 150]):
        u = np.array([0.1, 0.2, 0.97])
        u /= np.linalg.norm(u)
        for i in range(s, e):
            u, _ = tilt_step(tuple(u), tuple(w[i]), (0.0, 0.0, 1.0), 0.01, 0.0, 0.25)
            assert np.allclose(p[i] @ np.array([0.1, 0.2, 0.97]) / np.linalg.norm([0.1, 0.2, 0.97]), u, atol=1e-12)


def test_fuse_tilt_with_turn_correction_stays_unit_and_level_at_rest(walk):
    t, acc, gyro = walk
    res = fuse_tilt(t, acc, gyro)
    assert np.allclose(np.linalg.norm(res.up_, axis=1), 1.0)
    # At rest the fused tilt agrees with the accelerometer's.
    r, p = up_to_roll_pitch_deg(res.up_[:100])
    ra, pa = up_to_roll_pitch_deg(acc[:100] - res.acc_bias_g_)
    assert abs(np.mean(r) - np.mean(ra)) < 0.2 and abs(np.mean(p) - np.mean(pa)) < 0.2
