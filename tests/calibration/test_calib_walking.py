"""The walking step's forward axis (`PelvisAligner.forward`) and its helpers, on known answers."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.calibration import PelvisAligner, PoseRejectedError
from hiplevel.calibration.walking import axis_angle_deg, mean_rotation, rotations_from_rates
from hiplevel.sim.rotation import body_rate_from_matrices, euler_to_matrix

RATE_HZ = 100.0


def test_integrated_rates_give_the_turn_and_its_mean() -> None:
    w = np.zeros((101, 3))
    w[:, 2] = 90.0  # deg/s about z for 1 s
    r = rotations_from_rates(w, RATE_HZ)
    np.testing.assert_allclose(r[-1], euler_to_matrix(np.array(0.0), np.array(0.0), np.array(90.0)), atol=1e-9)
    np.testing.assert_allclose(mean_rotation(r), euler_to_matrix(np.array(0.0), np.array(0.0), np.array(45.0)), atol=1e-3)


def _walk(seed: int, yaw_offset_deg: float, seconds: float = 8.0) -> tuple[np.ndarray, np.ndarray]:
    """Mounted-frame (acc g, rate deg/s) of a straight walk along world x, sensor turned
    yaw_offset_deg on the pelvis: per-step obliquity 4 +- 0.6 deg (its gravity leaks 17 mg per deg
    sideways), forward surge at the step rate, sway and rotation at the stride rate, +-3 % step times."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE_HZ)
    t = np.arange(n) / RATE_HZ
    steps = np.cumsum(0.55 * (1 + rng.normal(0, 0.03, 40)))
    phase = np.interp(t, np.concatenate([[0.0], steps]), np.pi * np.arange(41))  # pi per step
    k = np.minimum((phase // np.pi).astype(int), 39)
    amp = 4.0 + rng.normal(0, 0.6, 40)
    roll = amp[k] * np.sin(phase)  # sign alternates per step: once per stride
    pitch = 1.5 * np.sin(2 * phase)
    yaw = 5.0 * np.cos(phase)
    acc_world = np.column_stack([0.14 * np.sin(2 * phase), -0.1 * np.sin(phase), 0.2 * np.cos(2 * phase)])
    body = euler_to_matrix(roll, pitch, yaw)
    f_body = np.einsum("nji,nj->ni", body, acc_world + [0.0, 0.0, 1.0])
    w_body = np.degrees(body_rate_from_matrices(body, 1.0 / RATE_HZ))
    mount = euler_to_matrix(np.array(0.0), np.array(0.0), np.array(yaw_offset_deg))  # sensor -> body
    return f_body @ mount, w_body @ mount


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_forward_axis_is_found_despite_obliquity_and_uneven_steps(seed: int) -> None:
    acc, gyro = _walk(seed, yaw_offset_deg=-10.0)
    walk = PelvisAligner().forward(acc, gyro, RATE_HZ)
    heading = np.degrees(np.arctan2(walk.forward[1], walk.forward[0]))
    assert abs(heading - 10.0) < 0.5  # body x is mounted x turned +10 deg
    assert walk.anisotropy > 10 and walk.spread_deg < 5.0
    assert abs(walk.step_hz - 1 / 0.55) < 0.15


def test_axis_angle_ignores_the_sign() -> None:
    assert axis_angle_deg(np.array([1.0, 0.0]), np.array([-1.0, 0.01])) < 1.0
