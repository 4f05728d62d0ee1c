"""Movement shapes for the physics generator: transitions from 0 to 1, bumps, band-limited sway.

Pure functions of a time array (s); no simulator code is used or read (the point of this package is to be
independent of `hiplevel.sim`).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfiltfilt

# Shapes of a transition, as a function of the normalised time u in [0, 1] -> [0, 1]:
# min-jerk (Flash and Hogan 1985: point-to-point reaching and weight shifts), a raised cosine (jerk steps
# at the ends), an even speed with short ramps, and min-jerk on a warped clock that peaks early or late.
PROFILES = ("minjerk", "cosine", "even", "early", "late")
EVEN_RAMP_FRACTION = 0.15  # share of an "even" move spent speeding up (and again slowing down)
WARP = 0.7  # early peak: min-jerk of u + 0.7 u (1 - u); late: of u - 0.7 u (1 - u) (monotonic for |WARP| < 1)


def _minjerk(u: np.ndarray) -> np.ndarray:
    return u ** 3 * (10.0 - 15.0 * u + 6.0 * u * u)


def _even(u: np.ndarray) -> np.ndarray:
    r = EVEN_RAMP_FRACTION
    # Speed: a min-jerk-shaped rise over r, flat, fall over r; integral normalised to 1.
    v_peak = 1.0 / (1.0 - r)
    up = np.clip(u / r, 0.0, 1.0)
    down = np.clip((1.0 - u) / r, 0.0, 1.0)
    # position = integral of v_peak * min(s(up), s(down)); integrals of s over a ramp are 0.5 r.
    pos = np.where(u < r, v_peak * r * (_minjerk_integral(up)),
                   np.where(u > 1.0 - r, 1.0 - v_peak * r * _minjerk_integral(down),
                            v_peak * (0.5 * r + (u - r))))
    return pos


def _minjerk_integral(u: np.ndarray) -> np.ndarray:
    """Integral of the min-jerk shape from 0 to u (u in [0, 1]); 0.5 at u = 1."""
    return u ** 4 * (2.5 - 3.0 * u + u * u)


def transition(t: np.ndarray, t0: float, duration_s: float, profile: str = "minjerk") -> np.ndarray:
    """0 before t0, 1 after t0 + duration_s, the profile's shape between (smooth to the second
    derivative for min-jerk, even and the warped shapes; the cosine's acceleration steps at its ends)."""
    u = np.clip((t - t0) / duration_s, 0.0, 1.0)
    if profile == "minjerk":
        return _minjerk(u)
    if profile == "cosine":
        return 0.5 - 0.5 * np.cos(np.pi * u)
    if profile == "even":
        return _even(u)
    if profile == "early":
        return _minjerk(u + WARP * u * (1.0 - u))
    if profile == "late":
        return _minjerk(u - WARP * u * (1.0 - u))
    raise ValueError(f"unknown profile {profile!r}; one of {PROFILES}")


def bump(t: np.ndarray, t0: float, rise_s: float, fall_s: float, hold_s: float = 0.0) -> np.ndarray:
    """0 -> 1 (min-jerk over rise_s from t0) -> held hold_s -> back to 0 over fall_s."""
    return transition(t, t0, rise_s) - transition(t, t0 + rise_s + hold_s, fall_s)


def dip(t: np.ndarray, centre_s: float, width_s: float) -> np.ndarray:
    """A raised-cosine pulse of height 1 and full width width_s centred on centre_s (a foot's landing)."""
    u = np.clip((t - centre_s) / width_s, -0.5, 0.5)
    return 0.5 + 0.5 * np.cos(2.0 * np.pi * u)


def band_noise(n: int, rate_hz: float, lo_hz: float, hi_hz: float, sd: float, rng: np.random.Generator) -> np.ndarray:
    """n samples of Gaussian noise band-passed to lo_hz..hi_hz (zero phase, 2nd order each way), SD sd.
    Smooth enough to differentiate twice (the band limit falls off at 4th order)."""
    if sd == 0.0 or n < 16:
        return np.zeros(n)
    pad = int(3 * rate_hz / max(lo_hz, 0.05))  # let the filter settle outside the wanted stretch
    x = rng.standard_normal(n + 2 * pad)
    sos = butter(2, [lo_hz, hi_hz], btype="bandpass", fs=rate_hz, output="sos")
    y = sosfiltfilt(sos, x)[pad:pad + n]
    return y * (sd / (np.std(y) or 1.0))
