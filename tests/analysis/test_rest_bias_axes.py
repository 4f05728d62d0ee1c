"""`rest_bias.run_bias` works axis by axis on (3, N) rows (speed: numpy's (N,3) reductions run
inner loops three values long); its results must be those of the (N,3) formulation to the bit,
the formula the module docstring states, whatever the run's length, rate, clock jitter and the
layout of its arrays (column slices of a (N,6) block, as a store or a reader hands them on)."""

import numpy as np
import pytest

from hiplevel.signal.angle_units import degrees
from hiplevel.signal.exact_median import median
from hiplevel.signal.rest_bias import RESIDUAL_SMOOTH_S, run_bias


def _rows_formula(t: np.ndarray, acc: np.ndarray, gyro: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """The fit as (N,3) numpy: (bias deg/s, residual deg, up)."""
    u = acc / np.linalg.norm(acc, axis=1, keepdims=True)
    u0 = u.mean(axis=0)
    u0 /= np.linalg.norm(u0)
    dt = np.diff(t, prepend=t[0] - (t[-1] - t[0]) / max(1, len(t) - 1))
    d = np.cumsum(gyro * dt[:, None], axis=0) - degrees(np.cross(u - u0, u0))
    d -= np.outer(d @ u0, u0)
    tc = t - t.mean()
    slope = (tc @ (d - d.mean(axis=0))) / float(tc @ tc)
    e = d - d.mean(axis=0) - np.outer(tc, slope)
    w = int(max(1, min(len(e), round(RESIDUAL_SMOOTH_S / float(median(dt))))))
    c = np.cumsum(np.vstack([np.zeros((1, 3)), e]), axis=0)
    resid = (c[w:] - c[:-w]) / w
    along = float(gyro.mean(axis=0) @ u0)
    bias = slope - np.dot(slope, u0) * u0 + along * u0
    return bias, float(np.sqrt(np.mean(np.sum(resid**2, axis=1)))), u0


@pytest.mark.parametrize("seed", range(6))
def test_run_bias_is_the_rows_formula_to_the_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for k in range(60):
        n = int(rng.integers(3, 2500))
        rate = float(rng.choice([50.0, 100.0, 104.2, 200.0]))
        t = 5.0 + np.arange(n) / rate + (rng.normal(0.0, 2e-4, n) if k % 2 else 0.0)
        acc = rng.normal(0.0, 0.02, (n, 3)) + rng.normal(0.0, 1.0, 3)
        gyro = rng.normal(0.0, 2.0, (n, 3)) + rng.normal(0.0, 3.0, 3)
        if k % 3 == 0:  # strided columns of one (N,6) block
            block = np.hstack([acc, gyro])
            acc, gyro = block[:, :3], block[:, 3:]
        run = run_bias(t, acc, gyro)
        bias, residual, up = _rows_formula(t, acc, gyro)
        assert run.bias_dps.tobytes() == bias.tobytes()
        assert run.residual_deg == residual
        assert run.up.tobytes() == up.tobytes()
