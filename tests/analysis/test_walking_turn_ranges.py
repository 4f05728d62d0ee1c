"""`walking_turns.run_turns_deg` takes the runs' heading ranges as arrays from the two window
reductions (no per-window lists): each run's range as its definition reads, to the bit."""

import numpy as np
import pytest

from hiplevel.exercises.walking_turns import run_turns_deg


def _one_by_one(yaw, c, rate_hz, steps, pad_s=0.5):
    pad = int(round(pad_s * rate_hz))
    lo, hi = max(0, int(c[0]) - pad), min(len(yaw), int(c[-1]) + pad + 1)
    heading = np.cumsum(yaw[lo:hi]) / rate_hz
    out = []
    for s in steps:
        r = [np.max(heading[max(0, a - lo - pad): min(b - lo + pad + 1, len(heading))])
             - np.min(heading[max(0, a - lo - pad): min(b - lo + pad + 1, len(heading))]) for a, b in zip(c[:-s], c[s:])]
        out.append(np.array(r, dtype=float))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_run_turns_are_each_window_range(seed):
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n = int(rng.integers(5, 600))
        yaw = rng.normal(0.0, 40.0, n)
        c = np.sort(rng.choice(n, int(rng.integers(1, min(n, 30))), replace=False))
        for steps in ((2, 1), (1,), (3, 2, 1)):
            got, want = run_turns_deg(yaw, c, 100.0, steps), _one_by_one(yaw, c, 100.0, steps)
            assert len(got) == len(want)
            for g, w in zip(got, want):
                assert g.dtype == np.float64 and g.tobytes() == w.tobytes()


def test_turn_rate_at_contacts_is_the_moving_mean_there(monkeypatch):
    # `StanceSideDecider.repeat_probs` reads the bout's 1 s mean yaw rate at its contacts alone
    # (`walking_side.moving_mean_at`): the whole moving mean's values there, compiled and numpy-only.
    from hiplevel.exercises.walking_side import moving_mean_at
    from hiplevel.signal import filters

    rng = np.random.default_rng(4)
    cases = []
    for _ in range(500):
        n = int(rng.integers(1, 700))
        x = rng.normal(size=(n + 3, 3))[:n, 2] * np.exp2(rng.integers(-8, 8, n)) * 50.0  # a strided column
        cases.append((x, int(rng.integers(1, 250)), np.sort(rng.integers(0, n, int(rng.integers(0, 25))))))
    for x, w, at in cases:
        assert moving_mean_at(x, w, at).tobytes() == filters.moving_mean(x, w)[at].tobytes()
    monkeypatch.setattr(filters, "rest_kernel", lambda: None)
    for x, w, at in cases[:100]:
        assert moving_mean_at(x, w, at).tobytes() == filters.moving_mean(x, w)[at].tobytes()
