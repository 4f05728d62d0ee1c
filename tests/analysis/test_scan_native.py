"""The optional compiled block loop of the blocked scans (`hiplevel._native.scankernel`; the fusion's
scans in `fusekernel`) gives the numpy loop's results to the bit: transfer products, zero-start
states (with and without b, vector and matrix states, several chains) and the restarting gyro
products; and the whole analysis of a walk is the same with the kernels and without them
(`HIPLEVEL_NO_NATIVE=1`)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from analysis_helpers import native_and_numpy

from hiplevel._native import fuse_kernel, scan_kernel
from hiplevel.signal import scan

needs_kernel = pytest.mark.skipif(scan_kernel() is None, reason="the compiled scan kernel is not built here "
                                  "(no C compiler when the package was installed): the numpy loop is used")
needs_fuse = pytest.mark.skipif(fuse_kernel() is None, reason="the compiled fusion kernel is not built here "
                                "(no C compiler when the package was installed): the numpy scans are used")


def _same(x: np.ndarray, y: np.ndarray) -> None:
    assert x.shape == y.shape
    np.testing.assert_array_equal(x.view(np.int64), y.view(np.int64))


@needs_kernel
@pytest.mark.parametrize("seed", range(3))
def test_the_compiled_block_loop_is_the_numpy_loop_to_the_bit(monkeypatch, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 64 * 37 + 11  # a padded tail
    w = rng.normal(size=(n, 3)) * 3.0
    dt = np.full(n, 0.01) * (1 if seed % 2 else -1)
    rot = scan.rotation_blocks(w, dt)
    k = scan.to_blocks(rng.uniform(0, 0.05, n))[:, None, None]
    a = rot * (1.0 - k)
    pull = scan.to_blocks(rng.normal(size=(n, 3)))[:, :, None]
    x0 = [np.array([[0.1], [0.2], [0.97]]), np.array([[0.0], [0.6], [0.8]])]
    chains = (0, 20)

    def run():
        trans = scan.transfer_products(a)
        end: list = []
        u = scan.affine_scan(a, pull, x0, renorm=True, end=end, trans=trans, chains=chains)
        err = scan.affine_scan(1.0 - k, (1.0 - k) * 0.3, [np.array([[1.0]])] * 2, chains=chains)
        mats = scan.affine_scan(a, rot, np.eye(3))  # a matrix state
        seg = scan.segment_products(w / 10, 0.01, np.array([0, 100, 1000, 1001, 2000]))
        return trans, u, err, mats, np.concatenate([e.ravel() for e in end]), seg

    native, numpy_only = native_and_numpy(monkeypatch, run)
    for x, y in zip(native[:-1], numpy_only[:-1]):
        _same(x, y)
    # The gyro-only products run step by step in `turnkernel.segment_steps`: within roundings.
    np.testing.assert_allclose(native[-1], numpy_only[-1], rtol=0.0, atol=1e-12)


@needs_kernel
def test_the_analysis_of_a_walk_is_the_same_with_the_kernels_and_without(monkeypatch) -> None:
    from hiplevel.analysis import analyze
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=40, weak_side="left", turn_every_steps=10)],
                                       rate_hz=100.0, seed=5))

    def run():
        r = analyze(sim.imu, "walking")
        return json.dumps(r.to_json()), r.roll_deg, r.pitch_deg

    native, numpy_only = native_and_numpy(monkeypatch, run)
    # The compiled fusion pass steps through the blocked scans' recurrences in sample order: the
    # trace within a few units in the last place, every output the same.
    assert native[0] == numpy_only[0]
    for x, y in zip(native[1:], numpy_only[1:]):
        np.testing.assert_allclose(x, y, rtol=0.0, atol=1e-11)


@needs_kernel
@pytest.mark.parametrize("seed", range(3))
def test_the_compiled_rotations_are_numpys_to_the_bit(monkeypatch, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 64 * 21 + 5
    w = rng.normal(size=(n, 3)) * rng.choice([1e-6, 0.1, 3.0, 30.0], size=(n, 1))
    w[rng.random(n) < 0.05] = 0.0  # no rotation: the identity
    w[rng.random(n) < 0.05, 1] = 0.0  # an axis exactly zero
    dt = rng.uniform(0.005, 0.02, n) * (1 if seed % 2 else -1)
    for x, y in zip(*native_and_numpy(monkeypatch, lambda: (scan.rotation_blocks(w, dt),))):
        _same(x, y)


@needs_kernel
@needs_fuse
@pytest.mark.parametrize("seed", range(2))
def test_the_compiled_fusion_passes_are_the_numpy_scans(monkeypatch, seed: int) -> None:
    """`fusion._run` (the forward and backward passes side by side, several groups of blocks, the
    norm-corrected re-scan and the error scan in one compiled call) against the numpy scans."""
    from hiplevel.signal import fusion

    rng = np.random.default_rng(seed)
    n = scan.SCAN_BLOCK * scan.SCAN_GROUP * 2 + 777  # three groups, a padded tail
    t = np.cumsum(rng.uniform(0.009, 0.011, n))
    acc = np.array([0.05, -0.1, 1.0]) + rng.normal(size=(n, 3)) * rng.choice([0.002, 0.2], size=(n, 1))
    acc[rng.random(n) < 0.01] *= 3.0  # impacts: the accelerometer ignored
    gyro = rng.normal(size=(n, 3)) * rng.choice([0.3, 40.0, 200.0], size=(n, 1))
    rest = np.repeat(rng.random(n // 100 + 1) < 0.3, 100)[:n]
    settings = fusion.FusionSettings()

    def run():
        up = fusion.fuse_passes(t, acc, gyro, rest, settings)
        w = np.radians(gyro[:5000])
        outs = fusion._run([(acc, np.radians(gyro), np.diff(t, prepend=t[0] - 0.01), rest, (0.0, 0.1, 0.995)),
                            (acc[:5000][::-1], w[::-1], np.full(5000, -0.01), rest[:5000][::-1], (0.0, 0.0, 1.0))],
                           settings)
        return (up, *(x for pair in outs for x in pair))

    native, numpy_only = native_and_numpy(monkeypatch, run)
    for x, y in zip(native, numpy_only):  # the step-by-step pass: within a few units in the last place
        np.testing.assert_allclose(x, y, rtol=0.0, atol=1e-13 if x.ndim == 2 and x.shape[1] == 3 else 1e-12)


@needs_kernel
def test_the_compiled_window_rms_is_numpys_to_the_bit(monkeypatch) -> None:
    """The walking detector's motion RMS of each single support (`_motion_rms_many`), windows
    running past the end included, against numpy's mean over axis 0 one window at a time."""
    from hiplevel.exercises.base import Motion
    from hiplevel.exercises.walking_edges import _motion_rms_many

    rng = np.random.default_rng(3)
    n = 3000
    m = Motion(t_s=np.arange(n) / 100.0, rate_hz=100.0, roll_deg=np.zeros(n), pitch_deg=np.zeros(n),
               acc_lin_g=rng.normal(size=(n, 3)) * [0.05, 0.2, 0.3] + 0.01, gyro_dps=rng.normal(size=(n, 3)) * 20.0,
               still=np.zeros(n, bool))
    a = np.sort(rng.integers(0, n - 1, 400))
    b = a + rng.integers(1, 90, 400)  # some past the end: clipped as a slice is
    native, numpy_only = native_and_numpy(monkeypatch, lambda: _motion_rms_many(m, a, b))
    _same(native, numpy_only)


@needs_kernel
@settings(max_examples=120, deadline=None)
@given(n=st.integers(1, 400), k=st.integers(1, 12), offset=st.sampled_from([0.0, 1.0, 1e3, 1e8]),
       seed=st.integers(0, 2**32 - 1))
def test_window_rms_columns_side_by_side_are_numpys_to_the_bit(n, k, offset, seed) -> None:
    """`scankernel.window_rms` sums its five columns in one pass over the rows (each column's own
    sum in sample order): numpy's mean over axis 0 one window at a time, to the bit, on windows of
    every length and offsets large against the spread (where another order of the sums rounds
    differently)."""
    from hiplevel.exercises.base import Motion
    from hiplevel.exercises.walking_edges import _motion_rms_numpy

    rng = np.random.default_rng(seed)
    acc = rng.normal(size=(n, 3)) * rng.choice([1e-3, 0.3, 30.0], size=3) + offset * rng.normal(size=3)
    gyro = rng.normal(size=(n, 3)) * 20.0 + offset
    m = Motion(t_s=np.arange(n) / 100.0, rate_hz=100.0, roll_deg=np.zeros(n), pitch_deg=np.zeros(n),
               acc_lin_g=acc, gyro_dps=gyro, still=np.zeros(n, bool))
    a = rng.integers(0, n, k)
    b = np.minimum(a + rng.integers(1, n + 1, k), n)
    out = np.empty((k, 5))
    scan_kernel().window_rms(acc, gyro, a.astype(np.int64), b.astype(np.int64), out)
    for row, x, y in zip(out, a.tolist(), b.tolist()):
        _same(row, _motion_rms_numpy(m, x, y))


@needs_kernel
def test_one_window_motion_rms_is_numpys_to_the_bit() -> None:
    """`_motion_rms` of one edge window (a swing, a half swing, up to seconds long, past the end
    too) through the compiled kernel: numpy's column mean over axis 0 to the bit."""
    from hiplevel.exercises.base import Motion
    from hiplevel.exercises.walking_edges import _motion_rms, _motion_rms_numpy

    rng = np.random.default_rng(5)
    n = 6000
    m = Motion(t_s=np.arange(n) / 100.0, rate_hz=100.0, roll_deg=np.zeros(n), pitch_deg=np.zeros(n),
               acc_lin_g=rng.normal(size=(n, 3)) * [0.05, 0.2, 0.3] + 0.01, gyro_dps=rng.normal(size=(n, 3)) * 20.0,
               still=np.zeros(n, bool))
    for a in rng.integers(0, n - 1, 200).tolist():
        b = a + int(rng.integers(1, 2000))
        _same(_motion_rms(m, a, b), _motion_rms_numpy(m, a, b))
