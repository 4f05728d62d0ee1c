"""A step-down's descent and its weight shift (issue 14): a small measured descent (a lean of the
pelvis about the hips, a jolt in the margins) needs the sideways weight shift onto the stance leg
as well; a clear descent stands alone. Built on a synthetic set's motion, so the descent is known."""

import numpy as np
import pytest

from hiplevel.exercises import Motion
from hiplevel.exercises.step_down import StepDownDetector
from hiplevel.sim.motion import plateau

RATE_HZ = 100.0
G_MPS2 = 9.80665


def _second_derivative(x: np.ndarray) -> np.ndarray:
    return np.gradient(np.gradient(x, 1.0 / RATE_HZ), 1.0 / RATE_HZ)


def _one_lowering(depth_m: float, shift_m: float, pitch_deg: float = 9.0) -> Motion:
    """8 s of standing with one 2 s pitch bump (peak pitch_deg) at 3-5 s, the sensor (at the hips)
    sinking depth_m with it, and a sideways move of shift_m onto the stance foot 0.6 s before it
    and back 0.6 s after it."""
    t = np.arange(int(8.0 * RATE_HZ)) / RATE_HZ
    bump = plateau(t, 3.0, 4.0, 4.0, 5.0)
    side = plateau(t, 2.4, 3.0, 5.0, 5.6)
    acc = np.zeros((len(t), 3))
    # Levelled frame: rotate the world acceleration forward by the pitch (z up, x forward).
    az_w, ay_w = -depth_m * _second_derivative(bump) / G_MPS2, shift_m * _second_derivative(side) / G_MPS2
    p = np.radians(pitch_deg * bump)
    acc[:, 0], acc[:, 1], acc[:, 2] = np.sin(p) * az_w, ay_w, np.cos(p) * az_w
    # The documented mount sits behind the hips: a forward pitch lifts it (descent.SENSOR_LEVER_ARM_M).
    acc[:, 2] += 0.12 * _second_derivative(np.sin(p)) / G_MPS2
    return Motion(t, RATE_HZ, np.zeros(len(t)), pitch_deg * bump, acc, np.zeros((len(t), 3)), np.ones(len(t), bool))


@pytest.mark.parametrize("depth_m", [0.04, 0.05])
def test_a_small_descent_without_a_weight_shift_is_no_rep(depth_m):
    # hapt-dev e12 and e14: 3.5-5 cm measured in a lean or after a jolt in the opening standing,
    # no sideways move at all; main kept any measured descent of 3.5 cm or more.
    assert StepDownDetector().detect(_one_lowering(depth_m, 0.0)) == []


@pytest.mark.parametrize("depth_m,shift_m", [(0.05, 0.03), (0.10, 0.0)])
def test_a_small_descent_with_a_shift_or_a_clear_one_is_a_rep(depth_m, shift_m):
    reps = StepDownDetector().detect(_one_lowering(depth_m, shift_m))
    assert len(reps) == 1
    assert reps[0].metrics["depth_cm"] == pytest.approx(100.0 * depth_m, abs=1.0)
