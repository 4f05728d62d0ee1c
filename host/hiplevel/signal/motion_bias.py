"""Gyro bias from movement, for recordings in which nobody stands still (a treadmill walk, a
recording that starts mid-walk, a restless person).

Why: with no quiet stretch the bias used to come from a fraction of a second of "rest" whose
slope is sway (ipol-dev subject 4: 3 deg/s against a true ~0.4) or stayed zero (stroke-dev: no
rest at all). The filter's accelerometer correction then holds each pass b * 8 s off (24 deg at
3 deg/s), and a U-turn mirrors that error in the body frame: a 50 deg swing of the tilt.

How: over a window of a few strides the accelerometer, carried back to the window's start by the
gyro (y_i = P_i^T a_i, P_i the gyro-only rotation from the start to sample i), stays on gravity:
walking accelerations average out. A residual gyro bias e makes it drift; to first order

    y_i - mean(y) = -[g]x (D_i - mean(D)) e,   D_i = dt * sum_(j <= i) P_j^T,

as long as the accelerations average out. They do not where the velocity changes: a turn while
walking reverses it (a U-turn at 1.2 m/s is 2.4 m/s of change, 0.04 g over a window: on the
simulator's walks with a turn every 8 steps every window read 3-8 deg/s), so windows whose heading
leaves its start by more than MAX_TURN_DEG are skipped; the median over the rest ignores the ones
with a start or a stop. Each window's least squares gives the body x and y parts of e (along body z
the accelerometer sees nothing while upright); a second pass on the corrected gyro removes the
linearisation error. Body z keeps the given bias. Checked on stroke-dev (treadmill, no standing at
all): 0.61-0.76 deg/s about x and 0.05-0.21 about y in all 12 trials of three people, one sensor.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hiplevel.signal.exact_median import median

WINDOW_S = 6.0  # a few strides: walking accelerations average out, a 3 deg/s bias drifts 18 deg
# Offline (the whole recording at hand): twice as long. A 6 s window's fit still carries the gait
# (stroke-dev treadmill walks, one sensor: per-file medians 0.61-0.76 deg/s about x at 6 s,
# 0.63-0.69 at 12 s, against 0.63-0.70 from where the forward and backward fusion passes agree:
# docs/analysis.md, Stop 44 fusion44); a walk too short for MIN_WINDOWS of them falls back to
# WINDOW_S. Live keeps WINDOW_S, its first estimate 6 s into a walk.
OFFLINE_WINDOWS_S = (12.0, WINDOW_S)
MIN_WINDOWS = 3  # the median needs a majority of steady windows


def offline_fit(fit_dps: Callable[[float], np.ndarray | None]) -> np.ndarray | None:
    """The first bias fit_dps(window_s) (3,), deg/s, of OFFLINE_WINDOWS_S's windows that is not None."""
    return next((b for b in map(fit_dps, OFFLINE_WINDOWS_S) if b is not None), None)

# Walking rocks the heading by +-4-8 deg; a window whose heading leaves its first second's by more
# than this turned, and its velocity with it (30 deg at 1.2 m/s is 0.6 m/s of change).
MAX_TURN_DEG = 20.0
MIN_CONDITION = 0.1  # a window whose two directions differ more in information is skipped (lying)
ITERATIONS = 2
BATCH_SAMPLES = 100_000  # windows propagated per vectorised scan (bounds the (N,3,3) arrays)


def _skew(v: np.ndarray) -> np.ndarray:
    """(..., 3) -> (..., 3, 3) with [v]x u = v x u."""
    z = np.zeros(v.shape[:-1])
    return np.stack([np.stack([z, -v[..., 2], v[..., 1]], -1), np.stack([v[..., 2], z, -v[..., 0]], -1),
                     np.stack([-v[..., 1], v[..., 0], z], -1)], -2)


def window_bias_dps(acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float, window: int) -> np.ndarray:
    """Residual gyro bias (body x, y), deg/s, of each full window of `window` samples: (W, 2),
    NaN for a window whose fit is ill-conditioned or that turns (MAX_TURN_DEG). acc_g (N,3) g,
    gyro_dps (N,3) deg/s with the bias used so far removed, body frame."""
    from hiplevel.signal.scan import segment_products

    n_win = len(acc_g) // window
    out = np.full((n_win, 2), np.nan)
    per_batch = max(1, BATCH_SAMPLES // window)
    for w0 in range(0, n_win, per_batch):
        w1 = min(n_win, w0 + per_batch)
        a, b = w0 * window, w1 * window
        nw = w1 - w0
        p = segment_products(np.radians(gyro_dps[a:b]), 1.0 / rate_hz, np.arange(nw) * window)
        pt = np.transpose(p, (0, 2, 1))
        y = np.einsum("nij,nj->ni", pt, acc_g[a:b]).reshape(nw, window, 3)
        d = (np.cumsum(pt.reshape(nw, window, 3, 3), axis=1) / rate_hz)[..., :2]  # s
        y_mean = y.mean(axis=1)
        m = -np.einsum("wij,wnjk->wnik", _skew(y_mean), d - d.mean(axis=1, keepdims=True)) * (np.pi / 180.0)
        normal = np.einsum("wnik,wnil->wkl", m, m)
        rhs = np.einsum("wnik,wni->wk", m, y - y_mean[:, None])
        eig = np.linalg.eigvalsh(normal)
        ok = (eig[:, 0] > MIN_CONDITION * eig[:, 1]) & (_heading_range_deg(acc_g[a:b], gyro_dps[a:b], rate_hz, nw) <= MAX_TURN_DEG)
        if ok.any():
            out[w0:w1][ok] = np.linalg.solve(normal[ok], rhs[ok][..., None])[..., 0]
    return out


def _heading_range_deg(acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float, nw: int) -> np.ndarray:
    """(nw,) per window: how far the heading (the gyro about the window's mean accelerometer
    direction, integrated) goes from its mean over the window's first second, deg."""
    acc, gyro = acc_g.reshape(nw, -1, 3), gyro_dps.reshape(nw, -1, 3)
    up = acc.mean(axis=1)
    up /= np.linalg.norm(up, axis=1, keepdims=True)
    heading = np.cumsum(np.einsum("wnk,wk->wn", gyro, up), axis=1) / rate_hz
    first = heading[:, : max(1, int(rate_hz))].mean(axis=1, keepdims=True)
    return np.max(np.abs(heading - first), axis=1)


def motion_bias_dps(acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float, bias_dps: np.ndarray,
                    window_s: float = WINDOW_S) -> np.ndarray | None:
    """bias_dps (N,3) or (3,) (the estimate so far, deg/s, body frame) with its x and y parts
    corrected by the drift of the gyro-carried accelerometer over windows of window_s (see the
    module docstring); None when fewer than MIN_WINDOWS windows give a fit. acc_g (N,3) g,
    gyro_dps (N,3) deg/s as measured."""
    window = max(2, int(round(window_s * rate_hz)))
    return _corrected(bias_dps, lambda est: window_bias_dps(acc_g, gyro_dps - est, rate_hz, window))


def motion_bias_in_pieces(read: Callable[[int, int], tuple[np.ndarray, np.ndarray]], n: int, rate_hz: float,
                          bias_dps: np.ndarray, window_s: float = WINDOW_S) -> np.ndarray | None:
    """`motion_bias_dps` of a recording too long to hold at once, for a constant bias_dps (3,):
    read(a, b) gives (acc_g, gyro_dps) of its samples [a, b) (n in all). The windows are read in
    the batches `window_bias_dps` fits together: the same arithmetic as on the whole arrays."""
    window = max(2, int(round(window_s * rate_hz)))
    batch = max(1, BATCH_SAMPLES // window) * window
    end = n // window * window

    def per_window(est: np.ndarray) -> np.ndarray:
        parts = [np.zeros((0, 2))]
        for a in range(0, end, batch):
            acc, gyro = read(a, min(end, a + batch))
            parts.append(window_bias_dps(acc, gyro - est, rate_hz, window))
        return np.concatenate(parts)

    return _corrected(bias_dps, per_window)


def _corrected(bias_dps: np.ndarray, per_window: Callable[[np.ndarray], np.ndarray]) -> np.ndarray | None:
    """bias_dps with the median window fit (`per_window(estimate)`, (W, 2)) added to its x and y
    parts, ITERATIONS times; None when fewer than MIN_WINDOWS windows give a fit."""
    out = np.array(bias_dps, float)
    for _ in range(ITERATIONS):
        fits = per_window(out)
        fits = fits[np.isfinite(fits).all(axis=1)]
        if len(fits) < MIN_WINDOWS:
            return None
        out[..., :2] += median(fits, axis=0)
    return out
