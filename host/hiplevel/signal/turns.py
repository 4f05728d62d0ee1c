"""Sensor errors that only show across turns: accelerometer bias and gyro cross-axis leak.

Why a turn upsets the tilt: the filter's up-vector is pulled toward the accelerometer, so with an
accelerometer bias b it settles on (gravity + b), a body-fixed offset that levelling removes. The
gyro, though, carries the up-vector's error fixed in the *world*: after a 180 deg turn the same
error points the other way in the body frame, 2 |b| off (20 mg is 1.1 deg, so 2.3 deg of roll),
until the slow accelerometer correction (8 s) pulls it back. A gyro cross-axis sensitivity c
(MPU6050: up to 2 %) adds c x 180 deg = up to 3.6 deg of false roll over the same turn.

Both are observable from the turns themselves: propagate the gyro alone through each turn from the
fused up-vector before it and compare with the accelerometer (averaged over whole strides, where
the walking accelerations cancel: `stride_window`) before and after. The change is linear in the
horizontal accelerometer bias (b_x, b_y) and the leak of the vertical rate into x and y (c_x,
c_y). About a vertical axis the two act alike (only b - c is observable), so a ridge least squares
over all turns splits the difference evenly, which corrects every turn the same; a direction no
turn excites stays 0. The fusion then runs again on corrected signals. No turn: nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel._native import turn_kernel
from hiplevel.signal.angle_units import RAD_PER_DEG
from hiplevel.signal.contiguous import minus_row
from hiplevel.signal.filters import moving_mean, run_edges
from hiplevel.signal.stride_window import REACH_S, stride_windows

# A turn: the vertical rate, averaged over about a stride, exceeds this (walking's own pelvic
# rotation of +-5 deg averages out over a stride).
TURN_RATE_DPS = 30.0
TURN_MIN_DEG = 60.0  # smaller heading changes carry too little information
TURN_AVG_S = 1.0  # averaging window for the turn rate
REFERENCE_S = 1.5  # accelerometer averaging window before and after each turn where no stride shows
# The turn's slow start and end still carry centripetal acceleration (1.2 m/s x 20 deg/s = 0.04 g):
# keep the reference windows this far from the fast part.
TURN_PAD_S = 0.3
RIDGE = 0.5  # prior weight (turns give ~4 per 180 deg): barely excited error directions stay at zero
MAX_ACC_BIAS_G = 0.08  # MPU6050 zero-g tolerance (+-80 mg); larger is not a bias
MAX_LEAK = 0.05  # 2 % cross-axis is the datasheet limit; larger is a fault or a bad fit
# Samples a piece of a recording needs around a turn to see it as the whole recording does: the
# turn-rate average, the pad and the reference windows on either side (with the stretch their
# stride length is found in), for turns up to 5 s long.
TURN_CONTEXT_S = TURN_AVG_S + 2 * (TURN_PAD_S + max(REFERENCE_S, REACH_S)) + 5.0
SCAN_BATCH_SAMPLES = 16_384  # turn segments propagated per vectorised scan
WINDOW_BATCH_SAMPLES = 65_536  # reference-window rows averaged at once (bounds the (K, n, 5) sums)


@dataclass(frozen=True)
class TurnErrors:
    """Estimated errors, sensor frame: acc_bias_g (3,) (z stays 0), gyro_leak (2,): rate about x
    and y that the gyro reports per unit of rate about z; n_turns used."""

    acc_bias_g: np.ndarray
    gyro_leak: np.ndarray
    n_turns: int

    def correct(self, acc_g: np.ndarray, gyro_dps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Corrected copies of acc (N,3) g and bias-free gyro (N,3) deg/s."""
        return minus_row(acc_g, self.acc_bias_g), self.correct_gyro(gyro_dps)

    def correct_gyro(self, gyro_dps: np.ndarray) -> np.ndarray:
        """The gyro part of `correct` alone."""
        g = np.array(gyro_dps, float)
        # np.outer(g[:, 2], leak)'s products, column by column: the same products and differences
        # as broadcasting (N,1) by (2,), which numpy buffers (~7x slower).
        z = g[:, 2]
        for k in range(2):
            g[:, k] -= z * self.gyro_leak[k]
        return g


NO_ERRORS = TurnErrors(np.zeros(3), np.zeros(2), 0)


def find_turns(gyro_dps: np.ndarray, rate_hz: float) -> list[tuple[int, int]]:
    """[start, end) sample spans of turns (heading change >= TURN_MIN_DEG) from the bias-free gyro."""
    wz = moving_mean(gyro_dps[:, 2], max(1, int(TURN_AVG_S * rate_hz)))
    fast = np.abs(wz) > TURN_RATE_DPS
    edges = run_edges(fast)
    out = []
    z = gyro_dps[:, 2]
    # Python ints and the array's own sum (np.sum's reduction, without its dispatch): ~170 fast
    # runs in a chunk of an hour's walk.
    for a, b in zip(edges[::2].tolist(), edges[1::2].tolist()):
        if abs(z[a:b].sum() / rate_hz) >= TURN_MIN_DEG:
            out.append((a, b))
    return out


def _window_rotations(w_rps: np.ndarray, rate_hz: float, lengths: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """For gyro segments (bias-free, rad/s) laid end to end in w_rps (N,3), of `lengths` (k,), and
    their (head, tail) window lengths `refs` (k,2): the mean over its first `head` and its last `tail`
    samples of the gyro-only propagation matrices P_i (P_i @ u0 = u0 turned by the segment's gyro up
    to sample i: du/dt = u x w, exact per-sample rotation, as the filter), (k, 2, 3, 3). Segments go
    through a vectorised scan (`scan.segment_window_means`) in batches of about SCAN_BATCH_SAMPLES
    (row slices of w_rps: no copies)."""
    from hiplevel.signal.scan import segment_window_means

    out: list[np.ndarray] = []
    ends = np.cumsum(lengths).tolist()
    lens = lengths.tolist()
    k = 0
    while k < len(lens):
        # A batch bounds the scan's memory (several (N,3,3) arrays) on a long recording.
        j, total = k, 0
        while j < len(lens) and (j == k or total + lens[j] <= SCAN_BATCH_SAMPLES):
            total += lens[j]
            j += 1
        rows = w_rps[ends[j - 1] - total: ends[j - 1]]
        out.append(segment_window_means(rows, 1.0 / rate_hz, lengths[k:j], refs[k:j]))
        k = j
    return np.concatenate(out) if out else np.empty((0, 2, 3, 3))


def _gyro_versions(segs: list[np.ndarray], eps: float) -> tuple[np.ndarray, np.ndarray]:
    """The three gyro versions of each turn's segment (bias-free, deg/s, (n_k,3) each) in rad/s,
    laid end to end turn by turn as the scan's batches take them: as measured, then with a leak of
    eps along x, then along y (`TurnErrors.correct_gyro`: g_x - g_z eps, g_y - g_z eps), ((3 sum
    n_k, 3) C-contiguous, and the lengths (3k,)). Each version is converted once for all turns (a
    copy of the measured one with its one leaked axis written over) and the turns' rows copied into
    place once; `correct_gyro` also took g_z * 0 off the other axis, which leaves it as it was but
    for the sign of a zero (-0 - -0 = +0), which changes no rotation about a tilted axis."""
    lengths = [len(g) for g in segs]
    deg = np.concatenate(segs, dtype=np.float64)
    z_eps = np.multiply(deg[:, 2], eps)
    versions = [np.multiply(deg, RAD_PER_DEG)]  # as `angle_units.radians` (float64)
    for k in (0, 1):
        v = versions[0].copy()
        np.multiply(np.subtract(deg[:, k], z_eps), RAD_PER_DEG, out=v[:, k])
        versions.append(v)
    ends = np.cumsum(lengths).tolist()
    w = np.concatenate([v[e - n: e] for n, e in zip(lengths, ends) for v in versions])
    return w, np.repeat(np.array(lengths, dtype=np.int64), 3)


def _version_rotations(gyro_dps: np.ndarray, spans: list, refs: list, rate_hz: float, eps: float) -> np.ndarray:
    """`_window_rotations` of `_gyro_versions` of each turn's segment [a - h, b + t) of gyro_dps (N,3)
    deg/s (spans (a, b), refs (h, t)), (3k, 2, 3, 3). The compiled kernel when built
    (`turnkernel.turn_windows`: the same values to the bit, with no copies of the versions), else numpy."""
    kernel = turn_kernel()
    # A module built before turn_windows (an editable install not rebuilt) takes the laid-out
    # versions through its segment_steps: the same bits.
    if kernel is None or not hasattr(kernel, "turn_windows"):
        w, lens3 = _gyro_versions([gyro_dps[a - h : b + t] for (a, b), (h, t) in zip(spans, refs)], eps)
        return _window_rotations(w, rate_hz, lens3, np.repeat(np.array(refs, dtype=np.int64), 3, axis=0))
    out = np.empty((3 * len(spans), 2, 3, 3))
    kernel.turn_windows(np.ascontiguousarray(gyro_dps, dtype=np.float64),
                        np.array([a - h for (a, _), (h, _) in zip(spans, refs)], dtype=np.int64),
                        np.array([b - a + h + t for (a, b), (h, t) in zip(spans, refs)], dtype=np.int64),
                        np.array(refs, dtype=np.int64), eps, RAD_PER_DEG, 1.0 / rate_hz, SCAN_BATCH_SAMPLES, out)
    return out


def _mismatch(acc_mean: np.ndarray, up0: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """Horizontal (x, y) accelerometer-minus-gyro tilt after a turn, g, with the gyro started where
    it agrees with the accelerometer before the turn, for any number of versions at once (the leading
    axes ...):

    acc_mean (..., 2, 3): the means of the (corrected) accelerometer over the reference windows
    before and after the turn (`_window_means`); up0 (..., 3): the fused up-vector at the first
    window's start; rot (..., 2, 3, 3): the segment's window means from `_window_rotations` (its gyro
    corrected the same way). Returns (..., 2). numpy's stacked matmul takes each version's product
    as a lone (3,3) @ (3,) and (3,) @ (3,) (the norm) does, so each version's values are the same."""
    head, tail = rot[..., 0, :, :], rot[..., 1, :, :]
    # The fused up-vector may still carry an earlier turn's error: start from the one that matches
    # the accelerometer over the strides before this turn (walking accelerations average out).
    start = up0 + acc_mean[..., 0, :] - np.matmul(head, up0[..., None])[..., 0]
    start = start / np.sqrt(np.matmul(start[..., None, :], start[..., :, None])[..., 0])
    return (acc_mean[..., 1, :] - np.matmul(tail, start[..., None])[..., 0])[..., :2]


def _window_means(acc_g: np.ndarray, starts: np.ndarray, lengths: np.ndarray, eps: float) -> np.ndarray:
    """The means (K, 5) over the windows [starts_k, starts_k + lengths_k) of acc_g (N,3), g: of x,
    y, z, then of x - eps and y - eps (the accelerometer with each bias direction taken off; z
    has none, so its mean serves all three versions). The sums run row by row, in the order of
    numpy's `mean(axis=0)` over a window, so the means are its values to the bit; all windows of a
    batch take a few numpy calls (one call per window and version cost ~0.1 s an hour of walk); the
    compiled kernel when built (`turnkernel.window_means`: the same sums, no gathered copies)."""
    out = np.empty((len(starts), 5))
    kernel = turn_kernel()
    if kernel is not None and hasattr(kernel, "window_means"):
        kernel.window_means(np.ascontiguousarray(acc_g, dtype=np.float64), np.asarray(starts, dtype=np.int64),
                            np.asarray(lengths, dtype=np.int64), eps, out)
        return out
    per = max(1, WINDOW_BATCH_SAMPLES // max(1, int(lengths.max(initial=1))))
    for k in range(0, len(starts), per):
        s, n = starts[k : k + per], lengths[k : k + per]
        # A window's rows, the last one repeated past its end (the sums are read at its end).
        # Gathered axis by axis (a gather of (N,3) rows copies each row by its own call).
        rows = s[:, None] + np.minimum(np.arange(n.max()), n[:, None] - 1)
        x = np.empty(rows.shape + (5,))
        for a in range(3):
            x[..., a] = acc_g[:, a][rows]
        np.subtract(x[..., :2], eps, out=x[..., 3:])
        sums = np.cumsum(x, axis=1)
        out[k : k + per] = sums[np.arange(len(n)), n - 1] / n[:, None]
    return out


@dataclass(frozen=True)
class TurnObservations:
    """What the turns of a stretch say about the errors: the linearised mismatch rows `jac` (2k, 4)
    and right-hand side `rhs` (2k,) of k turns (`solve_turn_errors` sums them over any number of
    stretches: the least squares is one normal equation)."""

    jac: np.ndarray
    rhs: np.ndarray
    n_turns: int


NO_OBSERVATIONS = TurnObservations(np.zeros((0, 4)), np.zeros(0), 0)


def turn_observations(acc_g: np.ndarray, gyro_dps: np.ndarray, up: np.ndarray, rate_hz: float,
                      first: int = 0, stop: int | None = None) -> TurnObservations:
    """The rows of the turns that start in samples [first, stop) (default: all).

    acc_g (N,3) g; gyro_dps (N,3) bias-free deg/s; up (N,3) fused up-vectors. A turn needs its
    reference windows inside the samples; `edges` (start, end): whether the arrays begin / end
    where the recording does (a turn too close to a recording edge is not used; one too close to
    the edge of a piece of a longer recording belongs to the piece that holds it whole)."""
    ref = max(2, int(REFERENCE_S * rate_hz))
    pad = int(TURN_PAD_S * rate_hz)
    stop = len(acc_g) if stop is None else stop
    spans = [(a - pad, b + pad) for a, b in find_turns(gyro_dps, rate_hz) if first <= a - pad < stop]
    # Each side's window holds whole strides where the walk shows them (`stride_window`).
    xy = np.asarray(acc_g)[:, :2]
    w = stride_windows(xy, np.array([x for ab in spans for x in ab], dtype=np.int64),
                       np.tile(np.array([-1, 1], dtype=np.int64), len(spans)), rate_hz, ref).tolist()
    refs = list(zip(w[::2], w[1::2]))
    keep = [k for k, ((a, b), (h, t)) in enumerate(zip(spans, refs)) if a - h >= 0 and b + t <= len(acc_g)]
    spans, refs = [spans[k] for k in keep], [refs[k] for k in keep]
    if not spans:
        return NO_OBSERVATIONS
    eps = 1e-3
    # The gyro-only propagation is all that is costly; it depends on the gyro only, so each turn
    # needs it for three gyro versions (as measured, and with each leak direction).
    rots = _version_rotations(gyro_dps, spans, refs, rate_hz, eps)
    # Only the reference windows before and after each turn count.
    wins = _window_means(np.asarray(acc_g, dtype=np.float64),
                         np.array([x for (a, b), (h, t) in zip(spans, refs) for x in (a - h, b)], dtype=np.int64),
                         np.array([x for h, t in refs for x in (h, t)], dtype=np.int64), eps).reshape(-1, 2, 5)
    # Per turn five versions: as measured, each bias direction (that component of both means from
    # its shifted column), each leak direction (its gyro's rotations); all turns' at once.
    k = len(spans)
    means = np.repeat(wins[:, None, :, :3], 5, axis=1)  # (k, 5, 2, 3)
    for j in (0, 1):
        means[:, 1 + j, :, j] = wins[:, :, 3 + j]
    rots = rots.reshape(k, 3, 2, 3, 3)[:, [0, 0, 0, 1, 2]]
    up0 = np.repeat(up[[a - h for (a, _), (h, _) in zip(spans, refs)]][:, None], 5, axis=1)
    mis = _mismatch(means, up0, rots)  # (k, 5, 2)
    base = mis[:, 0]
    jac = ((mis[:, 1:] - base[:, None]) / eps).transpose(0, 2, 1).reshape(2 * k, 4)
    return TurnObservations(jac, -base.reshape(2 * k), k)


def solve_turn_errors(observations: list[TurnObservations]) -> TurnErrors:
    """The accelerometer bias and gyro leak that best explain all observed turns (ridge least
    squares); NO_ERRORS without turns or when the estimate is implausible."""
    n = sum(o.n_turns for o in observations)
    if not n:
        return NO_ERRORS
    j = np.vstack([o.jac for o in observations if o.n_turns])
    r = np.concatenate([o.rhs for o in observations if o.n_turns])
    p = np.linalg.solve(j.T @ j + RIDGE * np.eye(4), j.T @ r)
    bias, leak = np.r_[p[:2], 0.0], p[2:]
    if np.abs(bias).max() > MAX_ACC_BIAS_G or np.abs(leak).max() > MAX_LEAK:
        return NO_ERRORS
    return TurnErrors(bias, leak, n)


def estimate_turn_errors(acc_g: np.ndarray, gyro_dps: np.ndarray, up: np.ndarray, rate_hz: float) -> TurnErrors:
    """Accelerometer bias and gyro leak from the turns of a recording (sensor frame).

    acc_g (N,3) g; gyro_dps (N,3) bias-free deg/s; up (N,3) fused up-vectors; NO_ERRORS when the
    recording has no usable turn or the estimate is implausible."""
    return solve_turn_errors([turn_observations(acc_g, gyro_dps, up, rate_hz)])
