"""The samples as the fusion used them: the accelerometer bias, the gyro bias between rest runs and
the gyro's cross-axis leak taken out (`LongTrace.sensor`, read by every detection chunk).

The numpy path takes ten whole-array steps over (N,3) arrays (the bias interpolated, subtracted,
the leak corrected on a copy, the difference taken back out of the bias, the accelerometer's bias
row subtracted): ~1.3 ms for a 45,000-sample chunk, 11 ms an hour of walking. The compiled path
(`gridkernel.corrected_sensor`) does the same operations row by row in one pass, each rounded
alone in the same order, so the same bits (tests compare both)."""

from __future__ import annotations

import numpy as np

from hiplevel._native import grid_kernel
from hiplevel.signal.contiguous import minus_row
from hiplevel.signal.rest_bias import RestRunBias, bias_between_runs
from hiplevel.signal.turns import TurnErrors


def corrected_sensor(acc_g: np.ndarray, gyro_dps: np.ndarray, lo: int, runs: list[RestRunBias],
                     errors: TurnErrors) -> tuple[np.ndarray, np.ndarray]:
    """(acc g, gyro deg/s), new (N,3) arrays, of segment samples [lo, lo + N): acc_g less
    errors.acc_bias_g; gyro_dps less the rest runs' bias at those samples (`bias_between_runs`)
    and, when errors has turns, less the leak `errors.correct_gyro` removes from the bias-free gyro,
    i.e. gyro - (bias - (correct_gyro(gyro - bias) - (gyro - bias)))."""
    kernel = grid_kernel()
    acc, gyro = np.asarray(acc_g, float), np.asarray(gyro_dps, float)
    if kernel is not None and hasattr(kernel, "corrected_sensor") and acc.ndim == 2 and acc.shape[1:] == (3,) \
            and gyro.shape == acc.shape:
        centres = np.array([0.5 * (r.start + r.stop - 1) for r in runs], dtype=float)
        means = np.asarray([r.bias_dps for r in runs], dtype=float).reshape(len(runs), 3)
        acc_out, gyro_out = np.empty(acc.shape), np.empty(acc.shape)
        kernel.corrected_sensor(np.ascontiguousarray(acc), np.ascontiguousarray(gyro), int(lo), centres, means,
                                np.ascontiguousarray(errors.gyro_leak, dtype=float),
                                np.ascontiguousarray(errors.acc_bias_g, dtype=float), bool(errors.n_turns), acc_out,
                                gyro_out)
        return acc_out, gyro_out
    bias = bias_between_runs(np.arange(lo, lo + len(gyro)), runs)
    if errors.n_turns:
        unbiased = gyro - bias
        gyro_c = errors.correct_gyro(unbiased)
        gyro_c -= unbiased  # the leak removed: bias - (gyro_c - (gyro - bias)), as the fusion saw it
        bias -= gyro_c
    return minus_row(acc, errors.acc_bias_g), gyro - bias
