"""The compiled fusion pass (`fusekernel.fuse_pass`, `fuse_pair`) against a plain step-by-step
reference in Python floats (IEEE doubles, each operation rounded as C rounds it): the per-sample
terms (`fuse_terms.h`: Rodrigues matrix times 1 - k, pull, error growth; the small-angle polynomials,
the C library's sine and cosine beyond 0.3 rad) and the recurrences (`fuse_pass.h`), every value
to the bit, in the kernel's order of operations: forward and backward, a lone pass and two side
by side in either lane order, across the kernel's groups of 4,096 samples and blocks of 64. The
kernel computes the terms in a vectorised loop and the steps in vector lanes; any reassociation,
contraction or term of the wrong sample shows here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hiplevel._native import fuse_kernel

needs_kernel = pytest.mark.skipif(fuse_kernel() is None, reason="the compiled fusion kernel is not built here")

BLOCK = 64  # fuse_pass.h FB: the states are made unit at every 64th step
DEG_RAD = 3.141592653589793 / 180.0
S = (-1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04,
     2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10)
C = (4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05,
     -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11)


def _sin_cos(x: float) -> tuple[float, float]:
    """rotation.h's small_sin / small_cos within 0.3 rad, the C library's beyond."""
    if not abs(x) <= 0.3:
        return math.sin(x), math.cos(x)
    z = x * x
    v = z * x
    r = S[1] + z * (S[2] + z * (S[3] + z * (S[4] + z * S[5])))
    s = x if abs(x) < 2.0**-27 else x + v * (S[0] + z * r)
    rc = z * (C[0] + z * (C[1] + z * (C[2] + z * (C[3] + z * (C[4] + z * C[5])))))
    return s, 1.0 - (0.5 * z - z * rc)


def _accel_k(norm_a: float, mag: float, adt: float, gain: float, tol: float, turn: float) -> float:
    weight = 1.0 - abs(norm_a - 1.0) / tol if tol > 0 else 0.0
    pre = weight
    if turn > 0:
        rate = mag / DEG_RAD / turn
        weight = weight / (1.0 + rate * rate)
    x = gain * adt * weight
    k = 1.0 if 1.0 <= x else x
    return k if pre > 0.0 and norm_a > 0.0 and gain > 0 else 0.0


def _terms(a, w, dt: float, gain: float, tol: float, turn: float, cross: float):
    """One sample's step matrix R (1 - k) (row-major), pull, 1 - k and (1 - k) growth."""
    w0, w1, w2 = (float(x) for x in w)
    a0, a1, a2 = (float(x) for x in a)
    magr = math.sqrt(w0 * w0 + w1 * w1 + w2 * w2)
    mr = magr if magr > 0.0 else 1.0
    kx, ky, kz = w0 / mr, w1 / mr, w2 / mr
    sn, c = _sin_cos(magr * dt)
    s = -sn
    norm_a = math.sqrt((a0 * a0 + a2 * a2) + a1 * a1)
    mag = math.sqrt((w0 * w0 + w2 * w2) + w1 * w1)
    adt = abs(dt)
    k = _accel_k(norm_a, mag, adt, gain, tol, turn)
    na = norm_a if norm_a > 0.0 else 1.0
    oc = 1.0 - c
    ocx, ocy, ocz = oc * kx, oc * ky, oc * kz
    oxy, oxz, oyz = ocx * ky, ocx * kz, ocy * kz
    r = (c + ocx * kx, oxy - s * kz, oxz + s * ky, oxy + s * kz, c + ocy * ky, oyz - s * kx, oxz - s * ky,
         oyz + s * kx, c + ocz * kz)
    keep = 1.0 - k
    return [x * keep for x in r], ((k * a0) / na, (k * a1) / na, (k * a2) / na), keep, keep * ((cross * mag) * adt)


def _reference_pass(params, acc, w, dt, rest, backward: bool, u0, err0: float):
    """The pass step by step: u1 = a u1 + pull, u2 = a u2 + pull |u1 before|, both made unit at a
    block's first step (the pull's scale then 1); the error (1 - k) e + (1 - k) growth; u2 / |u2| out."""
    move_gain, rest_gain, tol, turn, cross = params
    order = range(len(acc) - 1, -1, -1) if backward else range(len(acc))
    u1, u2, err = [float(x) for x in u0], [float(x) for x in u0], err0
    up, eo = np.empty((len(acc), 3)), np.empty(len(acc))
    for i, j in enumerate(order):
        a, pull, keep, kgrow = _terms(acc[j], w[j], float(dt[j]), rest_gain if rest[j] else move_gain, tol, turn, cross)
        n1 = math.sqrt(u1[0] * u1[0] + u1[1] * u1[1] + u1[2] * u1[2])
        if i % BLOCK == 0:
            n2 = math.sqrt(u2[0] * u2[0] + u2[1] * u2[1] + u2[2] * u2[2])
            u1, u2, sc = [x / n1 for x in u1], [x / n2 for x in u2], 1.0
        else:
            sc = n1
        y1 = [a[3 * q] * u1[0] + a[3 * q + 1] * u1[1] + a[3 * q + 2] * u1[2] for q in range(3)]
        y2 = [a[3 * q] * u2[0] + a[3 * q + 1] * u2[1] + a[3 * q + 2] * u2[2] for q in range(3)]
        u1 = [y + p for y, p in zip(y1, pull)]
        u2 = [y + p * sc for y, p in zip(y2, pull)]
        err = keep * err + kgrow
        nrm = math.sqrt((u2[0] * u2[0] + u2[2] * u2[2]) + u2[1] * u2[1])
        up[i] = [x / nrm for x in u2]
        eo[i] = err
    return up, eo


def _samples(n: int, seed: int):
    rng = np.random.default_rng(seed)
    dt = rng.uniform(0.009, 0.011, n)
    acc = rng.normal(0, 0.15, (n, 3)) + [0.0, 0.05, 1.0]
    acc[::97] *= 1.4  # beyond the tolerance: k = 0
    w = np.radians(rng.normal(0, 40.0, (n, 3)))
    w[::53] *= 60.0  # angles beyond 0.3 rad: the C library's sine and cosine
    w[n // 2 :: 29] *= 1e-9  # tiny angles: sin x = x
    rest = rng.random(n) < 0.3
    acc[[5, 9] if n > 9 else []] = 0.0  # no acceleration (no pull), no rotation (the axis 0), both
    w[[7, 9] if n > 9 else []] = 0.0
    return acc, w, dt, rest


def _same(x: np.ndarray, y: np.ndarray) -> None:
    assert x.shape == y.shape
    np.testing.assert_array_equal(x.view(np.int64), y.view(np.int64))


@needs_kernel
@pytest.mark.parametrize("n", [3, 130, 4096 + 170])
def test_the_compiled_passes_are_the_step_by_step_reference_to_the_bit(n: int) -> None:
    acc, w, dt, rest = _samples(n, n)
    acc2, w2, dt2, rest2 = _samples(n, n + 1)
    params, err0 = (0.125, 2.0, 0.25, 60.0, 0.02), 0.1
    # A forward pass, and a backward one read from the end of its arrays (dt < 0), as fuse_passes lays them.
    fwd = (acc, w, dt, rest.view(np.uint8), False, np.array([0.02, -0.01, 0.99]))
    bwd = (acc2, w2, -dt2, rest2.view(np.uint8), True, np.array([-0.03, 0.04, 0.98]))
    want = {id(p): _reference_pass(params, *p, err0) for p in (fwd, bwd)}
    assert np.count_nonzero(np.linalg.norm(w, axis=1) * dt > 0.3) >= n // 60  # the library's branch is taken
    fuse = fuse_kernel()
    for p in (fwd, bwd):
        up, err = np.empty((n, 3)), np.empty(n)
        fuse.fuse_pass(params, *p, err0, up, err)
        _same(up, want[id(p)][0])
        _same(err, want[id(p)][1])
    for a, b in ((fwd, bwd), (bwd, fwd), (fwd, fwd), (bwd, bwd)):
        outs = [(np.empty((n, 3)), np.empty(n)) for _ in range(2)]
        fuse.fuse_pair(params, *a, *outs[0], *b, *outs[1], err0)
        for (up, err), p in zip(outs, (a, b)):
            _same(up, want[id(p)][0])
            _same(err, want[id(p)][1])
