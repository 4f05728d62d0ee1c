"""Walking: contacts near a posture change (`WalkingDetector`'s tilt tests, their parameters below).

Sitting down, standing up, bending and lying down tilt the pelvis fast (60-300 deg/s) and bump
it up like a heel strike, so contacts within 0.3 s of a fast tilt are dropped. A walk often ends
in one, though: the person stops and bends to pick something up, or turns and sits, right after
the last heel strike (mobgap-lowback Test11: of the 5 contacts this rule dropped inside the
INDIP's walking bouts, 4 had the fast tilt only after them, 0.22-0.37 g, the pitch rate passing
80 deg/s 0.05-0.2 s after the contact: 3 a walk's last step before a bend, 1 a step into a bent
turn). Such a contact is kept when all of these hold:
- the pelvis tilted slowly up to the contact: the fast tilt starts after it (a bump in a posture
  change has the fast tilt before it and at it: seat-off, landing on the seat, the bottom of a
  bend);
- it keeps the rhythm of the walk before it: the two kept contacts before it are steps of a
  walking pace (each <= max_step_s) and its own step is within 1/irregular_ratio..irregular_ratio
  of the step before (a bump of a posture change comes at any time after the last step).

The detector's tilt tests (`WalkingDetector._contacts`; units in the names):
- max_tilt_rate_dps: contacts within 0.3 s of a faster tilt rotation (roll and pitch rate together,
  2 Hz low-pass) are dropped: sitting down, standing up, bending, lying down and getting up turn
  the pelvis at 60-300 deg/s; walking rocks it at < 50 deg/s (ipol-dev and stroke-dev: 46 deg/s at
  most); 0 disables. A walk's last contact right before a posture change is kept (above);
- max_tilt_change_deg: contacts are dropped where the pelvis tilt (roll and pitch, 2 Hz low-pass)
  spans more than this within +-0.5 s (`walking_motion.tilt_span_deg`): walking rocks it over
  3-4 deg (median; 99th percentile 10-13 deg on ipol-dev, stroke-dev and the walks of hapt-dev),
  sitting down, standing up and bending swing it over 25-70 deg even when slow enough for the
  rate test; 0 (the default) disables;
- max_tilt_deg: contacts within 0.3 s of a pelvis tilted further than this from the standing pose
  are dropped (lying: 60-90 deg; walking, also bent forward or after a seated neutral: < 35 deg);
  0 disables this test. The same tilt is the lying one a short bout or a run of spot steps must
  not lie near (`walking_bouts.lies_nearby`, `walking_spot_turns.SpotTurnSteps.steps`).
"""

from __future__ import annotations

import numpy as np

from hiplevel.signal.filters import max_near

# How many peaks back the two contacts before a peak are looked for (peaks are >= 0.3 s apart,
# two steps of a walk <= 2.4 s: at most 8 peaks).
BACK = 16


def tilt_rate_vs(rates_dps: np.ndarray, max_rate_dps: float) -> np.ndarray:
    """The tilt rate, deg/s (N,), as `slow_tilt_contacts` reads it: hypot(roll rate, pitch rate)
    (rates_dps (N,2), `walking_motion.tilt_rates_dps`) where the sum of squares lies within 1e-9 of
    max_rate_dps^2; elsewhere 0 where it is clearly under that and inf where clearly over (the sum
    of squares is within 3e-16 of the rate squared, hypot within an ulp of it). slow_tilt_contacts
    only compares the rate with max_rate_dps (and NaN stays NaN), so its contacts are those of the
    full hypot; glibc's hypot was ~65 instructions a sample of every detection chunk."""
    x, y = rates_dps[:, 0], rates_dps[:, 1]
    if not 1e-100 < max_rate_dps < 1e100:
        return np.hypot(x, y)
    lim = max_rate_dps * max_rate_dps
    with np.errstate(all="ignore"):  # (hypot raises no overflow either)
        # x * x + y * y, the squares in one contiguous pass (two strided ones cost more).
        sq = rates_dps * rates_dps
        q = sq[:, 0] + sq[:, 1]
    under, over = q < lim * (1.0 - 1e-9), q > lim * (1.0 + 1e-9)
    out = np.where(over, np.inf, 0.0)
    near = np.flatnonzero(~(under | over))  # and NaN: hypot(inf, NaN) is inf
    out[near] = np.hypot(x[near], y[near])
    return out


def slow_tilt_contacts(peaks: np.ndarray, tilt_rate_dps: np.ndarray, rate_hz: float, max_rate_dps: float,
                       lead: int, irregular_ratio: float, max_step_s: float, half_s: float = 0.3) -> np.ndarray:
    """The peaks (sample indices of upward-acceleration peaks, sorted) that are no contact of a
    posture change: the tilt rate (deg/s, roll and pitch together) stays <= max_rate_dps within
    +-half_s of the peak, or, for a walk's last contact before a posture change, up to the contact
    (lead samples before the peak) while the peak keeps the rhythm of the two kept contacts before
    it (see the module docstring)."""
    if len(peaks) == 0:
        return peaks
    half = max(1, int(half_s * rate_hz))
    around = max_near(tilt_rate_dps, peaks, half) <= max_rate_dps
    if around.all():
        return peaks
    contact = np.maximum(peaks - lead, 0)
    keep = around.copy()
    max_step = max_step_s * rate_hz
    for k in np.flatnonzero(~around).tolist():  # in order: a kept one counts for the next
        c = int(contact[k])
        if tilt_rate_dps[max(0, c - half) : c + 1].max() > max_rate_dps:
            continue
        lo = max(0, k - BACK)
        prev = lo + np.flatnonzero(keep[lo:k])
        if len(prev) < 2:
            continue
        d0, d1 = peaks[prev[-1]] - peaks[prev[-2]], peaks[k] - peaks[prev[-1]]
        keep[k] = d0 <= max_step and d1 <= max_step and 1 / irregular_ratio <= d1 / d0 <= irregular_ratio
    return peaks[keep]
