"""The one-line summary printed when a live session ends."""

from __future__ import annotations

from dataclasses import dataclass

from hiplevel.constants import LEFT, RIGHT
from hiplevel.live_screen.state import LiveState
from hiplevel.live_screen.timing import LatencySummary
from hiplevel.protocol import StreamMode


@dataclass(frozen=True)
class LiveSummary:
    """What a live session did. seconds: session s; per_side: stance side -> (reps, mean drop deg,
    worst drop deg); cues: host cues (bell when sound is on); buzzes: times the sensor's haptic
    flag came on; loss_pct: slots not shown live, %; end_reason: words."""

    exercise: str
    seconds: float
    reps: int
    per_side: dict[str, tuple[int, float, float]]
    cues: int
    buzzes: int
    loss_pct: float
    latency: LatencySummary
    end_reason: str
    mode: str

    @classmethod
    def of(cls, state: LiveState, seconds: float, loss_pct: float, latency: LatencySummary,
           end_reason: str, mode: StreamMode) -> LiveSummary:
        per_side = {side: (s.reps, s.mean_drop_deg, s.worst_drop_deg)
                    for side, s in state.stats.items()}
        return cls(state.exercise, seconds, state.rep_count, per_side, state.cues_fired, state.haptic_pulses,
                   loss_pct, latency, end_reason, mode.name.lower())

    def line(self) -> str:
        """e.g. 'live walking 60 s (time up): 102 reps (left stance 51, mean drop 9.1 deg; right
        stance 51, mean drop 4.2 deg), 17 cues (16 sensor buzzes), live loss 0.0 %, latency median
        1.9 ms, p99 6.0 ms'."""
        sides = []
        for side in (LEFT, RIGHT):
            n, mean, _worst = self.per_side[side]
            sides.append(f"{side} stance {n}" + (f", mean drop {mean:.1f} deg" if n else ""))
        return (f"live {self.exercise} {self.seconds:.0f} s ({self.end_reason}): {self.reps} reps "
                f"({'; '.join(sides)}), {self.cues} cues ({self.buzzes} sensor buzzes), "
                f"live loss {self.loss_pct:.1f} %, {self.latency.words()}")
