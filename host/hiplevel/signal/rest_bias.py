"""Gyro bias from rest runs, judged by how well the gyro and the accelerometer agree on the tilt.

At rest the accelerometer is gravity, so its direction tracks the tilt without drift; the gyro
integrates the same tilt plus bias * time. Postural sway moves both together (0.5-0.7 deg across a
standing is normal), a bias makes them diverge linearly. So per rest run, with u0 the run's mean
accelerometer direction and small angles (du/dt = u x w):

    gyro rotation  phi_g(t) = integral of w dt
    accel rotation phi_a(t) = (u(t) - u0) x u0          (the part of phi across u0)
    phi_g(t) - phi_a(t) = c + b t   (across u0)

The least-squares slope b is the bias across the vertical (the part of the mean gyro that the
accelerometer did not see as rotation; the live analyser runs this same rule over its buffer,
`hiplevel.analysis.streaming.bias`); along u0 (yaw at rest) the plain mean is the bias. The RMS of the fit's residual says whether the
run was really at rest: linear accelerations make the two disagree non-linearly.

Which runs: the strictly still ones (`rest_masks.rest_mask`) give the whole bias. Real people may
sway more than that mask allows (ipol-dev subject 4: gyro SD 2-3 deg/s over 0.5 s while standing,
no still run of 1.5 s in four trials); then the part across the vertical, which the accelerometer
judges, comes from the longer "quiet" runs (no steps, slow rotation: `rest_masks.quiet_mask`) that
pass the residual test, instead of a fraction of a second of "rest" whose slope is sway. Along
the vertical the accelerometer sees nothing and a slow turn on the spot looks like bias, so that
part stays with the still samples. With no qualifying quiet run either, the bias across the
vertical comes from the movement itself (`hiplevel.signal.motion_bias`) before the old fallbacks
(a disturbed or a short still run). Quiet runs are not used when a still run qualifies: they
hold single-leg stances whose balance sway the residual test lets through (bench: holds with
1.3 deg of sway lost 4 of 41).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from hiplevel.signal.angle_units import degrees
from hiplevel.signal.exact_median import median
from hiplevel.signal.interp import interp_columns

# Runs shorter than this many samples are never used, not even as the fallback: the slope of a
# few samples is noise.
MIN_FALLBACK_SAMPLES = 8
# The residual is judged after a centred moving mean over this long, s: sample noise (0.2 deg RMS in
# the accelerometer tilt at 100 Hz) says nothing about whether the body was at rest.
RESIDUAL_SMOOTH_S = 0.25


def _moving_mean(x: np.ndarray, win: float) -> np.ndarray:
    """Centred moving mean of (N,3) over win samples (shrunk to the run; 1 = unchanged)."""
    w = int(max(1, min(len(x), round(win))))
    c = np.cumsum(np.vstack([np.zeros((1, x.shape[1])), x]), axis=0)
    return (c[w:] - c[:-w]) / w


@dataclass(frozen=True)
class RestRunBias:
    """One rest run [start, stop) samples: bias_dps (3,) body frame, residual_deg (RMS of the fit),
    up (3,): its mean accelerometer direction (the vertical the bias was split along)."""

    start: int
    stop: int
    bias_dps: np.ndarray
    residual_deg: float
    up: np.ndarray | None = None


def run_bias(t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray) -> RestRunBias:
    """Bias and fit residual of one rest run: t_s (N,) s, acc_g (N,3) g, gyro_dps (N,3) deg/s,
    body frame, N >= 3 (see the module docstring)."""
    t = np.asarray(t_s, float)
    # Axis by axis, each a contiguous row of (3, N): numpy's reductions and row broadcasts over an
    # (N,3) array run inner loops three values long, most of a run's cost (53 runs of ~1,200
    # samples an hour, ~300 us each). The arithmetic is the (N,3) code's, in its order (a sample's
    # sum of three (x0 + x1) + x2 as `np.linalg.norm(axis=1)` and `np.sum(axis=1)`, an axis' sum in
    # sample order as `mean(axis=0)`, np.cross's products), and the BLAS products get the same
    # (N,3) operands: the same bits.
    a, g = np.asarray(acc_g).T.copy(), np.asarray(gyro_dps).T.copy()
    u = a / np.sqrt((a[0] * a[0] + a[1] * a[1]) + a[2] * a[2])
    u0 = _axis_means(u)
    u0 /= np.linalg.norm(u0)
    # Sample i's rate acts over the interval that ends at it (as in the fusion's forward pass).
    dt = np.diff(t, prepend=t[0] - (t[-1] - t[0]) / max(1, len(t) - 1))
    d = np.cumsum(g * dt, axis=1) - degrees(_cross_with(u - u0[:, None], u0))  # gyro rotation less accel rotation
    d -= np.multiply.outer(u0, d.T.copy() @ u0)  # only the part across the vertical is observed
    tc = t - t.mean()
    denom = float(tc @ tc)
    e = d - _axis_means(d)[:, None]
    slope = (tc @ e.T.copy()) / denom if denom > 0 else np.zeros(3)
    r = _axis_moving_means(e - np.multiply.outer(slope, tc), RESIDUAL_SMOOTH_S / float(median(dt)))
    along = float(_axis_means(g) @ u0)
    bias = slope - np.dot(slope, u0) * u0 + along * u0
    return RestRunBias(0, len(t), bias, float(np.sqrt(np.mean((r[0] * r[0] + r[1] * r[1]) + r[2] * r[2]))), u0)


def _axis_means(x: np.ndarray) -> np.ndarray:
    """Each row's mean of x (3, N), summed in sample order as numpy's `mean(axis=0)` of x.T."""
    return np.cumsum(x, axis=1)[:, -1] / x.shape[1]


def _cross_with(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """np.cross of each sample of v (3, N) with w (3,), as (3, N): np.cross's products and differences."""
    return np.stack([v[1] * w[2] - v[2] * w[1], v[2] * w[0] - v[0] * w[2], v[0] * w[1] - v[1] * w[0]])


def _axis_moving_means(x: np.ndarray, win: float) -> np.ndarray:
    """`_moving_mean` of x.T for x (3, N), as (3, N - w + 1): the same running sums."""
    w = int(max(1, min(x.shape[1], round(win))))
    c = np.cumsum(np.concatenate([np.zeros((3, 1)), x], axis=1), axis=1)
    return (c[:, w:] - c[:, :-w]) / w


def run_bias_in_pieces(read: Callable[[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]], n: int,
                       piece: int = 65_536) -> RestRunBias:
    """`run_bias` of a rest run too long to hold at once: read(a, b) gives (t_s, acc_g, gyro_dps)
    of its samples [a, b) (n in all). Three passes over pieces of `piece` samples (means; the
    drift and its slope; the smoothed residual), with the running integral carried across pieces:
    the same result as `run_bias` on the whole run up to rounding."""
    if n <= piece:
        return run_bias(*read(0, n))
    spans = [(a, min(n, a + piece)) for a in range(0, n, piece)]
    su, sg, st = np.zeros(3), np.zeros(3), 0.0
    t_first = t_last = 0.0
    for a, b in spans:
        t, acc, gyro = read(a, b)
        su += (acc / np.linalg.norm(acc, axis=1, keepdims=True)).sum(axis=0)
        sg += gyro.sum(axis=0)
        st += float(t.sum())
        t_first = float(t[0]) if a == 0 else t_first
        t_last = float(t[-1])
    u0 = su / n
    u0 /= np.linalg.norm(u0)
    t_mean = st / n
    first_dt = (t_last - t_first) / max(1, n - 1)

    def drift() -> Iterable[tuple[np.ndarray, np.ndarray]]:
        """(tc, d) piece by piece: d as in `run_bias`, the gyro integral carried over."""
        phi, t_prev = np.zeros(3), t_first - first_dt
        for a, b in spans:
            t, acc, gyro = read(a, b)
            dt = np.diff(t, prepend=t_prev)
            phi_g = np.cumsum(np.vstack([phi, gyro * dt[:, None]]), axis=0)[1:]
            phi, t_prev = phi_g[-1], float(t[-1])
            u = acc / np.linalg.norm(acc, axis=1, keepdims=True)
            d = phi_g - degrees(np.cross(u - u0, u0))
            d -= np.outer(d @ u0, u0)
            yield t - t_mean, d

    sd, std_, stt, stc = np.zeros(3), np.zeros(3), 0.0, 0.0
    for tc, d in drift():
        sd += d.sum(axis=0)
        std_ += tc @ d
        stt += float(tc @ tc)
        stc += float(tc.sum())
    d_mean = sd / n
    slope = (std_ - stc * d_mean) / stt if stt > 0 else np.zeros(3)
    w = int(max(1, min(n, round(RESIDUAL_SMOOTH_S / first_dt))))
    tail, total = np.zeros((0, 3)), 0.0
    for tc, d in drift():
        e = np.vstack([tail, d - d_mean - np.outer(tc, slope)])
        if len(e) >= w:
            total += float(np.sum(_moving_mean(e, w) ** 2))
        tail = e[len(e) - (w - 1):] if w > 1 else e[:0]
    along = float((sg / n) @ u0)
    bias = slope - np.dot(slope, u0) * u0 + along * u0
    return RestRunBias(0, n, bias, float(np.sqrt(total / (n - w + 1))), u0)


def rest_runs(rest: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) sample spans of the True runs of a boolean (N,) mask."""
    edges = np.flatnonzero(np.diff(np.r_[0, np.asarray(rest).astype(np.int8), 0]))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _fallback_runs(runs: list[RestRunBias], spans: list[tuple[int, int]], fit) -> list[RestRunBias]:
    """When no still run qualifies: the quietest of the runs (smallest residual), else the longest
    shorter span (>= MIN_FALLBACK_SAMPLES); [] when there is none."""
    if runs:
        return [min(runs, key=lambda r: r.residual_deg)]
    # Only short runs: a short run's residual is small just because it is short, so the longest.
    short = [(b - a, a, b) for a, b in spans if b - a >= MIN_FALLBACK_SAMPLES]
    if not short:
        return []
    _, a, b = max(short)
    return [fit(a, b)]


def bias_between_runs(idx: np.ndarray, runs: list[RestRunBias]) -> np.ndarray:
    """Gyro bias (len(idx), 3), deg/s, at sample indices idx: the runs' biases linearly interpolated
    between their centres and held beyond the first and last (zeros without runs)."""
    if not runs:
        return np.zeros((len(idx), 3))
    centres = np.array([0.5 * (r.start + r.stop - 1) for r in runs])
    means = np.asarray([r.bias_dps for r in runs])
    # The indices converted to float once, the three columns at once (`interp.interp_columns`):
    # np.interp's values.
    return interp_columns(np.asarray(idx, float), centres, means)


def _with_along(run: RestRunBias, along_dps: np.ndarray) -> RestRunBias:
    """The run's bias across its vertical, with the part along it taken from along_dps (3,)."""
    u = run.up / np.linalg.norm(run.up)
    cross = run.bias_dps - np.dot(run.bias_dps, u) * u
    return RestRunBias(run.start, run.stop, cross + np.dot(along_dps, u) * u, run.residual_deg, run.up)


# Quiet runs totalling less than this many minimum runs (rest_bias_min_s) yield to a movement fit.
QUIET_YIELD_RUNS = 2.0


def select_bias_runs(
    spans: list[tuple[int, int]], fit: Callable[[int, int], RestRunBias], max_residual_deg: float = 0.6,
    min_samples: int = 1, quiet_spans: list[tuple[int, int]] | None = None,
    motion: Callable[[np.ndarray], np.ndarray | None] | None = None, quiet_yields: bool = False,
) -> list[RestRunBias]:
    """The runs whose biases the gyro bias is interpolated between (`bias_between_runs`; see the
    module docstring): of the `spans` ([start, stop) sample spans of the still runs, in order) at
    least min_samples long, those whose fit (`fit(a, b)`: `run_bias` of the span, with its `up`)
    has a residual <= max_residual_deg. When none has: the quietest of them, else the longest
    shorter span (>= MIN_FALLBACK_SAMPLES), else none ("the still fallback"); with `quiet_spans`
    (the runs of quiet | rest), that fallback keeps only the part along the vertical of the quiet
    runs that pass the same tests, else `motion(still_bias_dps (3,))` (the bias from the movement,
    (3,) or None; `motion_bias`) as one run over everything, else the still fallback.
    quiet_yields (offline: the whole recording at hand): quiet runs totalling less than
    QUIET_YIELD_RUNS minimum runs give way to the movement fit when there is one."""
    runs = [fit(a, b) for a, b in spans if b - a >= max(3, min_samples)]
    good = [r for r in runs if r.residual_deg <= max_residual_deg]
    if good:
        return good
    still = _fallback_runs(runs, spans, fit)
    if quiet_spans is None:
        return still
    tilt = [fit(a, b) for a, b in quiet_spans if b - a >= max(3, min_samples)]
    tilt = [r for r in tilt if r.residual_deg <= max_residual_deg]
    short = sum(r.stop - r.start for r in tilt) < QUIET_YIELD_RUNS * max(3, min_samples)
    if quiet_yields and tilt and short and motion is not None:
        # Quiet runs this short give way to the movement fit when the recording has one (Stop 44
        # fusion44: a treadmill walk's 1.5-2 s quiet start read 0.82-1.03 deg/s about x, its
        # 2 minutes of walking 0.65-0.69, as where the fusion passes agree).
        moving = motion(bias_between_runs(np.zeros(1), still)[0])
        if moving is not None:
            return [RestRunBias(0, 1, moving, float("nan"))]
    if tilt:
        along = bias_between_runs(np.array([int(0.5 * (r.start + r.stop - 1)) for r in tilt]), still)  # at the centres
        return [_with_along(r, v) for r, v in zip(tilt, along)]
    moving = None if motion is None else motion(bias_between_runs(np.zeros(1), still)[0])
    if moving is None:
        return still
    # One run: `bias_between_runs` holds its bias everywhere.
    return [RestRunBias(0, 1, moving, float("nan"))]


def estimate_gyro_bias_dps(
    t_s: np.ndarray, gyro_dps: np.ndarray, rest: np.ndarray, acc_g: np.ndarray,
    max_residual_deg: float = 0.6, min_samples: int = 1, quiet: np.ndarray | None = None,
    quiet_yields: bool = True,
) -> np.ndarray:
    """Gyro bias (N,3), deg/s, body frame: per rest run of at least min_samples whose gyro and
    accelerometer tilts agree (fit residual <= max_residual_deg), the bias of `run_bias`, linearly
    interpolated between runs' centres and held beyond the first and last (`select_bias_runs`,
    `bias_between_runs`). quiet_yields: `select_bias_runs`' (False live: a buffer, not the recording).

    rest (N,) bool: strictly still samples; quiet (N,) bool or None: samples without steps or fast
    rotation (a superset of rest). When no still run qualifies, the quietest run of at least
    min_samples (smallest residual), else the longest shorter one (>= MIN_FALLBACK_SAMPLES), is
    used alone; zero only when there is no rest run of MIN_FALLBACK_SAMPLES at all. With `quiet`
    (see the module docstring), that fallback keeps only the part along the vertical: the part
    across it comes from the qualifying quiet runs, else from the movement
    (`motion_bias.motion_bias_dps`), else stays."""
    from hiplevel.signal.motion_bias import motion_bias_dps, offline_fit

    n = len(gyro_dps)
    t_s, gyro_dps, acc_g = np.asarray(t_s, float), np.asarray(gyro_dps, float), np.asarray(acc_g, float)

    def fit(a: int, b: int) -> RestRunBias:
        r = run_bias(t_s[a:b], acc_g[a:b], gyro_dps[a:b])
        return RestRunBias(a, b, r.bias_dps, r.residual_deg, r.up)

    def motion(still_dps: np.ndarray) -> np.ndarray | None:
        rate = 1.0 / float(median(np.diff(t_s)))
        return offline_fit(lambda window_s: motion_bias_dps(acc_g, gyro_dps, rate, still_dps, window_s))

    quiet_spans = None if quiet is None or n < 2 else rest_runs(np.asarray(quiet) | np.asarray(rest))
    runs = select_bias_runs(rest_runs(rest), fit, max_residual_deg, min_samples, quiet_spans, motion, quiet_yields)
    return bias_between_runs(np.arange(n), runs)
