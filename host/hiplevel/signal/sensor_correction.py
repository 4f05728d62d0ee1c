"""The samples as the fusion uses them: the gyro bias between rest runs, and after the turn fit the
accelerometer bias and the gyro's cross-axis leak, taken out (`trace_passes._fuse_imu`'s inputs of
each fusion chunk, `LongTrace.sensor` read by every detection chunk).

The numpy paths take up to ten whole-array steps over (N,3) arrays (the bias interpolated,
subtracted, the leak corrected on a copy, for the sensor the difference taken back out of the bias,
the accelerometer's bias row subtracted): ~1.3 ms for a 45,000-sample detection chunk. The compiled
path (`gridkernel.corrected_sensor`) does the same operations row by row in one pass, each rounded
alone in the same order, so the same bits (tests compare both)."""

from __future__ import annotations

import numpy as np

from hiplevel._native import grid_kernel
from hiplevel.signal.contiguous import minus_row
from hiplevel.signal.rest_bias import RestRunBias, bias_between_runs
from hiplevel.signal.turns import NO_ERRORS, TurnErrors

BIAS_ONLY, AS_FUSED, LEAK_CORRECTED = 0, 1, 2  # the kernel's modes (gridkernel.c)


def corrected_sensor(acc_g: np.ndarray, gyro_dps: np.ndarray, lo: int, runs: list[RestRunBias],
                     errors: TurnErrors) -> tuple[np.ndarray, np.ndarray]:
    """(acc g, gyro deg/s), new (N,3) arrays, of segment samples [lo, lo + N) as the second fusion
    used them (`LongTrace.sensor`): acc_g less errors.acc_bias_g; gyro_dps less the rest runs' bias
    at those samples (`bias_between_runs`) and, when errors has turns, less the leak
    `errors.correct_gyro` removes from the bias-free gyro, i.e.
    gyro - (bias - (correct_gyro(gyro - bias) - (gyro - bias)))."""
    out = _compiled(acc_g, gyro_dps, lo, runs, errors, AS_FUSED if errors.n_turns else BIAS_ONLY)
    if out is not None:
        return out
    acc, gyro = np.asarray(acc_g, float), np.asarray(gyro_dps, float)
    bias = bias_between_runs(np.arange(lo, lo + len(gyro)), runs)
    if errors.n_turns:
        unbiased = gyro - bias
        gyro_c = errors.correct_gyro(unbiased)
        gyro_c -= unbiased  # the leak removed: bias - (gyro_c - (gyro - bias)), as the fusion saw it
        bias -= gyro_c
    return minus_row(acc, errors.acc_bias_g), gyro - bias


def fusion_inputs(acc_g: np.ndarray, gyro_dps: np.ndarray, lo: int, runs: list[RestRunBias],
                  errors: TurnErrors | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(acc g, gyro deg/s) of segment samples [lo, lo + N) as a fusion chunk takes them: the gyro less
    the rest runs' bias (`bias_between_runs`); with errors (the second fusion, after the turn fit),
    `errors.correct` of both. acc_g is returned as it is without errors; gyro_dps is not changed."""
    if errors is None:
        out = _compiled(acc_g, gyro_dps, lo, runs, NO_ERRORS, BIAS_ONLY, keep_acc=True)
        return acc_g, (out[1] if out is not None else _unbiased_gyro(gyro_dps, lo, runs))
    out = _compiled(acc_g, gyro_dps, lo, runs, errors, LEAK_CORRECTED)
    return out if out is not None else errors.correct(acc_g, _unbiased_gyro(gyro_dps, lo, runs))


def _unbiased_gyro(gyro_dps: np.ndarray, lo: int, runs: list[RestRunBias]) -> np.ndarray:
    """The numpy path: a new (N,3) gyro, deg/s, of segment samples [lo, lo + N) less the rest runs'
    bias (`bias_between_runs`)."""
    gyro = np.array(gyro_dps, float)
    gyro -= bias_between_runs(np.arange(lo, lo + len(gyro)), runs)
    return gyro


def _compiled(acc_g: np.ndarray, gyro_dps: np.ndarray, lo: int, runs: list[RestRunBias], errors: TurnErrors,
              mode: int, keep_acc: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
    """`gridkernel.corrected_sensor` in `mode`, or None without the kernel or for other shapes."""
    kernel = grid_kernel()
    acc, gyro = np.asarray(acc_g), np.asarray(gyro_dps)
    if kernel is None or not hasattr(kernel, "corrected_sensor") or acc.dtype != np.float64 \
            or gyro.dtype != np.float64 or acc.ndim != 2 or acc.shape[1:] != (3,) or gyro.shape != acc.shape:
        return None
    centres = np.array([0.5 * (r.start + r.stop - 1) for r in runs], dtype=float)
    means = np.asarray([r.bias_dps for r in runs], dtype=float).reshape(len(runs), 3)
    gyro_out = np.empty(gyro.shape)
    # keep_acc: the accelerometer is not wanted (its zero bias would only copy it): no rows to write.
    acc_out = np.empty((0, 3)) if keep_acc else np.empty(acc.shape)
    kernel.corrected_sensor(np.ascontiguousarray(acc), np.ascontiguousarray(gyro), int(lo), centres, means,
                            np.ascontiguousarray(errors.gyro_leak, dtype=float),
                            np.ascontiguousarray(errors.acc_bias_g, dtype=float), mode, acc_out, gyro_out)
    return acc_out, gyro_out
