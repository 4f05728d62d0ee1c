"""`band_moves.without_dips` removes the first dip, then the first dip of what is left, until none is
left; it goes on from the removed dip's left neighbour instead of starting over (issue 13: the band
walk's sweeps ask it ~900 times on a 10-min file), which must remove the same humps: removing one
can make its left neighbour a dip."""

import numpy as np

from hiplevel.exercises.band_moves import _as_large_as_a_neighbour, edge_gap, without_dips
from hiplevel.exercises.band_walk import BandWalkDetector
from hiplevel.exercises.base import Hump

RATE_HZ = 50.0


def _starting_over(p: BandWalkDetector, humps: list[Hump], v: np.ndarray) -> list[Hump]:
    """The rule as written: remove the first dip, look again from the start."""
    humps = list(humps)
    while True:
        for k, h in enumerate(humps):
            near = [humps[j] for j in (k - 1, k + 1) if 0 <= j < len(humps)
                    and edge_gap(humps[j], h) <= p.max_pause_s * RATE_HZ]
            if (near and all(n.sign != h.sign for n in near) and h.height < p.dip_ratio * max(n.height for n in near)
                    and not _as_large_as_a_neighbour(h, near, v, RATE_HZ)):
                del humps[k]
                break
        else:
            return humps


def _random_humps(rng: np.random.Generator) -> tuple[list[Hump], np.ndarray]:
    """Humps 0.2-0.8 s long, up to 0.6 s apart, of random sign and peak speed, and their velocity."""
    humps, v, t = [], np.zeros(4000), 0
    for _ in range(rng.integers(2, 25)):
        n, sign, top = int(rng.integers(10, 40)), int(rng.choice([-1, 1])), float(rng.uniform(0.03, 0.4))
        v[t : t + n] = sign * top * np.sin(np.pi * np.arange(n) / n)
        humps.append(Hump(sign, t + n // 2, top, t, t + n - 1))
        t += n + int(rng.integers(0, 30))
    return humps, v[:t]


def test_dips_removed_as_by_starting_over():
    p, rng, removed = BandWalkDetector(), np.random.default_rng(13), 0
    for _ in range(3000):
        humps, v = _random_humps(rng)
        expected = _starting_over(p, humps, v)
        assert without_dips(p, humps, v, RATE_HZ) == expected
        removed += len(humps) - len(expected)
    assert removed > 1000  # the cases remove dips, many in a row
