"""`walking_posture_change.stride_tilt` normalises its window means column by column (speed: numpy's
`linalg.norm(axis=-1)` and the division by it run an inner loop three values long per row); the
tilts must be those of the row formulation to the bit, for any shape of indices."""

import numpy as np
import pytest
from analysis_helpers import noisy_up

from hiplevel.exercises.walking_posture_change import stride_tilt


def _rows_formula(up: np.ndarray, stride: int, at: np.ndarray) -> np.ndarray:
    n = len(up)
    stride = max(1, min(stride, n))
    cs = np.concatenate([np.zeros((1, 3)), np.cumsum(up, axis=0)])
    at = np.minimum(np.maximum(at, 0), n - 1)
    start = np.minimum(np.maximum(at - stride // 2, 0), n - stride)
    mm = cs[start + stride] - cs[start]
    return mm / np.maximum(np.linalg.norm(mm, axis=-1, keepdims=True), 1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_stride_tilt_is_the_rows_formula_to_the_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(30):
        n = int(rng.integers(1, 3000))
        up = noisy_up(rng, n, 0.2, 0.2, 2)
        stride = int(rng.integers(1, 300))
        tilt = stride_tilt(up, stride)
        for at in (rng.integers(-50, n + 50, 40), rng.integers(-50, n + 50, (7, 13)), np.arange(n)):
            got = tilt(at)
            assert got.shape == np.shape(at) + (3,)
            assert np.array_equal(got, _rows_formula(up, stride, at))
