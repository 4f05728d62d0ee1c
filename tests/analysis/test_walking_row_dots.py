"""The walking detector's upward acceleration (`walking_motion.vertical_acc_g`) takes the rows' dot
products column by column (`row_dots`): the same bits as numpy's einsum("ij,ij->i"), which made
one inner-loop call per row of three."""

import warnings

import numpy as np
import pytest

from hiplevel.exercises.walking_motion import einsum_order_ok, row_dots, vertical_acc_g


def _einsum(a, b):
    return np.einsum("ij,ij->i", a, b)


@pytest.mark.parametrize("seed", range(3))
def test_row_dots_equal_einsum_to_the_bit(seed):
    assert einsum_order_ok()  # this numpy sums as row_dots does (otherwise row_dots is einsum itself)
    rng = np.random.default_rng(seed)
    for n in (0, 1, 2, 3, 7, 100, 50_003):
        a = rng.normal(size=(n, 3)) * np.exp2(rng.integers(-30, 30, (n, 3)))
        b = rng.normal(size=(n, 3))
        if n >= 8:
            # Signed zeros (einsum's zero start makes a -0 sum +0), infinities, NaN, huge and
            # subnormal products.
            a[:8] = [[-0.0, -0.0, -0.0], [-0.0, 0.0, -0.0], [np.nan, 1, 2], [np.inf, -np.inf, 0],
                     [1e308, 1e308, -1e308], [5e-324, 0, -5e-324], [1, -1, 0], [-1e-300, 1e-300, -1e-300]]
            b[:8] = [[1, 1, 1], [-1, 2, 3], [1, 1, 1], [1, 1, 1], [2, 2, 1], [1, 1, 1], [1, 1, 1], [1e-20, 1e-20, 1e-20]]
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # einsum warns of no invalid or overflowing sums: nor does row_dots
            got = row_dots(a, b)
        assert got.tobytes() == _einsum(a, b).tobytes()
    # Strided columns (a view of wider rows), as a motion's arrays may be.
    wide = rng.normal(size=(1000, 6))
    assert row_dots(wide[:, 1:4], wide[:, 3:]).tobytes() == _einsum(wide[:, 1:4], wide[:, 3:]).tobytes()


def test_upward_acceleration_is_the_einsum_projection():
    # Two simulated walks with turns: the contact signal's projection on the up-vectors as before.
    from analysis_helpers import two_turning_walks_motion

    m = two_turning_walks_motion(1)
    assert len(m.t_s) > 1000
    assert vertical_acc_g(m).tobytes() == _einsum(m.acc_lin_g, m.up).tobytes()


def test_posture_cosines_equal_einsum_to_the_bit():
    # The posture test's cosines between each contact's tilt and the tilts around it
    # (`walking_posture_change.tilt_moves_deg`: einsum("kmi,ki->km") before).
    rng = np.random.default_rng(5)
    for k, m in ((1, 1), (3, 7), (50, 41), (200, 121)):
        both = rng.normal(size=(k, m, 3))
        both /= np.linalg.norm(both, axis=-1, keepdims=True)
        here = np.ascontiguousarray(both[:, 0])
        assert row_dots(both, here[:, None]).tobytes() == np.einsum("kmi,ki->km", both, here).tobytes()


def test_stride_tilt_sums_in_place():
    from hiplevel.exercises.walking_posture_change import stride_tilt

    rng = np.random.default_rng(2)
    up = rng.normal(size=(5000, 3))
    at = stride_tilt(up, 120)(np.arange(-10, 5010))
    cs = np.concatenate([np.zeros((1, 3)), np.cumsum(up, axis=0)])  # as it was made
    start = np.clip(np.clip(np.arange(-10, 5010), 0, 4999) - 60, 0, 5000 - 120)
    mm = cs[start + 120] - cs[start]
    want = mm / np.maximum(np.sqrt((mm[:, 0] ** 2 + mm[:, 1] ** 2) + mm[:, 2] ** 2), 1e-12)[:, None]
    assert at.tobytes() == want.tobytes()
