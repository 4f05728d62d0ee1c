"""The halts of a band walk's lateral velocity where a drift against the way hides a small trail
(`exercises.band_crests`): two crests against the way with the trail's dip between them are the
step's two halts; a single crest, or a counter-shift rising out of a pause, is none."""

from __future__ import annotations

import numpy as np

from hiplevel.exercises.band_crests import crests, hidden_trail_halts

RATE_HZ = 100.0


def _bump(t: np.ndarray, centre_s: float, width_s: float, peak_mps: float) -> np.ndarray:
    """A smooth move's speed (m/s): a raised cosine of the given width and peak."""
    x = np.clip((t - centre_s) / width_s, -0.5, 0.5)
    return peak_mps * 0.5 * (1.0 + np.cos(2.0 * np.pi * x))


def _leads_with(inner: list[tuple[float, float, float]], drift_mps: float) -> tuple[np.ndarray, int, int]:
    """Velocity (m/s) of two leads the way + (peaks at 0.4 and 2.4 s, 0.2 m/s) with `inner` moves
    (centre s, width s, peak m/s; negative: against the way) between them, all read through a drift
    against the way; and the leads' peak indices."""
    t = np.arange(0.0, 2.8, 1.0 / RATE_HZ)
    v = _bump(t, 0.4, 0.8, 0.2) + _bump(t, 2.4, 0.8, 0.2) - drift_mps
    for c, w, pk in inner:
        v += _bump(t, c, w, pk)
    return v, 40, 240


def test_a_trail_the_drift_hides_parts_two_crests_the_halts_of_its_step():
    # 81 % lead: the trail (0.04 m/s, 0.9 s) under the drift (0.07 m/s against the way).
    v, a, b = _leads_with([(1.4, 0.9, 0.04)], drift_mps=0.07)
    assert float(np.max(v[a + 50 : b - 50])) < 0.0  # the trail never reads the way
    halts = hidden_trail_halts(v, a, b, +1)
    assert halts is not None
    first, second = halts
    assert 0.75 <= first / RATE_HZ <= 0.95 and 1.85 <= second / RATE_HZ <= 2.05  # where the moves end and start


def test_one_crest_between_two_moves_is_no_hidden_trail():
    v, a, b = _leads_with([], drift_mps=0.05)  # one move a step: one halt
    assert len(crests(v, a, b, +1)) == 1
    assert hidden_trail_halts(v, a, b, +1) is None


def test_a_counter_shift_rising_out_of_a_pause_is_no_hidden_trail():
    # A pause read through the drift, then a counter-shift against the way before the next lead:
    # the velocity climbs from the pause to the counter-shift's crest without a valley below both.
    v, a, b = _leads_with([(1.9, 0.5, -0.06)], drift_mps=0.03)
    assert hidden_trail_halts(v, a, b, +1) is None


def test_two_moves_back_faster_than_a_drift_are_no_hidden_trail():
    # Stepping aside and back without standing between (hiplevel.sim's stepping-about scene): the
    # same shape as a hidden trail, but the humps back move at a step's speed, not a drift's.
    v, a, b = _leads_with([(1.0, 0.5, -0.19), (1.8, 0.5, -0.17)], drift_mps=0.0)
    assert hidden_trail_halts(v, a, b, +1) is None
    slow, _, _ = _leads_with([(1.0, 0.5, -0.07), (1.8, 0.5, -0.06)], drift_mps=0.0)
    assert hidden_trail_halts(slow, a, b, +1) is not None  # the same at a drift's speed
