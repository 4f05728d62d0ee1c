"""Measures of the pelvis' motion the walking detector (`walking.WalkingDetector`) reads: the
upward acceleration in the world frame (contacts are its peaks), the window of a long step where
the pelvis moves most, how far the pelvis tilts around each sample, and a motion's sub-range.

The detector's contact parameters (`WalkingDetector._contacts` and `_upward_g`; units in the names):
- contact_min_g: least upward pelvis acceleration (above its 2 s baseline, and prominence) of a
  contact; brisk walking gives 0.2-0.4 g, slow daily-life steps and shuffles 0.04-0.1 g
  (mobgap-lowback Test11); the baseline is removed first because an accelerometer's offset
  (0.03-0.04 g on real belts and phones) would otherwise lift every standing wobble over it;
- baseline_s: window of that baseline (a moving mean; walking's own mean is zero);
- smooth_hz: low-pass of the vertical acceleration (and of a roll stream's roll: `contacts_from_roll`);
- min_step_s: the shortest plausible step: contacts lie at least this far apart (`contact_peaks`; the
  longest, max_step_s, ends a bout: `walking_bouts`);
- contact_lead_s: the upward-acceleration peak (after the 4 Hz low-pass) lags the foot's initial
  contact; contacts are reported this much before the peak (mobgap-lowback, median lag: INDIP
  41 ms, Stereophoto 49);
- first_peak_fraction: an earlier peak under min_step_s before a contact's, of this fraction of its
  height or more, times it when it keeps the pace better (a soft heel strike before the lift-off;
  `contact_peaks`).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from hiplevel.exercises.base import Motion, highpass
from hiplevel.signal.exact_median import median, unique
from hiplevel.signal.filters import max_near, zero_phase_lowpass
from hiplevel.signal.peaks import spaced_and_all_peaks

PACE_CONTACTS = 4  # contacts either side whose steps give a contact's local pace (`contact_peaks`)
PACE_REACH = 2.0  # ... and a neighbour further than this many paces away is no step of the contact's (a pause, an end)


def vertical_acc_g(m: Motion, up: np.ndarray | None = None) -> np.ndarray:
    """Upward linear acceleration of the pelvis in the world frame, g (N,): the levelled-frame
    linear acceleration projected on the up-vector, so a pelvis pitched by posture (a bent-forward
    walk, a neutral taken while seated) still sees the contacts at full size. up: the motion's
    `Motion.up` when already at hand."""
    up = m.up if up is None else up
    return row_dots(m.acc_lin_g, up) if einsum_order_ok() else np.einsum("ij,ij->i", m.acc_lin_g, up)


def row_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The dot products of the rows of two (..., 3) float64 arrays (b broadcast to a), shape (...):
    `np.einsum("...i,...i->...", a, b)` to the bit (and "ij,ij->i", "kmi,ki->km"). einsum makes one
    inner-loop call a row of three values (~60 instructions a row); its two-lane loop sums a row as
    (p0 + p2) + p1 plus its zero start (a -0 sum comes out +0), so the same sums column by column,
    when this numpy sums so (`einsum_order_ok`; einsum otherwise)."""
    if not einsum_order_ok():
        return np.einsum("...i,...i->...", a, b)
    with np.errstate(all="ignore"):  # einsum raises no floating-point warnings either
        # The products in one contiguous pass (three strided ones cost a third more), summed by column.
        p = a * b
        out = p[..., 0] + p[..., 2]
        out += p[..., 1]
        out += 0.0
    return out


@cache
def einsum_order_ok() -> bool:
    """Whether numpy's einsum("ij,ij->i") sums a row's three products as `row_dots` does, probed once
    on fixed values (a Weyl sequence over a few binades; a few hundred rows round differently in
    another order) and on signed zeros."""
    k = np.arange(1, 1537, dtype=float)
    x = (((k * 0.6180339887498949) % 1.0 - 0.5) * np.exp2(k % 7 - 3)).reshape(512, 3)
    x[:4] = [[-0.0, 0.0, -0.0], [-0.0, -0.0, -0.0], [0.0, -0.0, 0.0], [1.0, -1.0, 0.0]]
    y = x[::-1].copy()
    p = x * y
    mine = ((p[:, 0] + p[:, 2]) + p[:, 1]) + 0.0
    return np.einsum("ij,ij->i", x, y).tobytes() == mine.tobytes()


def contact_peaks(upward_g: np.ndarray, min_g: float, min_step: int, first_fraction: float) -> np.ndarray:
    """Sample indices of the contact peaks of the upward acceleration `upward_g` (g): peaks of at
    least min_g (height and prominence), at least min_step samples apart, the higher standing for
    peaks closer than that. A contact takes the time of an earlier peak of the pair instead when it
    reaches first_fraction of the higher and keeps the pace better: the steps to the neighbouring
    contacts lie nearer the local median step (over PACE_CONTACTS contacts either side), summed
    (neighbours over PACE_REACH paces away are left out; a contact with none keeps the higher
    peak). The heel strike is the first upward peak of a double support; at a soft step (a walk's
    braking steps) the trailing foot's lift-off can lift the pelvis harder 0.1-0.2 s later, which
    puts that step late and the next early (ipol_5-1: docs/analysis.md, walking round 22); 0
    keeps the higher one's time."""
    peaks, every = spaced_and_all_peaks(upward_g, min_g, min_step, min_g)
    if first_fraction <= 0 or len(peaks) < 2:
        return peaks
    # The contacts with a high enough peak under min_step before them (most have none: one pass).
    nxt = np.searchsorted(peaks, every)
    inside = nxt < len(peaks)
    e, j = every[inside], nxt[inside]
    pairs = (peaks[j] - e > 0) & (peaks[j] - e < min_step) & (upward_g[e] >= first_fraction * upward_g[peaks[j]])
    out = peaks.copy()
    for i in unique(j[pairs]):
        k = int(peaks[i])
        before = every[np.searchsorted(every, k - min_step + 1) : np.searchsorted(every, k)]
        # Still min_step after the contact before it (contacts keep their order).
        if i:
            before = before[before - out[i - 1] >= min_step]
        before = before[upward_g[before] >= first_fraction * upward_g[k]]
        if not len(before):
            continue
        pace = median(np.diff(peaks[max(0, i - PACE_CONTACTS) : i + PACE_CONTACTS + 1]).astype(float))
        # The steps to neighbours within PACE_REACH paces: a longer gap is a pause or the walk's end.
        near = [int(x) for x in (out[i - 1] if i else None, peaks[i + 1] if i + 1 < len(peaks) else None)
                if x is not None and abs(int(x) - k) < PACE_REACH * pace]
        if not near:
            continue
        off = [sum(abs(abs(x - n) - pace) for n in near) for x in (*before.tolist(), k)]
        best = int(np.argmin(off))
        if best < len(before):
            out[i] = before[best]
    return out


def active_window(m: Motion, a: int, b: int, w: int) -> int:
    """Start of the w-sample window in [a, b) where the pelvis moves most: the sum of the squared
    lateral and vertical acceleration and roll and pitch rate, each scaled by its SD over [a, b)
    (the yaw rate and forward acceleration are left out: a pivot turns the pelvis in double
    support). A roll stream: the window that ends at b."""
    if m.acc_lin_g is None or m.gyro_dps is None or b - a <= w:
        return max(a, b - w)
    x = np.column_stack([m.acc_lin_g[a:b, 1:3], m.gyro_dps[a:b, :2]])
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-9)
    cs = np.r_[0.0, np.cumsum(np.sum(x * x, axis=1))]
    return a + int(np.argmax(cs[w:] - cs[:-w]))


TILT_RATE_HZ = 2.0  # low-pass of the roll and pitch rates the tilt tests read, Hz


def tilt_rates_dps(m: Motion) -> np.ndarray:
    """The roll and pitch rates low-passed at TILT_RATE_HZ (N,2), deg/s (the motion has a gyro):
    the walking detector's tilt-rate test and `tilt_span_deg` read the same, made once."""
    return zero_phase_lowpass(m.gyro_dps[:, :2], TILT_RATE_HZ, m.rate_hz)


def tilt_span_deg(m: Motion, at: np.ndarray, half_s: float = 0.5, rates: np.ndarray | None = None) -> np.ndarray:
    """How far the pelvis tilts within +-half_s of each sample index `at`, deg (len(at),): the range
    of the integrated roll and pitch rates (`tilt_rates_dps`; rates: those when at hand) over the
    window, combined. From the gyro, not the fused tilt: in a fast turn the accelerometer's
    centripetal part can pull the fused tilt by tens of degrees (ipol-dev). Without a gyro: the
    range of the fused roll and pitch. Taken at `at` alone (`filters.max_near`: the values of the
    whole-trace moving extremes there)."""
    hw = max(1, int(half_s * m.rate_hz))
    if m.gyro_dps is not None:
        r = tilt_rates_dps(m) if rates is None else rates
        ang = [np.cumsum(r[:, k]) / m.rate_hz for k in range(2)]  # each axis in sample order, as cumsum(axis=0)
    else:
        ang = [m.roll_deg, m.pitch_deg]
    return np.hypot(*(max_near(x, at, hw) + max_near(-x, at, hw) for x in ang))


def motion_window(m: Motion, lo: int, hi: int) -> Motion:
    """The motion's samples [lo, hi)."""
    gyro = None if m.gyro_dps is None else m.gyro_dps[lo:hi]
    return Motion(m.t_s[lo:hi], m.rate_hz, m.roll_deg[lo:hi], m.pitch_deg[lo:hi], m.acc_lin_g[lo:hi], gyro,
                  m.still[lo:hi])


def contacts_from_roll(m: Motion, smooth_hz: float) -> np.ndarray:
    """Initial contacts (sample indices) from a roll-only stream: the swing side starts to drop at
    contact, so contacts are the zero crossings of the step-band roll (one per step, alternating
    direction) where it swings more than 0.5 deg within 0.3 s."""
    r = highpass(zero_phase_lowpass(m.roll_deg, smooth_hz, m.rate_hz), 0.4, m.rate_hz)
    amp = np.abs(r) > 0.5
    z = np.flatnonzero(np.diff(np.sign(r)) != 0)
    w = int(0.3 * m.rate_hz)
    keep = [i for i in z if amp[max(0, i - w) : i + w].any()]
    return np.asarray(keep, dtype=int)
