"""Vectorised recurrences for the offline fusion: a blocked scan of affine recurrences
x_i = A_i x_{i-1} + b_i, and the gyro's per-sample rotation matrices laid out for it.

Why: the per-sample Python loop of the filter (and the gyro-only propagation across turns) cost
~2-4 us per sample and step; an hour at 100 Hz runs it millions of times. The recurrence is affine
in the state once the per-sample gains are known (they depend on the samples only, not on the
state), so it can be evaluated for blocks of `SCAN_BLOCK` samples at once: numpy steps through all
blocks in parallel (each from a zero start and an identity transfer matrix), a short loop chains
the blocks, and one product places every sample. Same arithmetic as the loop in another order.

Blocked layout: sample i = q * block + j of an (N, ...) array sits at [j, ..., q] of a
(block, ..., nblocks) array, so each step works on contiguous rows of nblocks values (numpy's
batched 3x3 matmul is several times slower).
"""

from __future__ import annotations

import math

import numpy as np

from hiplevel._native import scan_kernel, turn_kernel

SCAN_BLOCK = 64  # samples per block: short enough for the block loop, long enough for the chain loop
# Blocks of each pass scanned at once (4,096 samples): bounds the memory of a long scan, and keeps a
# fusion group's blocked arrays (two passes, ~1.2 MB) in the second-level cache: 8,192 samples (2.4 MB)
# made `fuse_passes` ~8 % slower. The results do not depend on it (the states go on from group to group).
SCAN_GROUP = 64


def to_blocks(x: np.ndarray, block: int = SCAN_BLOCK, fill: float = 0.0) -> np.ndarray:
    """(N, ...) -> (block, ..., nblocks), the tail padded with `fill`."""
    x = np.asarray(x, float)
    n = len(x)
    nb = max(1, -(-n // block))
    pad = nb * block - n
    if pad:
        x = np.concatenate([x, np.full((pad,) + x.shape[1:], fill)])
    y = x.reshape((nb, block) + x.shape[1:])
    return np.ascontiguousarray(np.moveaxis(y, 0, -1))


def from_blocks(y: np.ndarray, n: int) -> np.ndarray:
    """(block, ..., nblocks) -> (n, ...): the inverse of `to_blocks`."""
    x = np.moveaxis(y, -1, 0)
    return x.reshape((-1,) + y.shape[1:-1])[:n]


def rotation_blocks(w_rps: np.ndarray, dt_s: np.ndarray, block: int = SCAN_BLOCK) -> np.ndarray:
    """(block,3,3,nblocks) matrices R_i with R_i @ u = u rotated by -w_i*dt_i (du/dt = u x w): the
    exact per-sample Rodrigues step of `fusion.tilt_step`. w_rps (N,3) rad/s, body frame; dt_s
    (N,) s (negative for a backward pass); padding samples get the identity."""
    w = to_blocks(w_rps, block)  # (block, 3, nb)
    dt = to_blocks(np.broadcast_to(np.asarray(dt_s, float), (len(w_rps),)), block)
    mag = np.sqrt(np.einsum("jkq,jkq->jq", w, w))
    theta = mag * dt
    c, s = np.cos(theta), -np.sin(theta)  # numpy's cos and sin on both paths
    kernel = scan_kernel()
    if kernel is not None:
        # The rest in the compiled kernel: the same expressions, each product and sum rounded alike.
        r = np.empty((w.shape[0], 3, 3, w.shape[2]))
        kernel.rotations(w, np.ascontiguousarray(mag), np.ascontiguousarray(c), np.ascontiguousarray(s), r)
        return r
    kx, ky, kz = np.moveaxis(w / np.where(mag > 0.0, mag, 1.0)[:, None], 1, 0)
    oc = 1.0 - c
    # R = c I + s [k]x + (1 - c) k k^T, with [k]x u = k x u; theta = 0 gives I (u untouched).
    sx, sy, sz = s * kx, s * ky, s * kz
    oxy, oxz, oyz = oc * kx * ky, oc * kx * kz, oc * ky * kz
    r = np.empty((w.shape[0], 3, 3, w.shape[2]))
    r[:, 0, 0], r[:, 0, 1], r[:, 0, 2] = c + oc * kx * kx, oxy - sz, oxz + sy
    r[:, 1, 0], r[:, 1, 1], r[:, 1, 2] = oxy + sz, c + oc * ky * ky, oyz - sx
    r[:, 2, 0], r[:, 2, 1], r[:, 2, 2] = oxz - sy, oyz + sx, c + oc * kz * kz
    return r


def _mat(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Per-block products a @ x: a (d,d,nb), x (d,m,nb) -> (d,m,nb)."""
    out = a[:, 0, None] * x[0]
    for k in range(1, a.shape[1]):
        out += a[:, k, None] * x[k]
    return out


def _block_loop(a: np.ndarray, x: np.ndarray, b: np.ndarray | None = None, mask: np.ndarray | None = None) -> None:
    """In place: x[j] = a[j] @ x[j-1] (+ b[j]) for j = 1 .. block-1, each block on its own (x[0]
    set by the caller); where mask[j] (block, nb) is true, x[j] = a[j] instead (a restart). The
    compiled kernel (`hiplevel._native.scankernel`) when built, with the same sums in the same
    order (the results to the bit); else numpy (`_mat`)."""
    kernel = scan_kernel()
    arrays = [a, x] + [v for v in (b,) if v is not None]
    if kernel is not None and all(v.dtype == np.float64 and v.flags.c_contiguous for v in arrays) and x.flags.writeable:
        kernel.chain(a, x, b, None if mask is None else np.ascontiguousarray(mask, dtype=np.uint8))
        return
    for j in range(1, len(x)):
        x[j] = _mat(a[j], x[j - 1]) if b is None else _mat(a[j], x[j - 1]) + b[j]
        if mask is not None:
            np.copyto(x[j], a[j], where=mask[j])


def _combine(t: np.ndarray, st: np.ndarray, out: np.ndarray | None, mask: np.ndarray | None = None) -> np.ndarray:
    """Every sample from its block's start state st (d,m,nb) through t (block,d,d,nb):
    out + t @ st per block (in place on `out`), or t @ st when out is None; where mask (block,
    nb) is true, t itself. The compiled kernel when built (the same sums in the same order), else
    numpy."""
    kernel = scan_kernel()
    if kernel is not None and t.dtype == np.float64 and t.flags.c_contiguous and (
            out is None or (out.dtype == np.float64 and out.flags.c_contiguous and out.flags.writeable)):
        dst = np.empty(t.shape[:2] + st.shape[1:2] + t.shape[3:]) if out is None else out
        kernel.combine(t, np.ascontiguousarray(st, dtype=np.float64), dst, out is not None,
                       None if mask is None else np.ascontiguousarray(mask, dtype=np.uint8))
        return dst
    d = t.shape[1]
    if out is None:
        out = t[:, :, 0, None] * st[0]
        ks = range(1, d)
    else:
        ks = range(d)
    for k in ks:
        out += t[:, :, k, None] * st[k]
    if mask is not None:
        out = np.where(mask[:, None, None], t, out)
    return out


def transfer_products(a: np.ndarray) -> np.ndarray:
    """(block,d,d,nb) products a_j @ ... @ a_0 within each block: how a block's start state reaches
    each of its samples (shared by every scan with the same a, `affine_scan(trans=...)`)."""
    block, d, _, nb = a.shape
    trans = np.empty((block, d, d, nb))
    trans[0] = a[0]
    _block_loop(a, trans)
    return trans


def affine_scan(a: np.ndarray, b: np.ndarray, x0: np.ndarray | list, renorm: bool = False, end: list | None = None,
                trans: np.ndarray | None = None, chains: tuple[int, ...] = (0,)) -> np.ndarray:
    """All states of x_i = a_i @ x_(i-1) + b_i from x_(-1) = x0, in the blocked layout.

    a (block,d,d,nb); b (block,d,m,nb); x0 (d,m). Returns (block,d,m,nb).
    renorm: x0 and each block's start state are scaled to unit norm (for a state that is only a
    direction, such as the up-vector: the filter normalises each step; within a block the state's
    norm may drift slightly, see `fusion_scan.run_passes`). end: if given, the state after the last block is
    appended to it (the x0 of a scan that goes on with the next blocks: the same result as one
    scan over all of them). trans: `transfer_products(a)` when already computed. chains: block
    indices where independent recurrences start, laid end to end (x0 and end: one state each):
    one call scans several of them, as fast as one (the block loop is the costly part)."""
    block, d, m, nb = b.shape
    if trans is None:
        trans = transfer_products(a)
    zero_start = np.empty((block, d, m, nb))
    zero_start[0] = b[0]
    _block_loop(a, zero_start, b)
    last_t = np.ascontiguousarray(np.moveaxis(trans[-1], -1, 0))
    last_v = np.ascontiguousarray(np.moveaxis(zero_start[-1], -1, 0))
    x0s = x0 if len(chains) > 1 else [x0]
    st = _chain(last_t, last_v, x0s, (*chains, nb), renorm, end)  # (d, m, nb)
    return _combine(trans, st, zero_start)


def _chain(last_t: np.ndarray, last_v: np.ndarray, x0s: list, bounds: tuple, renorm: bool,
           end: list | None) -> np.ndarray:
    """Block start states (d, m, nb): x_(q+1) = T_q x_q + v_q along each chain (bounds: its first
    blocks, then nb). The loop is sequential, so it runs on Python floats for a vector state
    (numpy's per-call cost would be most of the scan); a matrix state goes through numpy."""
    nb, d, m = last_v.shape
    kernel = scan_kernel()
    if kernel is not None and (m == 1 and d in (1, 3) or (d, m) == (3, 3) and not renorm):
        return _chain_native(kernel, last_t, last_v, x0s, bounds, renorm, end)
    if (d, m) == (3, 3) and not renorm:
        return _chain_matrix(last_t, last_v, x0s, bounds, end)
    if m != 1 or d not in (1, 3):
        starts = np.empty((nb, d, m))
        for c, x in enumerate(x0s):
            x = np.array(x, float)
            for q in range(bounds[c], bounds[c + 1]):
                if renorm:
                    x = x / np.linalg.norm(x)
                starts[q] = x
                x = last_t[q] @ x + last_v[q]
            if end is not None:
                end.append(x)
        return np.moveaxis(starts, 0, -1)
    out: list = []
    t_all, v_all = last_t.reshape(nb, d * d).tolist(), last_v.reshape(nb, d).tolist()
    for c, x in enumerate(x0s):
        lo, hi = bounds[c], bounds[c + 1]
        if d == 1:
            x0 = float(np.asarray(x).ravel()[0])
            for (t,), (v,) in zip(t_all[lo:hi], v_all[lo:hi]):
                if renorm:
                    x0 = x0 / abs(x0)
                out.append((x0,))
                x0 = t * x0 + v
            state = np.array([[x0]])
        else:
            x0, x1, x2 = (float(u) for u in np.asarray(x).ravel())
            for t, v in zip(t_all[lo:hi], v_all[lo:hi]):
                if renorm:
                    nrm = math.sqrt(x0 * x0 + x1 * x1 + x2 * x2)
                    x0, x1, x2 = x0 / nrm, x1 / nrm, x2 / nrm
                out.append((x0, x1, x2))
                x0, x1, x2 = (t[0] * x0 + t[1] * x1 + t[2] * x2 + v[0], t[3] * x0 + t[4] * x1 + t[5] * x2 + v[1],
                              t[6] * x0 + t[7] * x1 + t[8] * x2 + v[2])
            state = np.array([[x0], [x1], [x2]])
        if end is not None:
            end.append(state)
    return np.asarray(out, dtype=float).reshape(nb, d, 1).transpose(1, 2, 0)


def _chain_native(kernel, last_t: np.ndarray, last_v: np.ndarray, x0s: list, bounds: tuple, renorm: bool,
                  end: list | None) -> np.ndarray:
    """`_chain` / `_chain_matrix` in the compiled kernel (the same products and sums in the same
    order, on doubles: the results to the bit)."""
    nb, d, m = last_v.shape
    x0 = np.ascontiguousarray(np.stack([np.asarray(x, float).reshape(d, m) for x in x0s]), dtype=np.float64)
    starts, ends = np.empty((d, m, nb)), np.empty((len(x0s), d, m))
    kernel.states(np.ascontiguousarray(last_t, dtype=np.float64), np.ascontiguousarray(last_v, dtype=np.float64), x0,
                  np.asarray(bounds, dtype=np.int64), renorm, starts, ends)
    if end is not None:
        end.extend(ends)
    return starts


def _chain_matrix(last_t: np.ndarray, last_v: np.ndarray, x0s: list, bounds: tuple, end: list | None) -> np.ndarray:
    """`_chain` for a 3x3 state (the gyro-only propagation of `segment_products`), on floats."""
    nb = len(last_v)
    out: list = []
    t_all, v_all = last_t.reshape(nb, 9).tolist(), last_v.reshape(nb, 9).tolist()
    for c, x in enumerate(x0s):
        lo, hi = bounds[c], bounds[c + 1]
        a, b, cc, d, e, f, g, h, i = (float(u) for u in np.asarray(x, float).ravel())
        for (t0, t1, t2, t3, t4, t5, t6, t7, t8), (v0, v1, v2, v3, v4, v5, v6, v7, v8) in zip(t_all[lo:hi], v_all[lo:hi]):
            out.append((a, b, cc, d, e, f, g, h, i))
            a, b, cc, d, e, f, g, h, i = (
                t0 * a + t1 * d + t2 * g + v0, t0 * b + t1 * e + t2 * h + v1, t0 * cc + t1 * f + t2 * i + v2,
                t3 * a + t4 * d + t5 * g + v3, t3 * b + t4 * e + t5 * h + v4, t3 * cc + t4 * f + t5 * i + v5,
                t6 * a + t7 * d + t8 * g + v6, t6 * b + t7 * e + t8 * h + v7, t6 * cc + t7 * f + t8 * i + v8)
        if end is not None:
            end.append(np.array([[a, b, cc], [d, e, f], [g, h, i]]))
    return np.asarray(out, dtype=float).reshape(nb, 3, 3).transpose(1, 2, 0)


def segment_window_means(w_rps: np.ndarray, dt_s: float, lengths: np.ndarray, refs) -> np.ndarray:
    """For segments of lengths (k,) laid end to end in w_rps (N,3) rad/s, with (head, tail) window
    lengths refs (k,2): the means of the gyro-only products P_i of `segment_products` over each
    segment's first `head` and its last `tail` samples, (k,2,3,3); from the running sums over all N
    samples (`cumsum`). The compiled kernel when built (the products step by step: within a few
    units in the last place of numpy's blocked ones), else numpy."""
    lengths = np.asarray(lengths, int)
    refs = np.asarray(refs, int).reshape(len(lengths), 2)
    bounds = np.r_[0, np.cumsum(lengths)]
    starts = bounds[:-1]
    n = len(w_rps)
    turn = turn_kernel()
    if (turn is not None and np.asarray(w_rps).dtype == np.float64 and len(lengths)
            and refs.min() >= 1 and (refs.sum(axis=1) <= lengths).all()):
        first = np.zeros(n, np.uint8)
        first[starts] = 1
        out = np.empty((len(lengths), 2, 3, 3))
        turn.segment_steps(np.ascontiguousarray(w_rps), float(dt_s), first, out, bounds.astype(np.int64),
                           np.ascontiguousarray(refs, dtype=np.int64))
        return out
    p = segment_products(w_rps, dt_s, starts)
    c = np.empty((len(p) + 1, 3, 3))  # the running sums after a zero row, in place
    c[0] = 0.0
    np.cumsum(p, axis=0, out=c[1:])
    out = np.empty((len(lengths), 2, 3, 3))
    for k, (s, m, (h, t)) in enumerate(zip(starts, lengths, refs)):
        out[k, 0], out[k, 1] = (c[s + h] - c[s]) / h, (c[s + m] - c[s + m - t]) / t
    return out


def segment_products(w_rps: np.ndarray, dt_s: float, starts: np.ndarray) -> np.ndarray:
    """Cumulative gyro-only rotation products P_i = R_i @ ... @ R_s, (N,3,3), restarting at each
    index in `starts` (segments laid end to end): P_i @ u is u propagated from its segment's start."""
    n = len(w_rps)
    turn = turn_kernel()
    if turn is not None and np.asarray(w_rps).dtype == np.float64:
        # The compiled products step by step (`turnkernel.segment_steps`: the blocked scan's products
        # associated in sample order, within a few units in the last place).
        first = np.zeros(n, np.uint8)
        first[np.asarray(starts, int)] = 1
        out = np.empty((n, 3, 3))
        turn.segment_steps(np.ascontiguousarray(w_rps), float(dt_s), first, out)
        return out
    r = rotation_blocks(w_rps, np.full(n, dt_s))
    first = np.zeros(n, bool)
    first[np.asarray(starts, int)] = True
    f = to_blocks(first)  # (block, nb)
    # One product per block instead of `affine_scan`'s two (the block's transfer products and its
    # zero-start states), the same arithmetic: c_j = R_j ... R_s from the block's start or the
    # segment start s within it, whichever is later.
    c = np.empty_like(r)
    c[0] = r[0]
    _block_loop(r, c, mask=f > 0)
    started = np.maximum.accumulate(f, axis=0) > 0  # (block, nb): a segment started in the block
    end_started = started[-1]
    last_t = np.ascontiguousarray(np.moveaxis(np.where(end_started, 0.0, c[-1]), -1, 0))
    last_v = np.ascontiguousarray(np.moveaxis(np.where(end_started, c[-1], 0.0), -1, 0))
    st = _chain(last_t, last_v, [np.eye(3)], (0, r.shape[-1]), False, None)  # (3, 3, nb) block starts
    return from_blocks(_combine(c, st, None, started), n)
