"""The compiled `round_places` (`hiplevel._native.roundkernel`) is round(x, places) to the bit: the
same value, sign of zero and type, ties to even on the exact binary value, NaN and infinities,
huge values, other places and other number types (handed to their own __round__)."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest

from hiplevel._native import _kernel, round_function

kernel = _kernel("roundkernel", ("round_places",))
pytestmark = pytest.mark.skipif(kernel is None, reason="roundkernel not built")


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    return a == b


def _values() -> list[float]:
    rng = np.random.default_rng(13)
    x = [0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 2.675, 1.005, 0.285, 1.0000000000000002, 5e-324,
         -5e-324, 1e-300, 1e300, -1e300, 4503599627370495.5, 4503599627370496.0, 2.0**52 / 1e3, float("nan"),
         float("inf"), -float("inf"), 123456.789, -0.0004, -0.0005, -0.0006, 0.0005, 99.995, 99.994999999999, 0.045]
    x += rng.normal(0, 5, 20_000).tolist()  # drops, deg
    x += (rng.uniform(0, 90_000, 20_000)).tolist()  # times over a day, s
    x += (rng.integers(-10**6, 10**6, 20_000) / 2000).tolist()  # decimal ties and near-ties at 3 places
    x += (rng.integers(-10**5, 10**5, 5_000) / 200 + rng.choice([-1, 1], 5_000) * 1e-15).tolist()
    x += np.nextafter(np.arange(-500, 500) / 20 + 0.025, np.inf).tolist() + np.nextafter(np.arange(-500, 500) / 20 + 0.025, -np.inf).tolist()
    x += (10.0 ** rng.uniform(-20, 20, 5_000) * rng.choice([-1, 1], 5_000)).tolist()
    return x


@pytest.mark.parametrize("places", [0, 1, 2, 3, 6, 15])
def test_round_places_is_round_to_the_bit(places: int) -> None:
    bad = [x for x in _values() if not _same(kernel.round_places(x, places), round(x, places))]
    assert not bad, bad[:5]


def test_round_places_hands_everything_else_to_round() -> None:
    for x, places in ((2.675, 16), (2.675, 30), (12345.678, -2), (1e300, -400), (7, 2), (True, 1),
                      (np.float64(2.675), 2), (np.float32(0.125), 2), (7.25, np.int64(1))):
        assert _same(kernel.round_places(x, places), round(x, places)), (x, places)
    assert math.isnan(kernel.round_places(float("nan"), 3))
    with pytest.raises(TypeError):
        kernel.round_places("1.5", 1)
    with pytest.raises(TypeError):
        kernel.round_places(1.5)


def test_round_function_is_the_kernel_unless_switched_off(monkeypatch) -> None:
    assert round_function() is kernel.round_places
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    assert round_function() is round
