"""Rep counting for the live view: a thin adapter over the causal analyser
(`hiplevel.analysis.streaming.OnlineAnalyzer`) that feeds it one sample at a time from either stream mode and
says, in words, when reps cannot be counted (no live detector for the exercise)."""

from __future__ import annotations

from typing import Any

from hiplevel.live_screen.feed import LiveSamples
from hiplevel.scoring import Rep, Thresholds
from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.turns import TurnErrors


class RepTracker:
    """Counts and scores reps as samples arrive. `available` is False (and `note` says why) when
    there is no live analyser for the exercise; the gauge then uses the device's roll alone."""

    def __init__(self, analyzer: Any | None, note: str = "") -> None:
        self.analyzer = analyzer
        self.note = note

    @classmethod
    def create(cls, exercise: str, rate_hz: float, thresholds: Thresholds | None = None,
               prior: TurnErrors | None = None) -> RepTracker:
        """The tracker for `exercise` at `rate_hz` Hz (scoring with `thresholds`, default ones;
        prior: the device's sensor errors to start from, `OnlineAnalyzer`'s sensor_prior)."""
        try:
            from hiplevel.analysis.streaming import OnlineAnalyzer
        except ModuleNotFoundError as exc:
            if exc.name != "hiplevel.analysis.streaming":
                raise
            return cls(None, "reps not counted: this install has no live analyser")
        try:
            return cls(OnlineAnalyzer(exercise, rate_hz, thresholds or Thresholds(), sensor_prior=prior))
        except AnalysisError:
            return cls(None, f"reps are not counted live for {exercise} yet")

    @property
    def available(self) -> bool:
        return self.analyzer is not None

    @property
    def has_neutral(self) -> bool:
        """The analyser knows the standing neutral (tared, or found on its own)."""
        return self.analyzer is not None and self.analyzer.neutral_roll_deg is not None

    @property
    def current_roll_deg(self) -> float:
        """The analyser's latest roll relative to the standing neutral, deg (+ = left side higher;
        NaN until it has a neutral)."""
        return float(self.analyzer.current_roll_deg)

    def tare(self) -> bool:
        """Take the neutral from the last quiet standing now; False (keeping the neutral it found
        on its own, if any) when the pelvis was moving."""
        try:
            self.analyzer.tare()
        except AnalysisError:
            return False
        return True

    def push(self, t_s: float, samples: LiveSamples, i: int) -> list[Rep]:
        """Sample `i` of a packet, at device time `t_s` (s); returns the reps it completed."""
        if samples.acc_g is not None and samples.gyro_dps is not None:
            return list(self.analyzer.push(t_s, acc_g=samples.acc_g[i], gyro_dps=samples.gyro_dps[i]))
        assert samples.roll_deg is not None and samples.pitch_deg is not None
        return list(self.analyzer.push(t_s, roll_deg=float(samples.roll_deg[i]), pitch_deg=float(samples.pitch_deg[i])))

    def finish(self) -> list[Rep]:
        """The stream has ended: the reps the analyser still held back (`OnlineAnalyzer.finish`)."""
        return list(self.analyzer.finish())
