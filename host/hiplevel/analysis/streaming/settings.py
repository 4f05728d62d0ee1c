"""Live-analysis constants and scheduling settings (docs/analysis.md, "Live analysis")."""

from __future__ import annotations

from dataclasses import dataclass

from hiplevel.signal.filters import ROLL_CUTOFF_HZ
from hiplevel.signal.neutral import NO_STANDING_LEVEL_S
from hiplevel.signal.timeline import MAX_INTERPOLATED_GAP_S

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
# A longer gap than this between samples is a link drop-out: the fusion restarts after it; a
# shorter hole is bridged by interpolation (the offline limit, one constant for both).
MAX_GAP_S = MAX_INTERPOLATED_GAP_S
# A new gyro bias this far from the old one, deg/s, re-seeds the tilt while moving (8 s of the
# walk's accelerometer correction would leave 2.4 deg).
BIAS_RESEED_DPS = 0.3
# The re-seed and the anchor average the accelerometer over this long, s, carried by the gyro:
# several strides, so a slow walker's sideways swing averages out; the gyro's error over it is
# small (0.1 deg/s of bias error: 0.2 deg).
RESEED_WINDOW_S = 4.0
# While moving, the tilt is pulled toward that average with this time constant, s (once per
# bias_every_s), except in windows whose heading turns by more than ANCHOR_MAX_TURN_DEG (a turn's
# centripetal acceleration; motion_bias skips such windows for the same reason).
ANCHOR_TIME_CONSTANT_S = 10.0
ANCHOR_MAX_TURN_DEG = 20.0

__all__ = ["ANCHOR_MAX_TURN_DEG", "ANCHOR_TIME_CONSTANT_S", "BIAS_RESEED_DPS", "DEFAULT_MARGIN_S", "RESEED_WINDOW_S", "DEVICE_ROLL_SMOOTH_HZ", "MARGIN_S", "MAX_GAP_S", "STABLE_BOUNDS_S",
           "OnlineSettings"]


@dataclass(frozen=True)
class OnlineSettings:
    """Scheduling of the live analysis (units in the names).

    buffer_s: detector window, s; at least the longest rep plus margin (single-leg-stance gets the
        detector's max_hold_s + 10 s). run_every_s: how often the detector runs, s. margin_s: a rep
        is emitted once it ended this long before the newest sample and two runs in a row found it
        (None: MARGIN_S of the exercise). dedupe_s: a rep must start this much after the last
        emitted one. neutral_still_s: a still (else quiet: sway, no step) standing this long gives
        the automatic neutral. neutral_fallback_s: with no such standing this long after the first
        sample, the walk's mean tilt over it is the neutral until one comes (the span offline takes
        with no standing, `neutral.NO_STANDING_LEVEL_S`). tare_still_s: stillness
        `tare()` needs. bias_every_s: how often the gyro bias is re-estimated over the buffer (the
        offline rule, `bias.LiveGyroBias`). display_cutoff_hz: causal low-pass of
        `current_roll_deg` (its delay is `delay_s`). smooth_lag_s: how far back each run's backward
        fusion pass reaches, s (older samples keep the value of their last pass). work_per_push:
        backward-pass samples done per pushed sample (spreads a run over the next pushes)."""

    buffer_s: float = 30.0
    run_every_s: float = 0.25
    margin_s: float | None = None
    dedupe_s: float = 0.25
    neutral_still_s: float = 2.0
    neutral_fallback_s: float = NO_STANDING_LEVEL_S
    tare_still_s: float = 1.5
    bias_every_s: float = 1.0
    display_cutoff_hz: float = ROLL_CUTOFF_HZ
    smooth_lag_s: float = 10.0
    work_per_push: int = 200
