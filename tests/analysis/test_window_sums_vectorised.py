"""Per-window numpy calls replaced by a few calls over all windows keep numpy's values to the bit:
the turn fit's reference-window means (`turns._window_means`, numpy's row-by-row `mean(axis=0)`,
batched), the turn fit's mismatches (`turns._mismatch`, every version of every turn at once) and
the walking edges' step sways (`walking_edges.step_sways`: each step's sway sign
and signed peak, with steps whose mean lies at rounding level from zero)."""

from __future__ import annotations

import numpy as np

from hiplevel.exercises import walking_edges
from hiplevel.signal import turns


def _bits(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).view(np.int64)


def test_turn_window_means_are_numpys_means_to_the_bit(monkeypatch) -> None:
    rng = np.random.default_rng(11)
    acc = rng.normal(size=(5000, 3)) * rng.uniform(0.01, 2.0, size=(5000, 1)) + np.array([0.02, -0.1, 0.98])
    lengths = rng.integers(1, 170, 200)
    starts = np.array([int(rng.integers(0, len(acc) - n)) for n in lengths])
    eps = 1e-3
    # A small batch: the windows split over several batches of mixed lengths.
    monkeypatch.setattr(turns, "WINDOW_BATCH_SAMPLES", 700)
    got = turns._window_means(acc, starts, lengths, eps)
    for k, (s, n) in enumerate(zip(starts, lengths)):
        w = acc[s : s + n]
        want = np.r_[w.mean(axis=0), (w - [eps, 0.0, 0.0]).mean(axis=0)[0], (w - [0.0, eps, 0.0]).mean(axis=0)[1]]
        assert (_bits(got[k]) == _bits(want)).all(), (s, n)


def test_turn_mismatches_at_once_are_each_versions_own_to_the_bit() -> None:
    rng = np.random.default_rng(12)
    k = 300
    means = rng.normal(size=(k, 5, 2, 3)) * 0.05 + np.array([0.0, 0.0, 1.0])
    up0 = rng.normal(size=(k, 5, 3)) * 0.1 + np.array([0.0, 0.0, 1.0])
    up0 /= np.linalg.norm(up0, axis=-1, keepdims=True)
    rot = np.eye(3) + rng.normal(size=(k, 5, 2, 3, 3)) * 0.3
    got = turns._mismatch(means, up0, rot)
    for i in range(k):
        for v in range(5):
            # One version as the fit wrote it per turn: (3,3) @ (3,) products and np.linalg.norm.
            start = up0[i, v] + means[i, v, 0] - rot[i, v, 0] @ up0[i, v]
            start = start / np.linalg.norm(start)
            want = (means[i, v, 1] - rot[i, v, 1] @ start)[:2]
            assert (_bits(got[i, v]) == _bits(want)).all(), (i, v)


def _step_sways_one_by_one(sway: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    signs, peaks = [], []
    for a, b in zip(c[:-1], c[1:]):
        q = (b - a) // 4
        s = 1.0 if float(np.mean(sway[a + q : max(b - q, a + q + 1)])) >= 0 else -1.0
        signs.append(s)
        peaks.append(float(np.max(s * sway[a:b])))
    return np.array(signs), np.array(peaks)


def test_step_sways_are_the_per_step_signs_and_peaks() -> None:
    rng = np.random.default_rng(5)
    for trial in range(40):
        sway = np.convolve(rng.normal(size=3000), np.ones(40) / 40, mode="same") * 10 ** rng.uniform(-3, 0)
        c = np.cumsum(rng.integers(1, 120, 60)) + int(rng.integers(0, 30))
        c = c[c < len(sway)]
        # Steps whose middle half sums to zero or to rounding level: numpy's own sign decides.
        sway[c[3] : c[6]] = 0.0
        a, b = c[8], c[9]
        q = (b - a) // 4
        mid = sway[a + q : max(b - q, a + q + 1)]
        mid -= mid.mean()
        got = walking_edges.step_sways(sway, c)
        want = _step_sways_one_by_one(sway, c)
        assert (_bits(got[0]) == _bits(want[0])).all() and (_bits(got[1]) == _bits(want[1])).all(), trial
