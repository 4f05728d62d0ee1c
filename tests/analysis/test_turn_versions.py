"""The turn fit's three gyro versions per turn (`turns._gyro_versions`, `turns._window_rotations`)
against the former formulation: each leak version corrected by `TurnErrors.correct_gyro`, the
versions interleaved turn by turn, each batch concatenated and converted by `radians`. The scan's
batches must hold the same rows in the same order (its running sums go on across a batch), so the
window means are the same to the bit, and so are the turn fit's rows of a simulated walk. The compiled
kernel (`turnkernel.turn_windows`: versions, products and window means in one call) gives those
window means to the bit; bad arguments raise instead of reading past an array."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel._native import turn_kernel
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
    monkeypatch.setattr(turns, "turn_kernel", lambda: None)  # the versions laid out (the kernel lays none)
    again = turn_observations(s.acc_g, s.gyro_dps, up, 100.0)
    assert obs.n_turns == again.n_turns
    np.testing.assert_array_equal(_bits(obs.jac), _bits(again.jac))
    np.testing.assert_array_equal(_bits(obs.rhs), _bits(again.rhs))


needs_kernel = pytest.mark.skipif(not hasattr(turn_kernel(), "turn_windows"),
                                  reason="the compiled turn kernel is not built here (no C compiler when the "
                                  "package was installed) or was built before turn_windows: the laid-out path is used")


@needs_kernel
@pytest.mark.parametrize("seed", range(3))
def test_the_compiled_turn_windows_are_the_laid_out_versions_to_the_bit(seed: int) -> None:
    """`_version_rotations` (the kernel) against `_gyro_versions` then `_window_rotations` (the versions
    laid out, `turnkernel.segment_steps`): batches that split a turn's versions, a turn longer than a
    batch, overlapping segments, windows that meet, exact zeros and -0, and rates past the small-angle
    polynomials (> 0.3 rad a sample: the C library's sine and cosine)."""
    rng = np.random.default_rng(seed)
    gyro = rng.normal(0.0, 40.0, (40_000, 3))
    gyro[rng.integers(0, len(gyro), 300), rng.integers(0, 3, 300)] = -0.0
    gyro[rng.integers(0, len(gyro), 300), rng.integers(0, 3, 300)] = 0.0
    gyro[rng.integers(0, len(gyro), 200)] = 0.0
    fast = rng.integers(0, len(gyro), 400)
    gyro[fast] = rng.normal(0.0, 3000.0, (400, 3))
    spans, refs = [], []
    for _ in range(60):
        h, t = (int(x) for x in rng.integers(1, 160, 2))
        a = int(rng.integers(h, 30_000))
        spans.append((a, a + int(rng.integers(0, 900))))
        refs.append((h, t))
    spans.append((1000, 21_000)), refs.append((40, 3))  # longer than a batch and than the kept scratch
    spans.append((500, 500)), refs.append((1, 1))  # head and tail windows meet
    gyro = gyro * 1.0  # C-contiguous float64, as the fit passes it
    new = turns._version_rotations(gyro, spans, refs, 100.0, 1e-3)
    w, lens3 = turns._gyro_versions([gyro[a - h : b + t] for (a, b), (h, t) in zip(spans, refs)], 1e-3)
    old = turns._window_rotations(w, 100.0, lens3, np.repeat(np.array(refs, dtype=np.int64), 3, axis=0))
    np.testing.assert_array_equal(_bits(new), _bits(old))


@needs_kernel
def test_turn_windows_bad_arguments_raise() -> None:
    kernel, g = turn_kernel(), np.zeros((100, 3))

    def call(starts, lengths, refs, out=None):
        out = np.empty((3 * len(starts), 2, 3, 3)) if out is None else out
        kernel.turn_windows(g, np.array(starts, np.int64), np.array(lengths, np.int64), np.array(refs, np.int64),
                            1e-3, 0.017, 0.01, 16_384, out)

    call([0, 50], [50, 50], [[1, 1], [25, 25]])
    for bad in (([60], [50], [[1, 1]]), ([-1], [10], [[1, 1]]), ([0], [10], [[0, 1]]), ([0], [10], [[6, 5]])):
        with pytest.raises(ValueError):
            call(*bad)
    with pytest.raises(ValueError):  # out too short
        call([0], [10], [[1, 1]], np.empty((2, 2, 3, 3)))


@needs_kernel
def test_the_compiled_window_means_are_numpys_to_the_bit(monkeypatch) -> None:
    """`turns._window_means` with `turnkernel.window_means` and with numpy's gathered running sums:
    windows of one sample to a few hundred, overlapping, at the array's ends, more than a batch."""
    rng = np.random.default_rng(7)
    acc = rng.normal(0.0, 0.3, (20_000, 3)) + np.array([0.01, -0.02, 1.0])
    lengths = np.r_[1, 2, rng.integers(1, 400, 700), 19_999].astype(np.int64)
    starts = np.array([int(rng.integers(0, len(acc) - n + 1)) for n in lengths], dtype=np.int64)
    starts[0], starts[1] = 0, len(acc) - 2

    def run():
        return turns._window_means(acc, starts, lengths, 1e-3)

    native = run()
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    np.testing.assert_array_equal(_bits(native), _bits(run()))
    monkeypatch.delenv("HIPLEVEL_NO_NATIVE")
    with pytest.raises(ValueError):  # a window past the end
        turn_kernel().window_means(acc, np.array([len(acc) - 1], np.int64), np.array([2], np.int64), 1e-3,
                                   np.empty((1, 5)))
