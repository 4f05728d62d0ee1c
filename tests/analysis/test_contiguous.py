"""`signal.contiguous`: C-contiguous copies of sample arrays whose rows lie apart (column slices,
reversed rows), made column by column: the values, dtype and shape of numpy's own copy."""

import numpy as np
import pytest

from hiplevel.signal.contiguous import concat_rows, contiguous

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
