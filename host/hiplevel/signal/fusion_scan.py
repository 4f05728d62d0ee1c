"""The offline fusion's passes (`fusion.fuse_passes`): blocked scans in numpy (`scan.affine_scan`), or
the compiled kernel (`fusekernel.fuse_pass`: the same recurrences step by step, within a few units
in the last place).

Each pass is the affine recurrence u_i = (1 - k_i) R_i u_(i-1) + k_i a_i/|a_i| of `fusion.tilt_step`
(normalised), its accelerometer fraction k and rotation R depending on the samples only."""

from __future__ import annotations

from functools import cache, partial

import numpy as np

from hiplevel._native import fuse_kernel
from hiplevel.signal.contiguous import contiguous
from hiplevel.signal.fusion import SCAN_NORM_ITERATIONS, FusionSettings, _gains, accel_fraction


def run_passes(passes: list[tuple], settings: FusionSettings) -> list[tuple[np.ndarray, np.ndarray]]:
    """Passes of `tilt_step` over the samples, each (acc, w_rps, dt, rest, u0) in its array order
    (reverse the arrays, dt < 0, for a backward pass); returns each pass' up-vectors (N,3) and
    error estimates, deg (N,).

    The step's accelerometer fraction k and rotation depend on the samples only, not on the
    state, so a pass is the affine recurrence u_i = (1 - k_i) R_i u_{i-1} + k_i a_i/|a_i| (then
    normalised), evaluated by `scan.affine_scan` instead of a per-sample Python loop: the passes
    side by side in one scan (each its own recurrence), SCAN_GROUP blocks of each at a time (the
    states carried from one group to the next: the same arithmetic as one scan over all blocks, in
    bounded memory), the norm-corrected scan reusing the first one's block transfer products."""
    from hiplevel.signal.scan import SCAN_BLOCK, SCAN_GROUP, from_blocks, rotation_blocks, to_blocks

    fuse = fuse_kernel()
    if fuse is not None and SCAN_NORM_ITERATIONS == 1 and all(len(p[0]) for p in passes) and all(
            np.asarray(x).dtype == np.float64 for p in passes for x in p[:3]):
        return _run_native(fuse, passes, settings)
    n = [len(p[0]) for p in passes]
    outs = [(np.empty((m, 3)), np.empty(m)) for m in n]
    x_first = [np.asarray(p[4], float)[:, None] for p in passes]
    x_up, x_err = list(x_first), [np.array([[settings.gyro_error_floor_deg]])] * len(passes)
    step = SCAN_BLOCK * SCAN_GROUP

    def group(i: int, s: slice) -> tuple:
        """Per sample of pass i's samples s: k, the pull k a/|a|, and the error growth."""
        acc, w_rps, dt, rest, _ = passes[i]
        k, norm_a, mag = accel_fraction(acc[s], w_rps[s], dt[s], rest[s], settings)
        pull = k[:, None] * acc[s] / np.where(norm_a > 0.0, norm_a, 1.0)[:, None]
        return k, pull, settings.cross_axis_fraction * mag * np.abs(dt[s])

    for g0 in range(0, max(n), step):
        live = [i for i in range(len(passes)) if g0 < n[i]]
        g = [slice(g0, min(n[i], g0 + step)) for i in live]
        prep = [group(i, s) for i, s in zip(live, g)]
        blocks = [to_blocks(p[0]) for p in prep]
        chains = tuple(np.cumsum([0] + [b.shape[-1] for b in blocks[:-1]]))
        kb = np.concatenate(blocks, axis=-1)[:, None, None]  # (block,1,1,nb); padding: k = 0, R = I
        rot = np.concatenate([rotation_blocks(passes[i][1][s], passes[i][2][s]) for i, s in zip(live, g)], axis=-1)
        rot *= 1.0 - kb  # in place: a = rot * (1 - k), the same products
        a = rot
        del rot
        pull = np.concatenate([to_blocks(p[1]) for p in prep], axis=-1)[:, :, None]
        grow = np.concatenate([to_blocks(p[2]) for p in prep], axis=-1)[:, None, None]
        kernel = fuse_kernel()
        # The compiled call does the one norm-corrected re-scan of SCAN_NORM_ITERATIONS = 1.
        scans = _fuse_scan if kernel is None or SCAN_NORM_ITERATIONS != 1 else partial(_fuse_scan_native, kernel)
        u, err, first, last, errs = scans(a, pull, kb, grow, [x_first[i] for i in live], [x_up[i] for i in live],
                                          [x_err[i] for i in live], chains)
        del a
        for c, (i, s) in enumerate(zip(live, g)):
            q0, q1 = chains[c], chains[c + 1] if c + 1 < len(chains) else u.shape[-1]
            m = s.stop - s.start
            uu = from_blocks(u[..., q0:q1][:, :, 0], m)
            outs[i][0][s] = uu / np.sqrt(np.einsum("ij,ij->i", uu, uu))[:, None]
            outs[i][1][s] = from_blocks(err[..., q0:q1][:, 0, 0], m)
            x_first[i], x_up[i], x_err[i] = first[c], last[c], errs[c]
    return outs


@cache
def _einsum_rows_ok() -> bool:
    """Whether numpy's einsum("ij,ij->i") sums a row of three squares as (x0^2 + x2^2) + x1^2, as the
    compiled `accel_fraction` does for |a| and |w| (numpy's two-lane loop; another numpy build may
    sum otherwise, and then numpy's `accel_fraction` runs: its results never depend on the kernel).
    Probed once on values where the orders round differently (`_einsum_probe_rows`)."""
    x = _einsum_probe_rows()
    sq = x * x
    return np.array_equal(np.einsum("ij,ij->i", x, x), (sq[:, 0] + sq[:, 2]) + sq[:, 1])


def _einsum_probe_rows() -> np.ndarray:
    """(256, 3) fixed values over a few binades (a Weyl sequence): about 50 of the rows' sums of
    squares round differently in each other order. Not numpy.random, whose import (~15 ms) would be
    paid by every analysis."""
    k = np.arange(1, 769, dtype=float)
    return (((k * 0.6180339887498949) % 1.0 - 0.5) * np.exp2(k % 7 - 3)).reshape(256, 3)


def _run_native(fuse, passes: list[tuple], settings: FusionSettings) -> list[tuple[np.ndarray, np.ndarray]]:
    """`run_passes` in the compiled kernel (`fusekernel.fuse_pass`, one call a pass; `fuse_pair`, two
    passes of one length in one call): the same recurrences as the blocked scans (per sample the
    accelerometer fraction, pull, error growth and Rodrigues rotation; the renormalised scan, the
    pull scaled by that solution's previous norm, the second renormalised scan, both made unit at
    every SCAN_BLOCK-th sample; the error scan) evaluated step by step in sample order: a third of
    the arithmetic, no blocked layout.
    The blocked scans associate the products otherwise, so the up-vectors agree with the numpy
    path's within a few units in the last place, not to the bit (every analysis output the same:
    docs/analysis.md, "Long recordings")."""
    move_gain, rest_gain = _gains(settings)
    params = (move_gain, rest_gain, settings.acc_tolerance_g, settings.turn_rate_dps, settings.cross_axis_fraction)
    err0 = float(settings.gyro_error_floor_deg)
    laid, outs = [], []
    for acc, w_rps, dt, rest, u0 in passes:
        m = len(acc)
        arrays, backward = _as_laid([acc, w_rps, dt, np.asarray(rest, dtype=bool)])
        laid.append((*arrays, backward, np.asarray(u0, float).ravel()))
        outs.append((np.empty((m, 3)), np.empty(m)))
    if len(passes) == 2 and len(passes[0][0]) == len(passes[1][0]) and hasattr(fuse, "fuse_pair"):
        # `fuse_passes`' forward and backward pass side by side, one in each vector lane: each
        # pass' bits those of fuse_pass, in ~85 % of the time of the two one after the other.
        fuse.fuse_pair(params, *laid[0], *outs[0], *laid[1], *outs[1], err0)
        return outs
    for (acc, w_rps, dt, rest, backward, u0), (up, err) in zip(laid, outs):
        fuse.fuse_pass(params, acc, w_rps, dt, rest, backward, u0, err0, up, err)
    return outs


def _as_laid(arrays: list[np.ndarray]) -> tuple[list[np.ndarray], bool]:
    """A pass' arrays as they lie in memory: (the arrays, False) in sample order, or, when every
    one is a C-contiguous array read backwards (`fuse_passes`' backward views), (those arrays,
    True), so the kernel reads them from the end instead of numpy copying each reversed (a strided
    copy, ~2 ns a value: a fifth of the fusion's time)."""
    flipped = [np.asarray(a)[::-1] for a in arrays]
    if len(arrays[0]) > 1 and all(f.flags.c_contiguous for f in flipped):
        return flipped, True
    return [contiguous(a) for a in arrays], False


def _fuse_scan(a: np.ndarray, pull: np.ndarray, kb: np.ndarray, grow: np.ndarray, x_first: list, x_up: list,
               x_err: list, chains: tuple) -> tuple:
    """The scans of one group of `_run` (numpy and `scan.affine_scan`): the up-vectors
    (block,3,1,nb), the error estimates (block,1,1,nb), and each chain's end states (first
    solution, second solution, error) to go on with."""
    from hiplevel.signal.scan import affine_scan, transfer_products

    trans = transfer_products(a)
    first: list = []
    u = affine_scan(a, pull, x_first, renorm=True, end=first, trans=trans, chains=chains)
    for _ in range(SCAN_NORM_ITERATIONS):
        # The loop pulls a unit vector; the scan's state drifts in norm within a block, so scale
        # each pull by the state's norm in the previous solution (block starts are unit).
        scale = np.ones(u.shape[:1] + (1, 1) + u.shape[3:])
        scale[1:] = np.sqrt(np.einsum("jdmq,jdmq->jmq", u, u))[:-1, None]
        last: list = []
        u = affine_scan(a, pull * scale, x_up, renorm=True, end=last, trans=trans, chains=chains)
    del trans
    # Error grows with the rotation the gyro integrated, shrinks with each correction.
    keep = 1.0 - kb
    errs: list = []
    err = affine_scan(keep, keep * grow, x_err, end=errs, chains=chains)
    return u, err, first, last, errs


def _fuse_scan_native(kernel, a: np.ndarray, pull: np.ndarray, kb: np.ndarray, grow: np.ndarray, x_first: list,
                      x_up: list, x_err: list, chains: tuple) -> tuple:
    """`_fuse_scan` in one call of the compiled kernel (`fusekernel.fuse_scan`: the same products
    and sums in the same order, the results to the bit; one norm-corrected scan)."""
    block, nb = a.shape[0], a.shape[-1]
    nc = len(chains)
    u, err = np.empty((block, 3, 1, nb)), np.empty((block, 1, 1, nb))
    ends, err_end = np.empty((2, nc, 3, 1)), np.empty((nc, 1, 1))
    c = np.ascontiguousarray
    kernel.fuse_scan(c(a, dtype=np.float64), c(pull, dtype=np.float64), c(kb, dtype=np.float64),
                     c(grow, dtype=np.float64), c(np.array([np.asarray(x, float).ravel() for x in x_first])),
                     c(np.array([np.asarray(x, float).ravel() for x in x_up])),
                     c(np.array([float(np.asarray(x, float).ravel()[0]) for x in x_err])),
                     np.asarray((*chains, nb), dtype=np.int64), u, err, ends[0], ends[1], err_end)
    return u, err, list(ends[0]), list(ends[1]), list(err_end)
