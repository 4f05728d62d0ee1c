"""Live analysis: one sample in, the current pelvic roll and each completed rep out.

    oa = OnlineAnalyzer("walking", rate_hz=100.0)
    for t, acc, gyro in stream:                       # or oa.push(t, roll_deg=r, pitch_deg=p)
        for rep in oa.push(t, acc_g=acc, gyro_dps=gyro):
            show(rep)                                 # the same Rep as hiplevel.analysis.analyze
        draw(oa.current_roll_deg)                     # neutral-relative, lags by oa.delay_s

The gauge is causal (`TiltFusion` for raw 6-axis samples, the device's own roll/pitch for a roll
stream, a causal Butterworth low-pass for the display). Reps come from the offline detectors and
scoring run every `run_every_s` over a rolling buffer whose tilt is smoothed by a backward fusion
pass (`smoother`), and are emitted once, `margin_s` after they end. docs/analysis.md, "Live analysis".

Modules: `settings` (constants, OnlineSettings), `bias` (the offline gyro-bias rule over the
buffer, the tilt anchor), `buffer` (sample store, display filter), `smoother` (backward pass),
`turn_fit` (the offline turn-error fit, turn by turn), `standing` (the neutral: standing, tare or
walk; levelling), `session_yaw` (the offline forward-axis rule over the session so far), `reps`
(detector run, emit rule), `analyzer`.
"""

from hiplevel.analysis.streaming.analyzer import OnlineAnalyzer
from hiplevel.analysis.streaming.settings import (
    DEFAULT_MARGIN_S,
    DEVICE_ROLL_SMOOTH_HZ,
    MARGIN_S,
    MAX_GAP_S,
    STABLE_BOUNDS_S,
    OnlineSettings,
)

__all__ = ["DEFAULT_MARGIN_S", "DEVICE_ROLL_SMOOTH_HZ", "MARGIN_S", "MAX_GAP_S", "STABLE_BOUNDS_S", "OnlineAnalyzer",
           "OnlineSettings"]
