"""The walking detector's tilt-rate test reads the tilt rate against its limit only
(`walking_posture.tilt_rate_vs`: hypot near the limit, 0 / inf clearly under / over it): the same
contacts as the full hypot of the roll and pitch rates."""

import numpy as np
import pytest

from hiplevel.exercises.walking_posture import slow_tilt_contacts, tilt_rate_vs


@pytest.mark.parametrize("limit", [80.0, 1.0, 123.456, 1e-50, 1e120])
def test_tilt_rate_vs_decides_as_hypot(limit):
    rng = np.random.default_rng(7)
    n = 20_000
    rates = rng.normal(size=(n, 2)) * limit * rng.choice([0.3, 1.0, 3.0], (n, 1))
    ang = rng.uniform(0.0, 2 * np.pi, 3000)  # on the limit's circle: sums of squares within ulps of it
    rates[:3000] = limit * np.c_[np.cos(ang), np.sin(ang)]
    rates[3000:3010] = [[limit, 0], [0, -limit], [np.nan, 1], [np.inf, np.nan], [np.nan, np.nan], [-np.inf, 0],
                        [0, 0], [-0.0, -0.0], [1e200, 1e200], [np.nextafter(limit, 0), 0]]
    full, vs = np.hypot(rates[:, 0], rates[:, 1]), tilt_rate_vs(rates, limit)
    assert np.array_equal(full <= limit, vs <= limit)
    assert np.array_equal(full > limit, vs > limit)
    assert np.array_equal(np.isnan(full), np.isnan(vs))
    near = np.flatnonzero(np.abs(full - limit) <= 1e-12 * limit)
    assert len(near) > 100 and np.array_equal(vs[near], full[near])  # the exact value where it counts
    for _ in range(20):
        peaks = np.sort(rng.choice(n, 800, replace=False))
        assert np.array_equal(slow_tilt_contacts(peaks, full, 100.0, limit, 4, 1.5, 1.4),
                              slow_tilt_contacts(peaks, vs, 100.0, limit, 4, 1.5, 1.4))
