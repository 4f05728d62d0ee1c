"""`np.ascontiguousarray` for the analysis' (N, 2-6) sample arrays whose rows lie apart in memory.

A column slice of a wider array (acc of (N,6) samples) or the reversed rows of a backward pass are
copied by numpy row by row, one inner-loop call and one `memcpy` of 16-24 bytes per row (3.6
million rows for an hour at 100 Hz). Copied column by column instead (one strided loop of N values
each) it is the same values at a quarter to a half of the cost: 2 % of `hiplevel analyze`'s
instructions on the 1 h bench CSV.

Likewise arithmetic between such an array and one row broadcast over it (`x - row`, x (N,3), row
(3,)): numpy runs it through its buffered iterator (the row copied into a buffer, the inner loop
three values long), 4-5x the cost of the same differences taken column by column (`minus_row`).
"""

from __future__ import annotations

import numpy as np

MAX_COLUMNS = 8  # wider arrays are copied by numpy as they are (a row is then worth its call)


def contiguous(x: np.ndarray, dtype: type | np.dtype | None = None) -> np.ndarray:
    """`np.ascontiguousarray(x, dtype)`: x itself when already C-contiguous (of that dtype), else
    a C-contiguous copy with the same values."""
    x = np.asarray(x)
    if x.ndim != 2 or x.flags.c_contiguous or x.shape[1] > MAX_COLUMNS:
        return np.ascontiguousarray(x, dtype=dtype)
    out = np.empty(x.shape, dtype=x.dtype if dtype is None else dtype)
    for k in range(x.shape[1]):
        out[:, k] = x[:, k]
    return out


def concat_rows(pieces: list[np.ndarray]) -> np.ndarray:
    """`np.concatenate(pieces)` (along the rows), each 2-D piece whose rows lie apart copied
    column by column (numpy would copy it row by row, as `contiguous` says)."""
    if not any(p.ndim == 2 and not p.flags.c_contiguous and p.shape[1] <= MAX_COLUMNS for p in pieces) or len(
            {(p.ndim, p.shape[1:], p.dtype) for p in pieces}) != 1:
        return np.concatenate(pieces)
    out = np.empty((sum(len(p) for p in pieces), pieces[0].shape[1]), dtype=pieces[0].dtype)
    r = 0
    for p in pieces:
        if p.flags.c_contiguous:
            out[r : r + len(p)] = p
        else:
            for k in range(p.shape[1]):
                out[r : r + len(p), k] = p[:, k]
        r += len(p)
    return out


def minus_row(x: np.ndarray, row: np.ndarray) -> np.ndarray:
    """`x - row` for x (N,k) and row (k,), a new float64 array: each difference x[i,j] - row[j] as
    numpy's broadcast rounds it, taken column by column (one strided loop of N values each)."""
    x, row = np.asarray(x, float), np.asarray(row, float)
    if x.ndim != 2 or row.shape != x.shape[1:] or x.shape[1] > MAX_COLUMNS:
        return x - row
    out = np.empty(x.shape)
    for k in range(x.shape[1]):
        np.subtract(x[:, k], row[k], out=out[:, k])
    return out


def column_stack(parts: list[np.ndarray]) -> np.ndarray:
    """`np.column_stack(parts)` of 1-D (N,) and 2-D (N,k) arrays of one dtype, copied column by
    column (numpy copies a 2-D part row by row: a call and a `memcpy` of 24 bytes per row of a
    (N,3) part); other arguments, or more than MAX_COLUMNS in all, go to numpy's."""
    parts = [np.asarray(p) for p in parts]
    if not parts or len({p.dtype for p in parts}) != 1 or len({len(p) for p in parts}) != 1 or any(
            p.ndim not in (1, 2) for p in parts):
        return np.column_stack(parts)
    cols = [c for p in parts for c in ((p,) if p.ndim == 1 else (p[:, k] for k in range(p.shape[1])))]
    if len(cols) > MAX_COLUMNS:
        return np.column_stack(parts)
    out = np.empty((len(parts[0]), len(cols)), dtype=parts[0].dtype)
    for k, c in enumerate(cols):
        out[:, k] = c
    return out
