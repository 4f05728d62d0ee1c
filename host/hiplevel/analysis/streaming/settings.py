"""Live-analysis constants, scheduling settings and the rest-run gyro bias (docs/analysis.md,
"Live analysis")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.signal.filters import ROLL_CUTOFF_HZ

# trace_from_roll smooths the device's 0.01 deg wire steps with this zero-phase low-pass; the
# detector window gets the same.
DEVICE_ROLL_SMOOTH_HZ = 15.0
# How long after its end a rep is emitted, s, per exercise: the detectors' zero-phase filters (the
# 0.05 Hz velocity high-pass of band-walk and single-leg-stance most) change their output near the
# newest sample; measured on simulated sets (docs/analysis.md, "Live analysis").
MARGIN_S = {"walking": 1.0, "band-walk": 2.5, "single-leg-stance": 3.0}
DEFAULT_MARGIN_S = 2.0
# A rep must be found with the same bounds (within this, s) by two detector runs in a row.
STABLE_BOUNDS_S = 0.1
# A longer gap than this between samples is a link drop-out: the fusion restarts after it.
MAX_GAP_S = 0.25

__all__ = ["DEFAULT_MARGIN_S", "DEVICE_ROLL_SMOOTH_HZ", "MARGIN_S", "MAX_GAP_S", "STABLE_BOUNDS_S",
           "OnlineSettings", "rest_bias_dps"]


@dataclass(frozen=True)
class OnlineSettings:
    """Scheduling of the live analysis (units in the names).

    buffer_s: detector window, s; at least the longest rep plus margin (single-leg-stance gets the
        detector's max_hold_s + 10 s). run_every_s: how often the detector runs, s. margin_s: a rep
        is emitted once it ended this long before the newest sample and two runs in a row found it
        (None: MARGIN_S of the exercise). dedupe_s: a rep must start this much after the last
        emitted one. neutral_still_s: continuous stillness that gives the automatic neutral.
        tare_still_s: stillness `tare()` needs. bias_min_rest_s: a still run this long (tilt
        unchanged) re-estimates the gyro bias. display_cutoff_hz: causal low-pass of
        `current_roll_deg` (its delay is `delay_s`). smooth_lag_s: how far back each run's backward
        fusion pass reaches, s (older samples keep the value of their last pass). work_per_push:
        backward-pass samples done per pushed sample (spreads a run over the next pushes)."""

    buffer_s: float = 30.0
    run_every_s: float = 0.25
    margin_s: float | None = None
    dedupe_s: float = 0.25
    neutral_still_s: float = 2.0
    tare_still_s: float = 1.5
    bias_min_rest_s: float = 1.0
    display_cutoff_hz: float = ROLL_CUTOFF_HZ
    smooth_lag_s: float = 10.0
    work_per_push: int = 200


def rest_bias_dps(t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray) -> tuple[float, float, float]:
    """Gyro bias, deg/s, from a still run: the mean gyro minus the rotation rate that the
    accelerometer saw (postural sway tilts the pelvis by a few tenths of a degree over a standing;
    the plain mean would count that as bias and the live fusion would drift by it).

    t_s (N,) s, acc_g (N,3) g, gyro_dps (N,3) deg/s, body frame, N >= 8. With du/dt = u x w, the
    part of w across the up-vector u is (du/dt) x u; the part along u (yaw) is not observable
    and does not move the tilt."""
    n = len(t_s)
    q = max(2, n // 4)
    u0, u1 = acc_g[:q].mean(axis=0), acc_g[n - q :].mean(axis=0)
    u0, u1 = u0 / np.linalg.norm(u0), u1 / np.linalg.norm(u1)
    span_s = float(t_s[n - q :].mean() - t_s[:q].mean())
    rate_dps = np.degrees(np.cross((u1 - u0) / span_s, 0.5 * (u0 + u1)))
    mean = gyro_dps[q // 2 : n - q // 2].mean(axis=0)
    return tuple(float(x) for x in mean - rate_dps)
