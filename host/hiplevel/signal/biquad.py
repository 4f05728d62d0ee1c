"""Butterworth design and second-order-section filtering in numpy: the few `scipy.signal` functions
the analysis uses (`butter` as sos, `sosfilt`, `sosfilt_zi`, `sosfiltfilt`, `sos2tf`), with the
same conventions and results within float rounding (tests compare them with scipy).

Why not scipy.signal: importing it loads scipy.stats, scipy.optimize and scipy.interpolate,
about 0.8 s of CPU, more than half the start-up of `hiplevel analyze` (issue 13).

How: a biquad in transposed direct form II is the linear state-space system
s_(n+1) = A s_n + B x_n, y_n = C s_n + D x_n (state s = scipy's zi). The signal is cut into blocks
of up to `BLOCK_SAMPLES` samples, each filtered from a zero state, all blocks side by side (one
numpy operation per step of a block, not per sample); the true state at each block start then
follows from the blocks' end states by the same kind of recursion with A^L (`_chain_states`,
blocked again when long), and its free response C A^j s is added to each block. The same
arithmetic as the per-sample recursion in another order: results differ by float rounding only
(~1e-12 relative for the stable sections here; tests compare with scipy).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from hiplevel._native import filter_kernel
from hiplevel.signal.contiguous import concat_rows, contiguous

BLOCK_SAMPLES = 64  # most samples per block (the steps of the block loop; the chain of block starts is N / 64)
_DIRECT_MAX_SAMPLES = 32  # shorter signals (live packets): the plain recursion on Python floats


def butter_sos(order: int, wn: float | tuple[float, float], btype: str = "low") -> np.ndarray:
    """Digital Butterworth filter as second-order sections (n_sections, 6), as
    `scipy.signal.butter(order, wn, btype, output="sos")`. wn: cutoff(s) as a fraction of Nyquist
    (0 < wn < 1); btype "low", "high" or "band" (wn = (low, high))."""
    z, p, k = _butter_zpk(int(order), np.atleast_1d(np.asarray(wn, float)), btype)
    return _zpk2sos(z, p, k)


def _butter_zpk(order: int, wn: np.ndarray, btype: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Analogue Butterworth prototype, band transform, then the bilinear transform (fs = 2)."""
    if order < 1 or np.any(wn <= 0) or np.any(wn >= 1):
        raise ValueError(f"Butterworth needs order >= 1 and 0 < wn < 1, got {order}, {wn}")
    p = -np.exp(1j * np.pi * np.arange(-order + 1, order, 2) / (2 * order))
    z, k = np.zeros(0, complex), 1.0
    fs = 2.0
    warped = 2 * fs * np.tan(np.pi * wn / fs)  # pre-warp so the digital cutoff lands at wn
    degree = len(p) - len(z)
    if btype == "low":
        z, p, k = z * warped[0], p * warped[0], k * warped[0] ** degree
    elif btype == "high":
        k = k * float(np.real(np.prod(-z) / np.prod(-p)))
        z, p = np.append(warped[0] / z, np.zeros(degree)), warped[0] / p
    elif btype == "band":
        if len(wn) != 2:
            raise ValueError("a band-pass needs wn = (low, high)")
        bw, wo = warped[1] - warped[0], math.sqrt(warped[0] * warped[1])
        z_lp, p_lp = z * bw / 2, p * bw / 2
        z = np.concatenate([z_lp + np.sqrt(z_lp**2 - wo**2), z_lp - np.sqrt(z_lp**2 - wo**2), np.zeros(degree)])
        p = np.concatenate([p_lp + np.sqrt(p_lp**2 - wo**2), p_lp - np.sqrt(p_lp**2 - wo**2)])
        k = k * bw**degree
    else:
        raise ValueError(f"btype must be 'low', 'high' or 'band', not {btype!r}")
    fs2 = 2 * fs
    degree = len(p) - len(z)
    k = k * float(np.real(np.prod(fs2 - z) / np.prod(fs2 - p)))
    z = np.append((fs2 + z) / (fs2 - z), -np.ones(degree))
    return z, (fs2 + p) / (fs2 - p), k


def _zpk2sos(z: np.ndarray, p: np.ndarray, k: float) -> np.ndarray:
    """Sections from zeros, poles, gain: the poles closest to the unit circle last (as scipy), each
    pair with its two nearest zeros, the gain in the first section. Pairing changes rounding only."""
    p = list(p)
    z = list(z)
    sections = []
    while p:
        # The remaining pole nearest the unit circle (and its conjugate) makes the next-to-last section.
        i = int(np.argmin([abs(1 - abs(q)) for q in p]))
        q = p.pop(i)
        if abs(q.imag) > 1e-12 * max(1.0, abs(q)):
            j = int(np.argmin([abs(c - np.conj(q)) for c in p]))
            poles = [q, p.pop(j)]
        else:
            reals = [c for c in p if abs(c.imag) <= 1e-12 * max(1.0, abs(c))]
            poles = [q] + ([p.pop(p.index(min(reals, key=lambda c: abs(c - q))))] if reals else [])
        zeros = []
        for _ in poles:
            if z:
                zeros.append(z.pop(int(np.argmin([abs(c - q) for c in z]))))
        b = np.real(np.poly(zeros)) if zeros else np.ones(1)
        a = np.real(np.poly(poles))
        # A first-order section is padded on the right (b0 + b1 z^-1, as scipy's odd orders).
        sections.append(np.concatenate([np.append(b, np.zeros(3 - len(b))), np.append(a, np.zeros(3 - len(a)))]))
    sos = np.array(sections[::-1], float)
    sos[0, :3] *= k
    return sos


def _powers(step: np.ndarray, count: int) -> np.ndarray:
    """step^j, j = 0..count, (count+1, 2, 2) (read-only: shared by the calls with the same step)."""
    return _powers_of(tuple(step.ravel().tolist()), count)


@functools.lru_cache(maxsize=256)
def _powers_of(step: tuple[float, ...], count: int) -> np.ndarray:
    m = np.array(step).reshape(2, 2)
    out = np.empty((count + 1, 2, 2))
    out[0] = np.eye(2)
    for j in range(1, count + 1):
        out[j] = m @ out[j - 1]
    out.flags.writeable = False
    return out


def _coefficients(section: tuple[float, ...]) -> tuple[float, float, float, float, float]:
    """(b0, b1, b2, a1, a2) normalised by a0."""
    b0, b1, b2, a0, a1, a2 = section
    return b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0


def _section_direct(section: tuple[float, ...], x: np.ndarray, zi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The plain DF2T recursion on Python floats, column by column (short signals)."""
    b0, b1, b2, a1, a2 = _coefficients(section)
    y = np.empty_like(x)
    zf = np.empty_like(zi)
    for c in range(x.shape[1]):
        z0, z1 = float(zi[0, c]), float(zi[1, c])
        col = []
        for v in x[:, c].tolist():
            out = b0 * v + z0
            z0, z1 = b1 * v - a1 * out + z1, b2 * v - a2 * out
            col.append(out)
        y[:, c] = col
        zf[0, c], zf[1, c] = z0, z1
    return y, zf


def _section_blocked(section: tuple[float, ...], x: np.ndarray, zi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One section over x (N,m) from states zi (2,m), all blocks side by side (module docstring).

    Layout: sample q * L + j of column c at [j, c * nb + q], so each step works on one contiguous
    row of every block (elementwise numpy: no BLAS call, whose threads cost more CPU than they
    save on a busy machine)."""
    b0, b1, b2, a1, a2 = _coefficients(section)
    n, m = x.shape
    L = min(BLOCK_SAMPLES, max(8, math.isqrt(n)))
    nb = -(-n // L)
    r = n - (nb - 1) * L  # samples in the last block
    kernel = filter_kernel()
    if kernel is not None and hasattr(kernel, "biquad_section"):
        # All of the below compiled (the same operations in the same order: the results to the bit).
        powers = _powers(np.array([[-a1, 1.0], [-a2, 0.0]]), L)
        out, last, tail = np.empty((n, m)), np.empty((m, 2)), np.empty((2, m))
        kernel.biquad_section(np.asarray(x, dtype=float), out, np.ascontiguousarray(np.asarray(zi, float).T),
                              powers, _chain_plan(tuple(powers[L].ravel().tolist()), nb), last, tail,
                              b0, b1, b2, a1, a2, L)
        return out, powers[r] @ last.T + tail
    xt = np.zeros((m, nb * L))
    xt[:, :n] = x.T
    xs = np.ascontiguousarray(xt.reshape(m * nb, L).T)  # (L, m*nb): column c, block q at c*nb+q
    # Every block from a zero state: the same DF2T step as the recursion (y starts as b0 x; the
    # loop adds the state).
    z0, z1 = np.zeros(m * nb), np.zeros(m * nb)
    last = np.arange(m) * nb + nb - 1
    if kernel is not None:
        # The same loop compiled (the same operations in the same order: the results to the bit).
        y, tail0, tail1 = np.empty_like(xs), np.empty(m * nb), np.empty(m * nb)
        kernel.biquad_blocks(xs, y, z0, z1, tail0, tail1, b0, b1, b2, a1, a2, r)
        tail = (tail0[last], tail1[last])
    else:
        z0, z1, y, tail = _block_loop(xs, z0, z1, (b0, b1, b2, a1, a2), r, last)
    step = np.array([[-a1, 1.0], [-a2, 0.0]])
    powers = _powers(step, L)
    ends = np.stack([z0.reshape(m, nb).T, z1.reshape(m, nb).T], axis=-1)  # (nb, m, 2)
    starts = _chain_states(powers[L], ends, np.asarray(zi, float).T)
    s0 = starts[..., 0].T.reshape(m * nb)
    s1 = starts[..., 1].T.reshape(m * nb)
    # Each block's start state reaches sample j through C A^j, C = (1, 0).
    y += powers[:L, 0, 0, None] * s0 + powers[:L, 0, 1, None] * s1
    out = y.T.reshape(m, nb * L)[:, :n].T
    zf = powers[r] @ starts[-1].T + np.stack(tail)
    return out, zf


def _block_loop(xs: np.ndarray, z0: np.ndarray, z1: np.ndarray, coefs: tuple[float, ...], r: int,
                last: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The block loop of `_section_blocked` in numpy: (end z0, end z1, y, the states of columns
    `last` after step r - 1)."""
    b0, b1, b2, a1, a2 = coefs
    y = b0 * xs
    t1, t2 = np.empty(len(z0)), np.empty(len(z0))
    tail = None
    for j in range(len(xs)):
        xj, yj = xs[j], y[j]
        yj += z0
        np.multiply(b1, xj, out=t1)
        t1 -= np.multiply(a1, yj, out=t2)
        t1 += z1
        z0, t1 = t1, z0
        np.multiply(b2, xj, out=z1)
        z1 -= np.multiply(a2, yj, out=t2)
        if j == r - 1:
            tail = (z0[last].copy(), z1[last].copy())
    return z0, z1, y, tail


@functools.lru_cache(maxsize=256)
def _chain_plan(step: tuple[float, ...], q_len: int) -> tuple[np.ndarray, ...]:
    """The powers (k+1, 2, 2) of each blocked level `_chain_states` goes through for a chain of
    q_len states with this step (row-major 2x2), down to its direct loop: the compiled section
    (`filterkernel.biquad_section`) takes them from here, so they are numpy's products."""
    levels = []
    m = np.array(step).reshape(2, 2)
    while q_len > _DIRECT_MAX_SAMPLES:
        k = min(BLOCK_SAMPLES, max(8, math.isqrt(q_len)))
        p = _powers(m, k)
        levels.append(p)
        m, q_len = p[k], -(-q_len // k)
    return tuple(levels)


def _chain_states(step: np.ndarray, u: np.ndarray, s0: np.ndarray) -> np.ndarray:
    """States s_q, q = 0..Q-1, of s_(q+1) = step @ s_q + u_q from s_0 = s0: step (2,2); u (Q,m,2)
    (m independent columns); s0 (m,2). Short chains loop on Python floats; long ones are blocked
    as the samples are and recurse on the block starts, so the sequential part stays short."""
    q_len, m, _ = u.shape
    (t00, t01), (t10, t11) = step.tolist()
    if q_len <= _DIRECT_MAX_SAMPLES:
        out = np.empty((q_len, m, 2))
        for c in range(m):
            a, b = (float(v) for v in s0[c])
            col = []
            for g0, g1 in u[:, c].tolist():
                col.append((a, b))
                a, b = t00 * a + t01 * b + g0, t10 * a + t11 * b + g1
            out[:, c] = col
        return out
    k = min(BLOCK_SAMPLES, max(8, math.isqrt(q_len)))
    nb = -(-q_len // k)
    ub = np.zeros((nb * k, m, 2))
    ub[:q_len] = u
    us = np.ascontiguousarray(ub.reshape(nb, k, m, 2).transpose(1, 3, 0, 2)).reshape(k, 2, nb * m)
    states = np.empty_like(us)
    a, b = np.zeros(nb * m), np.zeros(nb * m)
    for j in range(k):
        states[j, 0], states[j, 1] = a, b
        a, b = t00 * a + t01 * b + us[j, 0], t10 * a + t11 * b + us[j, 1]
    powers = _powers(step, k)
    starts = _chain_states(powers[k], np.stack([a, b], axis=-1).reshape(nb, m, 2), s0)
    st0, st1 = starts[..., 0].reshape(nb * m), starts[..., 1].reshape(nb * m)
    states[:, 0] += powers[:k, 0, 0, None] * st0 + powers[:k, 0, 1, None] * st1
    states[:, 1] += powers[:k, 1, 0, None] * st0 + powers[:k, 1, 1, None] * st1
    return states.reshape(k, 2, nb, m).transpose(2, 0, 3, 1).reshape(nb * k, m, 2)[:q_len]


def sosfilt(sos: np.ndarray, x: np.ndarray, zi: np.ndarray | None = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Causal filtering along axis 0 by sections, as `scipy.signal.sosfilt(sos, x, axis=0, zi=zi)`:
    x (N,) or (N,...); zi (n_sections, 2, ...) the start states (zero when None). Returns y, and
    the end states when zi is given."""
    sos = np.atleast_2d(np.asarray(sos, float))
    x = np.asarray(x, float)
    shape = x.shape
    x2 = x.reshape(len(x), int(np.prod(shape[1:])))
    z = np.zeros((len(sos), 2, x2.shape[1])) if zi is None else np.asarray(zi, float).reshape(len(sos), 2, -1)
    if z.shape[2] != x2.shape[1]:
        z = np.broadcast_to(z, (len(sos), 2, x2.shape[1]))
    zf = np.empty((len(sos), 2, x2.shape[1]))
    run = _section_direct if len(x2) <= _DIRECT_MAX_SAMPLES else _section_blocked
    for i, sec in enumerate(sos):
        x2, zf[i] = run(tuple(sec.tolist()), x2, z[i])
    y = x2.reshape(shape)
    if zi is None:
        return y
    return y, zf.reshape((len(sos), 2) + shape[1:])


def sosfilt_zi(sos: np.ndarray) -> np.ndarray:
    """(n_sections, 2) start states for a unit step's steady state, as `scipy.signal.sosfilt_zi`
    (scale by the first sample to start settled)."""
    sos = np.atleast_2d(np.asarray(sos, float))
    zi = np.empty((len(sos), 2))
    scale = 1.0
    for i, (b0, b1, b2, a0, a1, a2) in enumerate(sos.tolist()):
        b0, b1, b2, a1, a2 = b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0
        # Steady state of s = A s + B x for x = 1: (I - A) s = B.
        zi[i] = np.linalg.solve(np.array([[1.0 + a1, -1.0], [a2, 1.0]]), [b1 - a1 * b0, b2 - a2 * b0]) * scale
        scale *= (b0 + b1 + b2) / (1.0 + a1 + a2)
    return zi


@functools.lru_cache(maxsize=64)
def _settled_states(sos: bytes, sections: int) -> np.ndarray:
    """`sosfilt_zi` of the sos with these bytes, solved once per filter (a long recording is
    filtered chunk by chunk with the same few filters). Read-only."""
    zi = sosfilt_zi(np.frombuffer(sos).reshape(sections, 6))
    zi.flags.writeable = False
    return zi


def sosfiltfilt(sos: np.ndarray, x: np.ndarray, padlen: int | None = None) -> np.ndarray:
    """Zero-phase forward-backward filtering along axis 0, as `scipy.signal.sosfiltfilt(sos, x,
    axis=0, padlen=padlen)`: odd extension by padlen samples at each end (default 3 x the number
    of taps), each pass started settled at its first sample. Raises ValueError when x is not
    longer than padlen."""
    sos = np.atleast_2d(np.asarray(sos, float))
    x = np.asarray(x, float)
    if padlen is None:
        ntaps = 2 * len(sos) + 1 - min(int(np.sum(sos[:, 2] == 0)), int(np.sum(sos[:, 5] == 0)))
        padlen = 3 * ntaps
    n = len(x)
    if padlen >= n:
        raise ValueError(f"The length of the input vector x must be greater than padlen, which is {padlen}.")
    zi = _settled_states(sos.tobytes(), len(sos))
    kernel = filter_kernel()
    if kernel is not None and hasattr(kernel, "filtfilt") and n + 2 * padlen > _DIRECT_MAX_SAMPLES and x.ndim <= 2:
        # Both passes compiled from x itself (the extension, the reversal and the middle's copy
        # included): `_passes_compiled`'s operations on each element, the results to the bit.
        out = np.empty(x.shape)
        kernel.filtfilt(x.reshape(n, x.size // n), out.reshape(n, x.size // n), zi,
                        _section_plans(sos, n + 2 * padlen), padlen, _block_length(n + 2 * padlen))
        return out
    if padlen > 0:
        ext = concat_rows([2 * x[:1] - x[padlen:0:-1], x, 2 * x[-1:] - x[-2:-(padlen + 2):-1]])
    else:
        ext = x
    if kernel is not None and hasattr(kernel, "biquad_section") and len(ext) > _DIRECT_MAX_SAMPLES and x.ndim <= 2:
        # The passes run in place: ext must be this call's own (x itself when padlen is 0).
        own = ext if padlen > 0 else np.array(x)
        y = _passes_compiled(kernel, sos, own.reshape(len(ext), x.size // n), zi)
        return contiguous(y[padlen:len(y) - padlen] if padlen > 0 else y).reshape(x.shape)
    zi = zi.reshape((len(sos), 2) + (1,) * (x.ndim - 1))
    y, _ = sosfilt(sos, ext, zi=zi * ext[:1])
    y, _ = sosfilt(sos, y[::-1], zi=zi * y[-1:])
    y = y[::-1]
    return contiguous(y[padlen:len(y) - padlen] if padlen > 0 else y)


def _block_length(n: int) -> int:
    """Samples per block of `_section_blocked` for a signal of n samples."""
    return min(BLOCK_SAMPLES, max(8, math.isqrt(n)))


def _section_plans(sos: np.ndarray, n: int) -> tuple[tuple, ...]:
    """Per section of sos, what the compiled section takes for a signal of n samples: (powers
    (L+1, 2, 2), the chain's levels `_chain_plan`, b0, b1, b2, a1, a2)."""
    L = _block_length(n)
    nb = -(-n // L)
    plans = []
    for b0, b1, b2, a1, a2 in (_coefficients(tuple(sec)) for sec in sos.tolist()):
        powers = _powers(np.array([[-a1, 1.0], [-a2, 0.0]]), L)
        plans.append((powers, _chain_plan(tuple(powers[L].ravel().tolist()), nb), b0, b1, b2, a1, a2))
    return tuple(plans)


def _passes_compiled(kernel, sos: np.ndarray, ext: np.ndarray, zi: np.ndarray) -> np.ndarray:
    """`sosfiltfilt`'s two passes over ext (N, m) through the compiled sections, each started settled
    (zi (n_sections, 2) times its first sample): the same `biquad_section` calls with the same
    arguments as `sosfilt` makes, without its reshapes, start-state copies and end states (which
    the zero-phase filter drops; per call they cost more than the section's arithmetic on a step's
    few hundred samples). ext: this call's own C-contiguous array, overwritten. Returns the backward
    pass' output in sample order (a reversed view of ext)."""
    n, m = ext.shape
    L = _block_length(n)
    plans = _section_plans(sos, n)
    last, tail = np.empty((m, 2)), np.empty((2, m))
    # In place: the kernel reads all of its input before it writes its output. The backward pass
    # reads ext reversed and writes it in its own (reversed) order, as sosfilt of y[::-1] does.
    x = ext
    for _ in range(2):
        first = x[0].copy()  # the pass's first input sample (the sections overwrite it)
        for z, (powers, plan, b0, b1, b2, a1, a2) in zip(zi, plans):
            kernel.biquad_section(x, ext, np.multiply.outer(first, z), powers, plan, last, tail, b0, b1, b2, a1, a2, L)
            x = ext
        x = ext[::-1]
    return x


def sos2tf(sos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator polynomials (b, a) of the cascade, as `scipy.signal.sos2tf`."""
    b, a = np.ones(1), np.ones(1)
    for sec in np.atleast_2d(np.asarray(sos, float)):
        b, a = np.polymul(b, sec[:3]), np.polymul(a, sec[3:])
    return b, a


def group_delay_samples(sos: np.ndarray, w_rad_per_sample: float) -> float:
    """Group delay of the cascade at one frequency, samples (as `scipy.signal.group_delay`)."""
    b, a = sos2tf(sos)
    c = np.convolve(b, a[::-1])
    cr = c * np.arange(len(c))
    z = np.exp(-1j * w_rad_per_sample)
    return float(np.real(np.polyval(cr[::-1], z) / np.polyval(c[::-1], z))) - (len(a) - 1)
