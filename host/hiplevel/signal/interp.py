"""Linear interpolation of several columns at once: `np.interp` per column, to the bit."""

from __future__ import annotations

import numpy as np

from hiplevel._native import grid_kernel


def interp_columns(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """`np.interp(x, xp, fp[:, c])` for every column c of fp (N, k), as (len(x), k): compiled
    (`gridkernel.interp_columns`: numpy's search and arithmetic, one search for all columns, the
    results to the bit) or numpy's, column by column."""
    kernel = grid_kernel()
    if kernel is not None and len(xp) >= 2 and fp.ndim == 2 and fp.shape[1]:
        out = np.empty((len(x), fp.shape[1]))
        kernel.interp_columns(np.ascontiguousarray(x, dtype=float), np.ascontiguousarray(xp, dtype=float),
                              np.ascontiguousarray(fp, dtype=float), out)
        return out
    out = np.empty((len(x), fp.shape[1]))
    for c in range(fp.shape[1]):
        out[:, c] = np.interp(x, xp, fp[:, c])
    return out
