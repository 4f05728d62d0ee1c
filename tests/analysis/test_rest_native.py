"""The optional compiled moving spread of the rest and quiet masks (`hiplevel._native.restkernel`)
gives `filters.moving_std`'s numpy results to the bit: long and short blocks (shorter than the
window), lost samples (NaN), signed zeros, strided column views, and the masks built from them; and
its running sums (`filters.running_sums`, `prefix_sums`) give numpy's cumsum to the bit."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import native_and_numpy

from hiplevel._native import rest_kernel
from hiplevel.signal import filters, fusion, rest_masks

needs_kernel = pytest.mark.skipif(rest_kernel() is None, reason="the compiled rest kernel is not built here "
                                  "(no C compiler when the package was installed): the numpy path is used")


def _bits(x: np.ndarray) -> bytes:
    return np.ascontiguousarray(x).tobytes()


@needs_kernel
@pytest.mark.parametrize("n", [1, 2, 30, 49, 50, 51, 777, 16_384])
def test_the_compiled_spread_is_numpys_to_the_bit(monkeypatch, n: int) -> None:
    rng = np.random.default_rng(n)
    acc = rng.normal(size=(n, 3)) * [0.01, 0.02, 0.3] + [0.0, 0.0, 1.0]
    gyro = rng.normal(size=(n, 3)) * [0.5, 40.0, 300.0] + 2.0
    acc[: min(n, 20)] = [-0.0, 0.0, 1.0]  # a still start with signed zeros
    if n > 5:
        gyro[n // 2, 1] = np.nan  # a lost sample
    both = np.column_stack([acc, gyro])  # the grid pass hands strided views of one (N, 6) block
    for rate in (50.0, 100.0, 200.0):
        native, numpy_only = native_and_numpy(monkeypatch, lambda: rest_masks._spreads(both[:, :3], both[:, 3:], rate, 0.5))
        for x, y in zip(native, numpy_only):
            assert _bits(x) == _bits(y)
        native, numpy_only = native_and_numpy(monkeypatch, lambda: rest_masks.rest_and_quiet_masks(acc, gyro, rate,
                                                                                    fusion.FusionSettings()))
        for x, y in zip(native, numpy_only):
            assert np.array_equal(x, y)


@needs_kernel
def test_the_compiled_spread_sees_rest_where_numpy_does(monkeypatch) -> None:
    """A simulated session (quiet standing, then walking): the same rest samples either way, and
    some of each (the comparison is not of two all-False masks)."""
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    imu = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], seed=5)).imu
    native, numpy_only = native_and_numpy(monkeypatch, lambda: rest_masks.rest_mask(imu.acc_g, imu.gyro_dps, 100.0,
                                                                     fusion.FusionSettings()))
    assert np.array_equal(native, numpy_only)
    assert 0 < native.sum() < len(native)


@needs_kernel
@pytest.mark.parametrize("n", [1, 2, 3, 30, 101, 777, 25_000])
def test_the_compiled_moving_mean_is_numpys_to_the_bit(monkeypatch, n: int) -> None:
    """`filters.moving_mean` (`restkernel.moving_mean`): one and several columns, windows shorter and
    longer than the signal, strided and reversed views, integers, a lost sample and signed zeros."""
    from hiplevel.signal.filters import moving_mean

    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, 4)) * [0.01, 1.0, 40.0, 1e5]
    x[: min(n, 3), 0] = -0.0
    if n > 5:
        x[n // 3, 2] = np.nan
    cases = [x[:, 1], x, x[:, 1:3], x[::-1, 0], x[::2, :2], rng.integers(-50, 50, size=n)]
    for window in (1, 2, 7, 100, n, n + 9):
        native, numpy_only = native_and_numpy(monkeypatch, lambda: [moving_mean(c, window) for c in cases])
        for a, b in zip(native, numpy_only):
            assert a.shape == b.shape and a.dtype == b.dtype and _bits(a) == _bits(b)


@pytest.mark.parametrize("n", [2, 49, 777, 16_384])
def test_one_rate_is_judged_as_the_gyro_holding_only_that_rate(n: int) -> None:
    """The rest test over one rate (band_moves.unturning: the roll rate alone) is the test over a
    three-axis gyro with that rate on one axis and the other two still, to the bit."""
    rng = np.random.default_rng(n)
    acc = rng.normal(size=(n, 3)) * [0.01, 0.02, 0.03] + [0.0, 0.0, 1.0]
    rate = rng.normal(size=n) * np.linspace(0.2, 3.0, n)  # spreads either side of the 1.5 deg/s limit
    gyro = np.zeros((n, 3))
    gyro[:, 0] = rate
    settings = fusion.FusionSettings()
    one = rest_masks._spreads(acc, rate, 100.0, settings.rest_window_s)[0]
    three = rest_masks._spreads(acc, gyro, 100.0, settings.rest_window_s)[0]
    assert _bits(one) == _bits(three)
    assert np.array_equal(rest_masks.rest_mask(acc, rate, 100.0, settings), rest_masks.rest_mask(acc, gyro, 100.0, settings))


@pytest.mark.skipif(not hasattr(rest_kernel(), "running_sum"), reason="the compiled rest kernel is not built "
                    "here, or was built before running_sum: numpy's cumsum is used")
@pytest.mark.parametrize("n", [0, 1, 2, 3, 1_000, 40_000])
def test_the_compiled_running_sums_are_numpys_cumsum_to_the_bit(monkeypatch, n: int) -> None:
    """1-D with and without a start (a -0.0 first sample: numpy's cumsum keeps it, 0.0 + -0.0 would
    not), 2-D into the last columns of a wider array (`stride_windows`' [0, sums] rows), NaN and
    values of many magnitudes (the sums' roundings show)."""
    rng = np.random.default_rng(n)
    x = rng.normal(size=n) * 10.0 ** rng.integers(-8, 8, n)
    if n:
        x[0] = -0.0
    if n > 10:
        x[n // 3] = np.nan
    rows = rng.normal(size=(4, n)) * 10.0 ** rng.integers(-8, 8, (4, n))
    rows[:, :1] = -0.0

    def run():
        wide = np.zeros((4, n + 1))
        return (filters.running_sums(x), filters.prefix_sums(x), filters.running_sums(x, start=-0.0),
                filters.running_sums(x, start=12.25), filters.running_sums(rows, out=wide))

    native, numpy_only = native_and_numpy(monkeypatch, run)
    for a, b in zip(native, numpy_only):
        assert _bits(a) == _bits(b)
    assert _bits(native[0]) == _bits(np.cumsum(x))
    assert _bits(native[3]) == _bits(np.cumsum(np.concatenate([[12.25], x]))[1:])
    with pytest.raises(ValueError):  # out narrower than x
        rest_kernel().running_sum(rows, np.zeros((4, n - 1)) if n else np.zeros((3, 0)), None)
