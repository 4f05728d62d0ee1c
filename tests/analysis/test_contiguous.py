"""`signal.contiguous`: C-contiguous copies of sample arrays whose rows lie apart (column slices,
reversed rows), made column by column: the values, dtype and shape of numpy's own copy; a row
subtracted from every sample column by column: numpy's broadcast differences to the bit."""

import numpy as np
import pytest

from hiplevel.signal.contiguous import column_stack, concat_rows, contiguous, minus_row
from hiplevel.signal.turns import TurnErrors

SAMPLES = np.arange(70.0).reshape(10, 7) / 3.0


@pytest.mark.parametrize("view", [SAMPLES[:, 1:4], SAMPLES[::-1, :3], SAMPLES[::2, 4:], SAMPLES[:, ::-2],
                                  SAMPLES[:0, :3], SAMPLES.T[:3]])
@pytest.mark.parametrize("dtype", [None, np.float64, np.float32])
def test_a_copy_by_columns_is_numpys_copy(view, dtype):
    out, ref = contiguous(view, dtype), np.ascontiguousarray(view, dtype)
    assert out.flags.c_contiguous and out.dtype == ref.dtype and out.shape == ref.shape
    assert np.array_equal(out, ref)


def test_a_contiguous_array_is_not_copied():
    assert contiguous(SAMPLES) is SAMPLES
    one = SAMPLES[:, 2]
    assert np.array_equal(contiguous(one), one) and contiguous(one).flags.c_contiguous


@pytest.mark.parametrize("pieces", [
    [SAMPLES[:4, 1:], SAMPLES[4:, 1:].copy(), SAMPLES[:0, 1:]],
    [SAMPLES[:3, :2], SAMPLES[::-1, :2]],
    [SAMPLES[:3], SAMPLES[3:]],
    [SAMPLES[:, 0], SAMPLES[:, 1]],
    [SAMPLES[:2, :3], SAMPLES[:2, :3].astype(np.float32)],  # mixed dtypes: numpy's promotion
])
def test_rows_concatenated_as_numpy_does(pieces):
    out, ref = concat_rows(pieces), np.concatenate(pieces)
    assert out.dtype == ref.dtype and out.shape == ref.shape and np.array_equal(out, ref)


def _awkward(n: int, k: int, seed: int, big: float = 1e308) -> np.ndarray:
    """n x k values with signed zeros, subnormals, infinities, NaNs and +-big among ordinary ones."""
    x = np.random.default_rng(seed).normal(0.0, 50.0, (n, k))
    specials = np.array([0.0, -0.0, 5e-324, -5e-324, np.inf, -np.inf, np.nan, big, -big])
    x.flat[:: 7] = np.resize(specials, x.flat[:: 7].shape)
    return x


def _bits(x: np.ndarray) -> bytes:
    return np.ascontiguousarray(x, np.float64).tobytes()


@pytest.mark.parametrize("x", [_awkward(1000, 3, 1), _awkward(1000, 3, 2)[::-1], _awkward(999, 6, 3)[:, 1:4],
                               _awkward(0, 3, 4), _awkward(50, 3, 5, big=3e38).astype(np.float32), _awkward(40, 2, 6)])
def test_a_row_subtracted_by_columns_is_numpys_broadcast(x):
    row = _awkward(1, x.shape[1], 7)[0]
    row[0] = -0.0
    out = minus_row(x, row)
    ref = np.asarray(x, float) - row
    assert out.dtype == np.float64 and out.shape == ref.shape and _bits(out) == _bits(ref)


def test_turn_corrections_are_the_broadcast_ones_to_the_bit():
    """`TurnErrors.correct` column by column: the same products and differences as broadcasting the
    leak (N,1) x (2,) and the accelerometer bias over the rows."""
    gyro, acc = _awkward(2000, 3, 8), _awkward(2000, 3, 9)
    errors = TurnErrors(np.array([0.012, -0.007, 0.0]), np.array([0.0173, -0.0091]), 3)
    acc_c, gyro_c = errors.correct(acc, gyro)
    ref = gyro.copy()
    ref[:, :2] -= gyro[:, 2:3] * errors.gyro_leak
    assert _bits(gyro_c) == _bits(ref) and _bits(acc_c) == _bits(acc - errors.acc_bias_g)
    assert _bits(errors.correct_gyro(gyro[::-1])) == _bits(errors.correct_gyro(gyro[::-1].copy()))


@pytest.mark.parametrize("parts", [
    [SAMPLES[:, :3], SAMPLES[:, 3:6]],
    [SAMPLES[::-1, 1:4], SAMPLES[:, 0], SAMPLES[:, 5:]],
    [SAMPLES[:0, :3], SAMPLES[:0, 3:]],
    [SAMPLES[:, 0].astype(np.float32), SAMPLES[:, 1]],  # mixed dtypes: numpy's promotion
    [SAMPLES, SAMPLES[:, :2]],  # wider than MAX_COLUMNS
])
def test_columns_stacked_as_numpy_does(parts):
    out, ref = column_stack(parts), np.column_stack(parts)
    assert out.dtype == ref.dtype and out.shape == ref.shape and out.flags.c_contiguous
    assert out.tobytes() == ref.tobytes()
