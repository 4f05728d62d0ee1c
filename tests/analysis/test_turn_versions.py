"""The turn fit's three gyro versions per turn (`turns._gyro_versions`, `turns._window_rotations`)
against the former formulation: each leak version corrected by `TurnErrors.correct_gyro`, the
versions interleaved turn by turn, each batch concatenated and converted by `radians`. The scan's
batches must hold the same rows in the same order (its running sums go on across a batch), so the
window means are the same to the bit, and so are the turn fit's rows of a simulated walk."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal import turns
from hiplevel.signal.angle_units import radians
from hiplevel.signal.turns import SCAN_BATCH_SAMPLES, TurnErrors, turn_observations


def _former_rotations(segs: list[np.ndarray], eps: float, rate_hz: float, refs: list) -> np.ndarray:
    """The window means as `turn_observations` took them up to stop 40."""
    from hiplevel.signal.scan import segment_window_means

    basis = [TurnErrors(np.zeros(3), np.eye(2)[k] * eps, 0) for k in (0, 1)]
    versions = [g for seg in segs for g in (seg, *(e.correct_gyro(seg) for e in basis))]
    refs3 = [r for r in refs for _ in range(3)]
    out, k = [], 0
    while k < len(versions):
        j, total = k, 0
        while j < len(versions) and (j == k or total + len(versions[j]) <= SCAN_BATCH_SAMPLES):
            total += len(versions[j])
            j += 1
        lengths = np.array([len(g) for g in versions[k:j]])
        out.append(segment_window_means(radians(np.concatenate(versions[k:j])), 1.0 / rate_hz, lengths,
                                        refs3[k:j]))
        k = j
    return np.concatenate(out)


def _former_versions(segs: list[np.ndarray], eps: float) -> np.ndarray:
    """All the former batches' rows end to end (`radians` is elementwise)."""
    basis = [TurnErrors(np.zeros(3), np.eye(2)[k] * eps, 0) for k in (0, 1)]
    return radians(np.concatenate([g for seg in segs for g in (seg, *(e.correct_gyro(seg) for e in basis))]))


def _bits(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.float64).view(np.int64)


@pytest.mark.parametrize("seed", range(3))
def test_gyro_versions_give_the_former_window_means(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Enough turns of realistic lengths for several batches, one longer than a batch; rates of a
    # walk with turns, exact zeros and -0 on every axis (a zero rate about a coordinate axis).
    lengths = np.r_[rng.integers(200, 700, 90), SCAN_BATCH_SAMPLES + 17]
    refs = [(int(rng.integers(1, 150)), int(rng.integers(1, 150))) for _ in lengths]
    gyro = rng.normal(0.0, 40.0, (int(lengths.sum()), 3))
    gyro[rng.integers(0, len(gyro), 300), rng.integers(0, 3, 300)] = -0.0
    gyro[rng.integers(0, len(gyro), 300), rng.integers(0, 3, 300)] = 0.0
    cuts = np.r_[0, np.cumsum(lengths)]
    segs = [gyro[a:b] for a, b in zip(cuts[:-1], cuts[1:])]
    w, lens3 = turns._gyro_versions(segs, 1e-3)
    assert w.flags.c_contiguous and lens3.tolist() == np.repeat(lengths, 3).tolist()
    new = turns._window_rotations(w, 100.0, lens3, np.repeat(np.array(refs, dtype=np.int64), 3, axis=0))
    np.testing.assert_array_equal(_bits(new), _bits(_former_rotations(segs, 1e-3, 100.0, refs)))
    # The rates themselves equal (-0 == 0: the former g - g_z * 0 turned -0 into +0 where g_z < 0).
    np.testing.assert_array_equal(w, _former_versions(segs, 1e-3))


def test_a_walks_turn_rows_are_the_former_ones(monkeypatch) -> None:
    from hiplevel.signal.fusion import FusionSettings, fuse_passes
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    s = simulate_session(SessionSpec([ExerciseSpec("walking", reps=80, turn_every_steps=10)], rate_hz=100.0,
                                     seed=4)).imu
    up = fuse_passes(s.t_s, s.acc_g, s.gyro_dps, np.zeros(len(s.t_s), bool), FusionSettings())
    obs = turn_observations(s.acc_g, s.gyro_dps, up, 100.0)
    assert obs.n_turns >= 4

    def former(segs, eps):
        return _former_versions(segs, eps), np.repeat(np.array([len(g) for g in segs], dtype=np.int64), 3)

    monkeypatch.setattr(turns, "_gyro_versions", former)
    again = turn_observations(s.acc_g, s.gyro_dps, up, 100.0)
    assert obs.n_turns == again.n_turns
    np.testing.assert_array_equal(_bits(obs.jac), _bits(again.jac))
    np.testing.assert_array_equal(_bits(obs.rhs), _bits(again.rhs))
