"""`signal.angle_units`: degrees to radians and back as plain multiplies, np.radians and np.degrees
to the bit (numpy's own are x * (pi / 180) and x * (180 / pi), one rounding each)."""

import numpy as np
import pytest

from hiplevel.signal.angle_units import degrees, radians


def _values(dtype) -> np.ndarray:
    rng = np.random.default_rng(11)
    finfo = np.finfo(dtype)
    x = np.concatenate([rng.normal(0.0, 200.0, 200_000), rng.uniform(-1.0, 1.0, 20_000) * float(finfo.max),
                        rng.uniform(-1.0, 1.0, 20_000) * float(finfo.smallest_subnormal) * 64,
                        [0.0, -0.0, np.inf, -np.inf, np.nan, float(finfo.smallest_subnormal), float(finfo.tiny)]])
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conversions_are_numpys_to_the_bit(dtype):
    x = _values(dtype)
    with np.errstate(over="ignore"):
        for ours, numpys in ((radians, np.radians), (degrees, np.degrees)):
            out, ref = ours(x), numpys(x)
            assert out.dtype == ref.dtype and out.tobytes() == ref.tobytes()
            rows = x[: 3 * 1000].reshape(1000, 3)[::-1, 1:]  # a strided view
            assert ours(rows).tobytes() == numpys(rows).tobytes()


def test_scalars_and_lists_convert_as_numpy_does():
    for x in (1.0, -0.0, 90, [0.0, 45.0, -180.0]):
        for ours, numpys in ((radians, np.radians), (degrees, np.degrees)):
            out, ref = ours(x), numpys(x)
            out, ref = np.asarray(out), np.asarray(ref)
            assert out.dtype == ref.dtype and out.tobytes() == ref.tobytes()
