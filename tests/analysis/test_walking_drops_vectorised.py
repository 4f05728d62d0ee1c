"""The walking detector measures its steps' drops from one reduction over the roll
(`window_extremes`, `_signed_drop_of_extremes`) with `signed_drop_deg`'s values to the bit,
windows outside the roll and empty ones included."""

from __future__ import annotations

import numpy as np

from hiplevel.exercises.walking_drops import _signed_drop_of_extremes, signed_drop_deg, window_extremes


def test_drops_from_window_extremes_are_signed_drop_deg_to_the_bit() -> None:
    rng = np.random.default_rng(3)
    roll = rng.normal(size=500) * 4.0
    a = rng.integers(-5, 500, 300).tolist() + [0, 10, 499, 500, 20]
    b = [x + int(w) for x, w in zip(a, rng.integers(-3, 60, 300))] + [500, 10, 500, 505, 19]
    hi, lo = window_extremes(roll, a, b)
    for k, (x, y) in enumerate(zip(a, b)):
        offset = float(rng.normal() * 2.0) if k % 3 else 0.0
        for side in ("left", "right"):
            got = _signed_drop_of_extremes(hi[k], lo[k], offset, side)
            want = signed_drop_deg(roll[x:y] - offset, side)
            assert np.float64(got).view(np.int64) == np.float64(want).view(np.int64), (x, y, side)
