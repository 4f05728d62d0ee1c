"""`units.gyro_per_g` sums its 2 s windows over (n, k, 3) rows (speed: numpy's `var(axis=1)` and
`mean(axis=1)` of the (k, n, 3) windows run an inner loop three values long per sample); the
ratio must be the one of that (k, n, 3) formulation to the bit, whatever the rate, the length and
the scale of the values."""

import numpy as np
import pytest

from hiplevel.signal.exact_median import median
from hiplevel.signal.units import MIN_MOTION_WINDOWS, MOTION_MIN_G, WINDOW_S, gyro_per_g


def _windows_formula(acc: np.ndarray, gyro: np.ndarray, rate_hz: float) -> float | None:
    n = max(2, int(round(WINDOW_S * rate_hz)))
    k = len(acc) // n
    if k < MIN_MOTION_WINDOWS:
        return None
    a, g = acc[: k * n].reshape(k, n, 3), gyro[: k * n].reshape(k, n, 3)
    a_rms = np.sqrt(a.var(axis=1).sum(axis=1))
    g_rms = np.sqrt((g * g).mean(axis=1).sum(axis=1))
    moving = a_rms >= MOTION_MIN_G
    if moving.sum() < MIN_MOTION_WINDOWS:
        return None
    return float(median(g_rms[moving] / a_rms[moving]))


@pytest.mark.parametrize("seed", range(4))
def test_gyro_per_g_is_the_windows_formula_to_the_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(40):
        rate = float(rng.choice([40.0, 50.0, 100.0, 104.2, 200.0, 250.0]))
        m = int(rng.integers(2, 4000))
        scale = 10.0 ** rng.integers(-3, 3)
        acc = (rng.normal(0.0, 0.2, (m, 3)) + rng.normal(0.0, 1.0, 3)) * scale
        gyro = rng.normal(0.0, 30.0, (m, 3)) * scale + rng.normal(0.0, 2.0, 3)
        got, want = gyro_per_g(acc, gyro, rate), _windows_formula(acc, gyro, rate)
        assert (got is None and want is None) or got == want


def test_gyro_per_g_of_column_slices() -> None:
    """Column slices of a (N, 6) block, as a source hands samples on."""
    rng = np.random.default_rng(9)
    block = np.column_stack([rng.normal(0.0, 0.2, (6000, 3)) + [0.0, 0.0, 1.0], rng.normal(0.0, 40.0, (6000, 3))])
    got = gyro_per_g(block[:, :3], block[:, 3:], 100.0)
    assert got is not None and got == _windows_formula(block[:, :3], block[:, 3:], 100.0)
