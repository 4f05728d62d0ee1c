"""Live gyro bias: the offline rule (`hiplevel.signal.rest_bias.estimate_gyro_bias_dps`, with the
movement fit of `hiplevel.signal.motion_bias`) over the live buffer, read at its newest sample.

Offline, one estimate covers the whole recording: still runs that pass the residual test give the
bias; with none, quiet runs (no step, sway but no turn) give its part across the vertical; with
neither, the walk does: the median over 6 s windows of the drift of the gyro-carried accelerometer
(docs/analysis.md, "People who do not stand still"). Live the buffer holds the last 30 s, so
evidence scrolls out of it: the estimate is kept while the buffer holds nothing of the same kind or
better (a walk after a still standing keeps the standing's bias; a quiet single-leg hold after it
does not replace it either, as offline), and replaced as soon as it does. The movement fit's
windows are taken as they complete, and the bias is the median over every window so far, from the
first (offline: over the recording's, at least three).
"""

from __future__ import annotations

import numpy as np

from hiplevel.analysis.streaming.settings import ANCHOR_MAX_TURN_DEG, RESEED_WINDOW_S
from hiplevel.signal.fusion import DEG, FusionSettings, tilt_step
from hiplevel.signal.rest_masks import quiet_mask, rest_mask
from hiplevel.signal.motion_bias import WINDOW_S, window_bias_dps
from hiplevel.signal.rest_bias import estimate_gyro_bias_dps, rest_runs, run_bias

__all__ = ["MOVING", "QUIET", "SEED", "STILL", "LiveGyroBias", "anchor_tilt", "carried_up"]

# The movement fit's first estimate: live takes the median of the windows so far from the first one
# on (offline's rule needs motion_bias.MIN_WINDOWS = 3 of the recording's). Until then the bias is
# zero (a start while moving seeds none) and every second's re-seed carries 4 s of accelerometer
# with the raw gyro: stroke-dev's 0.6-0.8 deg/s about x left the first 18 s of each treadmill walk
# 1-3 deg off the level it has once the bias is known (docs/analysis.md, Stop 44 live44); one
# window's fit is far nearer than zero.
FIRST_WINDOWS = 1

# What the current estimate came from, weakest first.
SEED, MOVING, QUIET, STILL = range(4)
TIER_NAMES = ("seed", "moving", "quiet", "still")


class LiveGyroBias:
    """The gyro bias of the live analyser. `update(...)` over the buffer's samples returns a new
    bias (deg/s, body frame) or None (keep the current one); `tier` says what the current one
    came from (SEED: the fusion's start-up window or zero, MOVING, QUIET, STILL)."""

    def __init__(self, settings: FusionSettings, rate_hz: float) -> None:
        self.settings = settings
        self.rate_hz = float(rate_hz)
        self.min_samples = max(1, int(round(settings.rest_bias_min_s * rate_hz)))
        self.tier = SEED
        self._window = max(2, int(round(WINDOW_S * rate_hz)))
        self._next_g = 0  # global index where the next movement window starts
        self._windows: list[np.ndarray] = []  # (x, y) bias of each movement window fitted, deg/s

    @property
    def tier_name(self) -> str:
        return TIER_NAMES[self.tier]

    def _qualifies(self, t, acc, gyro, mask) -> bool:
        """Any run of mask (>= min_samples) whose gyro and accelerometer tilts agree (the residual
        test `estimate_gyro_bias_dps` applies)."""
        lim = self.settings.rest_bias_max_residual_deg
        return any(run_bias(t[a:b], acc[a:b], gyro[a:b]).residual_deg <= lim
                   for a, b in rest_runs(mask) if b - a >= max(3, self.min_samples))

    def update(self, t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray, current_dps,
               g0: int) -> tuple[float, float, float] | None:
        """New bias from the samples since the last gap, t_s (N,) s, acc_g (N,3) g, gyro_dps (N,3)
        deg/s (raw), global index g0 of the first; or None (keep current_dps, the bias in use)."""
        n = len(t_s)
        if n < max(8, self.min_samples):
            return None
        st = self.settings
        rest = rest_mask(acc_g, gyro_dps, self.rate_hz, st)
        quiet = quiet_mask(acc_g, gyro_dps, self.rate_hz, st)
        tier = SEED
        if self._qualifies(t_s, acc_g, gyro_dps, rest):
            tier = STILL
        elif self.tier <= QUIET and self._qualifies(t_s, acc_g, gyro_dps, quiet):
            tier = QUIET
        if tier >= max(self.tier, QUIET):
            est = estimate_gyro_bias_dps(t_s, gyro_dps, rest, acc_g, st.rest_bias_max_residual_deg,
                                         self.min_samples, quiet=quiet, quiet_yields=False)[-1]
            self.tier = tier
            return (float(est[0]), float(est[1]), float(est[2]))
        if self.tier > MOVING or not self._new_windows(acc_g, gyro_dps, current_dps, g0):
            return None
        self.tier = MOVING
        xy = np.median(np.asarray(self._windows), axis=0)
        return (float(xy[0]), float(xy[1]), float(current_dps[2]))

    def _new_windows(self, acc_g, gyro_dps, current_dps, g0: int) -> bool:
        """Fit the movement windows completed since the last call (`window_bias_dps` with the bias
        in use removed; each window's absolute x, y bias kept); True when there are FIRST_WINDOWS."""
        w = self._window
        self._next_g = max(self._next_g, g0)
        i0 = self._next_g - g0
        k = (len(acc_g) - i0) // w
        if k <= 0:
            return False
        cur = np.asarray(current_dps, float)
        sl = slice(i0, i0 + k * w)
        fit = window_bias_dps(acc_g[sl], gyro_dps[sl] - cur, self.rate_hz, w)
        self._windows += [cur[:2] + f for f in fit if np.isfinite(f).all()]
        self._next_g += k * w
        return len(self._windows) >= FIRST_WINDOWS


def carried_up(t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray) -> tuple[float, float, float]:
    """Up-vector at the last sample: the accelerometer samples (N,3) g carried to its frame by the
    gyro (N,3) deg/s, bias removed, and averaged (as `TiltFusion` seeds itself after a gap)."""
    m = np.zeros(3)
    for k in range(len(t_s)):
        if k:
            norm = float(np.linalg.norm(m))
            u, _ = tilt_step(tuple(m / norm), tuple(gyro_dps[k] * DEG), (0.0, 0.0, 1.0), float(t_s[k] - t_s[k - 1]),
                             0.0, 1.0)
            m = np.asarray(u) * norm
        m = m + acc_g[k]
    m /= np.linalg.norm(m)
    return (float(m[0]), float(m[1]), float(m[2]))


def anchor_tilt(b, f, turns, a: int, gain: float, rate_hz: float) -> None:
    """Pull the causal tilt `f.up` (`TiltFusion` f) toward the accelerometer of the last RESEED_WINDOW_S
    of buffer b (rows from a, the first after the last gap) carried to now by the gyro (`carried_up`;
    both as corrected by the turn fit `turns`, `turn_fit.LiveTurnFit`) by `gain` (0-1), while the
    pelvis moves (no still sample in the window) and does not turn (heading within
    ANCHOR_MAX_TURN_DEG). Why: the filter trusts the accelerometer little while walking (impacts,
    turns); on the stroke-dev treadmill its gain averages 1/60 s, so a 0.1 deg/s bias error leaves
    6 deg, where strides average out over a few seconds (motion_bias's premise)."""
    rows = int(round(RESEED_WINDOW_S * rate_hz))
    if f.at_rest or f.initialising or b.n - a <= rows:
        return
    i = b.n - rows
    if b.still[i : b.n].any():
        return  # a standing: the filter's rest gain holds the tilt
    acc, gyro = turns.rows(b.acc[i : b.n], b.gyro[i : b.n], f.bias_dps)
    gyro = gyro - np.asarray(f.bias_dps)
    up = acc.mean(axis=0)
    dt = np.diff(b.t[i - 1 : b.n])
    if abs(float((gyro @ (up / np.linalg.norm(up))) @ dt)) > ANCHOR_MAX_TURN_DEG:
        return  # a turn: the centripetal acceleration does not average out
    u = np.asarray(carried_up(b.t[i : b.n], acc, gyro))
    v = np.asarray(f.up) + min(1.0, gain) * (u - np.asarray(f.up))
    f.up = tuple(float(x) for x in v / np.linalg.norm(v))
