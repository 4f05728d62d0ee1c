"""The real-pelvis bench's walk played backwards (`bench.real_pelvis.played_backwards`), built on
the simulator: the reversed copy must be as physical a recording as the forward one, so a
direction-independent filter reads the true roll from it as well as from the forward run."""

from __future__ import annotations

import numpy as np

from bench.metrics import rms
from bench.real_pelvis import played_backwards
from hiplevel.signal.fusion import fuse_tilt, up_to_roll_pitch_deg
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

BIAS_DPS = np.array([1.0, -0.8, 0.3])  # a gyro bias the reversal must keep, not flip


def _walk():
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12, weak_side="left", drop_deg=8.0)],
                                       rate_hz=100.0, seed=3, mount_offset_deg=(0.0, 0.0, 0.0), noise=False,
                                       rest_s=4.0))
    return sim.imu.t_s, sim.imu.acc_g, sim.imu.gyro_dps, sim.truth.roll_deg


def _roll_errors(acc2: np.ndarray, gyro2: np.ndarray, t: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Roll RMSE, deg, of the offline fusion (told the bias) over the forward copy and the reversed one."""
    n = len(t)
    t2 = t[0] + np.arange(2 * n) * float(np.median(np.diff(t)))
    roll = up_to_roll_pitch_deg(fuse_tilt(t2, acc2, gyro2, gyro_bias_dps=BIAS_DPS).up_)[0]
    keep = slice(int(2 * 100), n - 200)  # the fusion's first and last 2 s aside
    return rms((roll[:n] - truth)[keep]), rms((roll[n:][::-1] - truth)[keep])


def test_reversed_copy_is_a_recording_of_the_motion_played_backwards():
    t, acc, gyro, truth = _walk()
    acc2, gyro2 = played_backwards(acc, gyro + BIAS_DPS, BIAS_DPS)
    assert acc2.shape == gyro2.shape == (2 * len(t), 3)
    fwd, bwd = _roll_errors(acc2, gyro2, t, truth)
    assert fwd < 0.6 and bwd < 0.6
    assert abs(fwd - bwd) < 0.15  # zero phase: the same roll both ways


def test_the_reversal_keeps_the_gyro_bias():
    """Negating the biased rates flips the bias as well: the reversed copy then drifts (the check
    the 2 b - gyro construction passes)."""
    t, acc, gyro, truth = _walk()
    biased = gyro + BIAS_DPS
    flipped = np.concatenate([biased, -biased[::-1]])
    _, bwd_flipped = _roll_errors(np.concatenate([acc, acc[::-1]]), flipped, t, truth)
    _, bwd = _roll_errors(*played_backwards(acc, biased, BIAS_DPS), t, truth)
    assert bwd_flipped > 3 * bwd
