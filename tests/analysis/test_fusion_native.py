"""The compiled fusion pass, pass blend, accelerometer fraction and gyro-only window means
(`fusekernel.fuse_pass`, `fusekernel.blend`, `fusekernel.accel_fraction`, `turnkernel.segment_steps`)
against the numpy path: the blend and the accelerometer fraction to the bit; the fusion pass and the
gyro-only products (the blocked scans' recurrences step by step, whose products associate
otherwise) within a few units in the last place:
`fuse_passes` over several scan groups with a padded tail, rest and no rest, the turn weighting and
the tolerance switched off; `segment_products` and `segment_window_means` of segments laid end to
end; the turn fit of a simulated walk with turns. Bad arguments raise instead of reading past an
array."""

from __future__ import annotations

import types

import numpy as np
import pytest
from analysis_helpers import native_and_numpy

from hiplevel._native import fuse_kernel, scan_kernel, turn_kernel
from hiplevel.signal import fusion_scan, scan
from hiplevel.signal.fusion import FusionSettings, fuse_passes

needs_kernel = pytest.mark.skipif(None in (scan_kernel(), fuse_kernel(), turn_kernel()),
                                  reason="the compiled scan, fusion and turn kernels are not built here "
                                  "(no C compiler when the package was installed): the numpy path is used")


def _same(x: np.ndarray, y: np.ndarray) -> None:
    assert x.shape == y.shape
    np.testing.assert_array_equal(np.asarray(x).view(np.int64), np.asarray(y).view(np.int64))


# The step-by-step pass against the blocked scans: unit up-vectors within this. Where the accelerometer
# corrects the state the roundings do not add up (2-3 units in the last place of 1 on a 70 s walk);
# with it never used (no tolerance) they do, as a random walk: 3.6e-15 after 8,000 samples. A wrong
# step (a missed renormalisation, the norm taken at the wrong sample, a term of the wrong pass) is
# 1e-6 or more off.
PASS_ATOL = 1e-13
# The gyro-only products step by step against numpy's blocked ones: rotation matrices (entries <= 1)
# with no accelerometer to hold the roundings, over segments of up to ~5,000 samples (a random walk
# of them: measured up to 3.3e-14). A wrong step (a restart missed, a window sum off by a sample) is
# 1e-4 or more off.
GYRO_ATOL = 1e-12


def _close(x: np.ndarray, y: np.ndarray, atol: float = PASS_ATOL) -> None:
    assert x.shape == y.shape
    np.testing.assert_allclose(x, y, rtol=0.0, atol=atol)


def _samples(seed: int, n: int):
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.009, 0.011, n))
    acc = rng.normal(0, 0.15, (n, 3)) + [0.0, 0.05, 1.0]
    acc[::97] *= 1.4  # impacts beyond the tolerance: k = 0
    gyro = rng.normal(0, 40.0, (n, 3))
    gyro[: n // 5] *= 0.01  # a quiet start
    rest = np.zeros(n, bool)
    rest[: n // 5] = True
    # The per-sample terms' selects: no acceleration (|a| = 0: no pull), no rotation (|w| = 0: the
    # Rodrigues axis 0), both at once, at rest and moving.
    acc[[5, 9, n // 2]] = 0.0
    gyro[[7, 9, n // 2 + 1]] = 0.0
    return t, acc, gyro, rest


@needs_kernel
@pytest.mark.parametrize("settings", [FusionSettings(), FusionSettings(turn_rate_dps=0.0, rest_acc_time_constant_s=0.0),
                                      FusionSettings(acc_tolerance_g=0.0), FusionSettings(acc_time_constant_s=0.0)])
def test_the_compiled_fusion_passes_are_the_numpy_passes(monkeypatch, settings) -> None:
    n = scan.SCAN_BLOCK * scan.SCAN_GROUP * 2 + 64 * 5 + 13  # three groups, a padded last block
    t, acc, gyro, rest = _samples(1, n)
    native, numpy_only = native_and_numpy(monkeypatch, lambda: fuse_passes(t, acc, gyro, rest, settings))
    _close(native, numpy_only)
    # No rest at all (each pass starts from the accelerometer's mean), a short chunk; one sample.
    for m in (130, 1):
        native, numpy_only = native_and_numpy(monkeypatch, lambda: fuse_passes(t[:m + 1], acc[:m + 1], gyro[:m + 1],
                                                                               np.zeros(m + 1, bool), settings))
        _close(native, numpy_only)


@needs_kernel
@pytest.mark.parametrize("settings", [FusionSettings(), FusionSettings(turn_rate_dps=0.0, rest_acc_time_constant_s=0.0),
                                      FusionSettings(acc_tolerance_g=0.0), FusionSettings(acc_time_constant_s=0.0)])
def test_the_compiled_accel_fraction_is_numpys_to_the_bit(monkeypatch, settings) -> None:
    """`fusion.accel_fraction` (`fusekernel.accel_fraction`, the grid pass' overlap bound): k, |a| and
    |w| with and without the kernel, on samples with no acceleration, no rotation, impacts beyond the
    tolerance, rest and motion, a lost sample (NaN), negative steps (a backward pass) and the strided
    column views the grid pass hands it."""
    from hiplevel.signal.fusion import accel_fraction

    t, acc, gyro, rest = _samples(4, 5000)
    acc[17] = np.nan
    both = np.column_stack([acc, np.radians(gyro)])
    dt = np.diff(t, prepend=t[0] - 0.01)

    def run():
        return [*accel_fraction(acc, np.radians(gyro), dt, rest, settings),
                *accel_fraction(both[:, :3], both[:, 3:], -dt[::-1], rest[::-1], settings)]

    native, numpy_only = native_and_numpy(monkeypatch, run)
    # The selects exercised both ways (no tolerance: the accelerometer is never used).
    used = np.count_nonzero(native[0])
    assert used < len(native[0]) and (used > 0 or settings.acc_tolerance_g <= 0)
    for x, y in zip(native, numpy_only):
        _same(x, y)


@pytest.mark.parametrize("native", [True, False])
def test_the_fusion_does_not_depend_on_the_scan_group(monkeypatch, native: bool) -> None:
    """`scan.SCAN_GROUP` (blocks scanned at once) bounds memory and sets speed only: the states go on
    from group to group, so groups of 16, 64 and 128 blocks give the same up-vectors to the bit, with
    the compiled group and with numpy's."""
    if not native:
        monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    n = scan.SCAN_BLOCK * 128 * 2 + 64 * 5 + 13  # groups of every size cut it differently; a padded tail
    t, acc, gyro, rest = _samples(6, n)
    out = []
    for group in (16, 64, 128):
        monkeypatch.setattr(scan, "SCAN_GROUP", group)
        out.append(fuse_passes(t, acc, gyro, rest, FusionSettings()))
    for x in out[1:]:
        _same(out[0], x)


@needs_kernel
def test_a_numpy_that_sums_a_row_otherwise_gets_the_numpy_accel_fraction(monkeypatch) -> None:
    from hiplevel.signal.fusion import _fraction_kernel

    t, acc, gyro, rest = _samples(2, 300)
    dt = np.diff(t, prepend=t[0] - 0.01)
    assert fusion_scan._einsum_rows_ok()  # this numpy: the compiled fraction runs
    assert _fraction_kernel(acc, np.radians(gyro), dt) is not None
    monkeypatch.setattr(fusion_scan, "_einsum_rows_ok", lambda: False)
    assert _fraction_kernel(acc, np.radians(gyro), dt) is None


def test_the_einsum_probe_tells_the_summation_orders_apart() -> None:
    # The probe decides which path runs: its rows must round differently in every other order.
    sq = fusion_scan._einsum_probe_rows() ** 2
    orders = [(sq[:, 0] + sq[:, 2]) + sq[:, 1], (sq[:, 0] + sq[:, 1]) + sq[:, 2], sq[:, 0] + (sq[:, 1] + sq[:, 2])]
    for i in range(3):
        for j in range(i + 1, 3):
            assert np.count_nonzero(orders[i] != orders[j]) >= 20


def test_a_walk_analysis_imports_neither_numpy_random_nor_numpy_ma(tmp_path) -> None:
    # numpy.random's import is ~15 ms of every analysis (the einsum probe drew its values from it),
    # numpy.ma's 20-30 ms (np.median's NaN check; `exact_median.median` has its own).
    import subprocess
    import sys

    n = 3000
    t = np.arange(n) * 0.01
    k = np.arange(n)
    acc = np.column_stack([0.01 * np.sin(k * 0.37), 0.01 * np.cos(k * 0.21), 1.0 + 0.02 * np.sin(k * 0.05)])
    gyro = np.column_stack([2 * np.sin(k * 0.11), 3 * np.cos(k * 0.07), 40 * np.sin(k * 0.013)])
    np.savez(tmp_path / "s.npz", t=t, acc=acc, gyro=gyro)
    code = ("import sys, numpy as np\n"
            "from hiplevel.analysis import analyze\n"
            "from hiplevel.samples import ImuSeries\n"
            f"z = np.load({str(tmp_path / 's.npz')!r})\n"
            "analyze(ImuSeries(z['t'], z['acc'], z['gyro']), 'walking', keep_trace=False)\n"
            "print('numpy.random' in sys.modules, 'numpy.ma' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@needs_kernel
@pytest.mark.parametrize("seed", range(3))
def test_the_compiled_gyro_window_means_are_numpys_within_roundings(monkeypatch, seed: int) -> None:
    rng = np.random.default_rng(seed)
    refs = rng.integers(1, 150, (9, 2))
    lengths = refs.sum(axis=1) + rng.integers(0, 700, 9)
    w = np.radians(rng.normal(0, 80.0, (int(lengths.sum()), 3)))
    starts = np.r_[0, np.cumsum(lengths)[:-1]]

    def run():
        return scan.segment_window_means(w, 0.01, lengths, refs), scan.segment_products(w, 0.01, starts)

    for x, y in zip(*native_and_numpy(monkeypatch, run)):
        _close(x, y, GYRO_ATOL)


@needs_kernel
def test_the_compiled_gyro_window_means_are_numpys_where_windows_meet(monkeypatch) -> None:
    """Windows that touch (head + tail = the segment), one-sample windows, segments across block
    edges: several running sums are taken before the same sample."""
    refs = np.array([[1, 1], [3, 4], [64, 64], [1, 70], [63, 1], [2, 2]])
    lengths = refs.sum(axis=1) + np.array([0, 0, 0, 5, 0, 1])
    w = np.radians(np.random.default_rng(5).normal(0, 80.0, (int(lengths.sum()), 3)))

    def run():
        return (scan.segment_window_means(w, 0.01, lengths, refs),)

    for x, y in zip(*native_and_numpy(monkeypatch, run)):
        _close(x, y, GYRO_ATOL)


@needs_kernel
def test_the_turn_fit_of_a_walk_is_the_same_with_the_kernels_and_without(monkeypatch) -> None:
    from hiplevel.signal.turns import turn_observations
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=60, turn_every_steps=10)], rate_hz=100.0, seed=3))
    s = sim.imu
    rest = np.zeros(len(s.t_s), bool)

    def run():
        up = fuse_passes(s.t_s, s.acc_g, s.gyro_dps, rest, FusionSettings())
        obs = turn_observations(s.acc_g, s.gyro_dps, up, 100.0)
        return up, obs.jac, obs.rhs

    native, numpy_only = native_and_numpy(monkeypatch, run)
    assert len(native[2]) >= 4  # turns were fitted
    _close(native[0], numpy_only[0])
    for x, y in zip(native[1:], numpy_only[1:]):  # the turn fit's terms from those up-vectors
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)


@needs_kernel
def test_bad_arguments_raise() -> None:
    fuse, turn = fuse_kernel(), turn_kernel()
    w = np.zeros((100, 3))
    turn.segment_steps(w, 0.01, np.zeros(100, np.uint8), np.empty((100, 3, 3)))
    with pytest.raises(ValueError):
        turn.segment_steps(w, 0.01, np.zeros(100, np.uint8), np.empty((99, 3, 3)))
    with pytest.raises(ValueError):
        turn.segment_steps(w, 0.01, np.zeros(99, np.uint8), np.empty((100, 3, 3)))
    with pytest.raises(ValueError):  # a segment shorter than its two windows
        turn.segment_steps(w, 0.01, np.zeros(100, np.uint8), np.empty((1, 2, 3, 3)), np.array([0, 100]),
                           np.array([[60, 41]]))
    with pytest.raises(ValueError):
        fuse.blend(np.zeros((10, 3)), np.zeros(10), np.zeros((9, 3)), np.zeros(10), 0.04)
    params = (0.1, 2.0, 0.25, 60.0, 0.02)
    good = (np.zeros((100, 3)), w, np.zeros(100), np.zeros(100, bool), True, np.array([0.0, 0.0, 1.0]), 0.1,
            np.empty((100, 3)), np.empty(100))
    fuse.fuse_pass(params, *good)
    for i, bad in ((0, np.zeros((99, 3))), (2, np.zeros(101)), (3, np.zeros(100, np.int64)), (5, np.zeros(2)),
                   (7, np.empty((100, 2))), (8, np.empty(99))):
        with pytest.raises(ValueError):
            fuse.fuse_pass(params, *good[:i], bad, *good[i + 1:])
    with pytest.raises(ValueError):  # no samples
        fuse.fuse_pass(params, np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0), np.zeros(0, bool), False, good[5], 0.1,
                       np.empty((0, 3)), np.empty(0))
    with pytest.raises(TypeError):
        fuse.fuse_pass(params, *good[:8])


@needs_kernel
def test_a_backward_pass_read_from_the_end_is_the_pass_over_its_reversed_copy() -> None:
    """`fusion_scan._run_native` hands a backward pass' reversed views to the kernel as they lie
    (read from the last sample): the same bits as the pass over reversed copies, which it reads in
    order; a view that is not a reversed contiguous array is copied."""
    t, acc, gyro, rest = _samples(3, 64 * 70 + 9)  # more than one of the kernel's groups of 4,096
    w, dt = np.radians(gyro), -np.diff(t, append=t[-1] + 0.01)
    views = (acc[::-1], w[::-1], dt[::-1], rest[::-1], (0.0, 0.0, 1.0))
    assert fusion_scan._as_laid(list(views[:4]))[1]
    copies = tuple(np.ascontiguousarray(x) for x in views[:4]) + views[4:]
    assert not fusion_scan._as_laid(list(copies[:4]))[1]
    strided = (np.asfortranarray(acc)[::-1],) + views[1:]  # its rows apart: copied
    assert not fusion_scan._as_laid(list(strided[:4]))[1]
    (a, ea), (b, eb), (c, ec) = fusion_scan.run_passes([views, copies, strided], FusionSettings())
    for x, y in ((a, b), (ea, eb), (a, c), (ea, ec)):
        _same(x, y)



@needs_kernel
@pytest.mark.parametrize("n", [12, 64, 65, 4096 * 2 + 7])
def test_two_passes_side_by_side_are_each_pass_alone_to_the_bit(monkeypatch, n: int) -> None:
    """`fusekernel.fuse_pair` runs fuse_passes' forward and backward pass in the two lanes of a
    vector: each pass' up-vectors and errors are fuse_pass' on that pass alone, to the bit (sample
    order and read from the end, lanes swapped, across the kernel's groups of 4,096 and blocks of
    64, through `fusion_scan.run_passes` too); a pair of two lengths or a bad array raises."""
    t, acc, gyro, rest = _samples(n, n)
    w = np.radians(gyro)
    dt_f = np.diff(t, prepend=t[0] - 0.01)
    dt_b = -np.diff(t, append=t[-1] + 0.01)
    params = (0.125, 2.0, 0.25, 60.0, 0.02)
    passes = [(acc, w, dt_f, rest, False, np.array([0.02, -0.01, 0.99])),
              (acc, w, dt_b, rest, True, np.array([-0.03, 0.04, 0.98]))]
    fuse = fuse_kernel()

    def alone(p):
        up, err = np.empty((n, 3)), np.empty(n)
        fuse.fuse_pass(params, *p, 0.1, up, err)
        return up, err

    for a, b in (passes, passes[::-1]):
        outs = [(np.empty((n, 3)), np.empty(n)) for _ in range(2)]
        fuse.fuse_pair(params, *a, *outs[0], *b, *outs[1], 0.1)
        for got, want in zip(outs, (alone(a), alone(b))):
            _same(got[0], want[0])
            _same(got[1], want[1])
    views = [(acc, w, dt_f, rest, (0.02, -0.01, 0.99)),
             (acc[::-1], w[::-1], dt_b[::-1], rest[::-1], (-0.03, 0.04, 0.98))]
    paired = fusion_scan.run_passes(views, FusionSettings())
    monkeypatch.setattr(fusion_scan, "fuse_kernel", lambda: types.SimpleNamespace(fuse_pass=fuse.fuse_pass))
    one_by_one = fusion_scan.run_passes(views, FusionSettings())
    for (x, ex), (y, ey) in zip(paired, one_by_one):
        _same(x, y)
        _same(ex, ey)
    with pytest.raises(ValueError):  # two lengths
        short = tuple(x[:-1] if isinstance(x, np.ndarray) and x.ndim and x.shape[0] == n else x for x in passes[1])
        fuse.fuse_pair(params, *passes[0], np.empty((n, 3)), np.empty(n), *short, np.empty((n - 1, 3)),
                       np.empty(n - 1), 0.1)
    with pytest.raises(ValueError):  # an output of another length
        fuse.fuse_pair(params, *passes[0], np.empty((n + 1, 3)), np.empty(n), *passes[1], np.empty((n, 3)),
                       np.empty(n), 0.1)

@needs_kernel
def test_the_kernels_sine_and_cosine_are_within_an_ulp_of_numpys() -> None:
    """`rotation.h`'s sin_cos (fdlibm's kernel polynomials for small angles, the C library's beyond
    SMALL_ANGLE_RAD = 0.3): every value within one unit in the last place of numpy's, at most a few
    percent of them not equal; signed zeros, the switch-over, large angles, inf and NaN as numpy."""
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.uniform(-s, s, 200_000) for s in (1e-7, 1e-3, 0.05, 0.3, 0.31, 4.0, 1e4)]
                       + [np.array([0.0, -0.0, 0.3, -0.3, np.nextafter(0.3, 1), 5e-324, np.inf, -np.inf, np.nan])])
    s, c = np.empty_like(x), np.empty_like(x)
    turn_kernel().sin_cos(x, s, c)
    with np.errstate(invalid="ignore"):
        want_s, want_c = np.sin(x), np.cos(x)
    finite = np.isfinite(x)
    for got, want in ((s, want_s), (c, want_c)):
        assert np.array_equal(np.isnan(got), np.isnan(want))
        ulps = np.abs(got[finite].view(np.int64) - want[finite].view(np.int64))
        assert ulps.max() <= 1 and np.count_nonzero(ulps) < 0.03 * len(ulps)
    assert np.signbit(s[x == 0]).tolist() == np.signbit(x[x == 0]).tolist()  # sin(-0) = -0
