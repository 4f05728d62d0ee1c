"""What is printed when a live session ends: one summary line and the finding in the clinician's
words (the same sentence the session report gives, `hiplevel.scoring.words.set_finding`)."""

from __future__ import annotations

from dataclasses import dataclass

from hiplevel.constants import LEFT, RIGHT, side_dropped
from hiplevel.live_screen.state import LiveState
from hiplevel.live_screen.timing import LatencySummary
from hiplevel.protocol import StreamMode
from hiplevel.scoring.words import rep_noun, set_finding


@dataclass(frozen=True)
class LiveSummary:
    """What a live session did. seconds: session s; per_leg: tested (stance) leg -> (single-support
    phases, mean drop of the other side, worst drop, deg); cues: host cues (bell when sound is on);
    buzzes: times the sensor's haptic flag came on; loss_pct: slots not shown live, %; end_reason:
    words; finding: the clinician's finding per leg ('' when no rep was counted)."""

    exercise: str
    seconds: float
    reps: int
    per_leg: dict[str, tuple[int, float, float]]
    cues: int
    buzzes: int
    loss_pct: float
    latency: LatencySummary
    end_reason: str
    mode: str
    finding: str = ""
    prior: str = ""  # the sensor errors the analyser started from (`DevicePrior.words`), or ''

    @classmethod
    def of(cls, state: LiveState, seconds: float, loss_pct: float, latency: LatencySummary,
           end_reason: str, mode: StreamMode, prior: str = "") -> LiveSummary:
        per_leg = {leg: (s.phases, s.mean_drop_deg, s.worst_drop_deg) for leg, s in state.legs.items()}
        return cls(state.exercise, seconds, state.rep_count, per_leg, state.cues_fired, state.haptic_pulses,
                   loss_pct, latency, end_reason, mode.name.lower(), set_finding(state.exercise, state.reps), prior)

    def line(self) -> str:
        """e.g. 'live walking 60 s (time up): 102 steps (on the left leg 51, right hip dropped 9.1
        deg on average; on the right leg 51, left hip dropped 4.2 deg on average), 17 cues (16
        sensor buzzes), live loss 0.0 %, latency median 1.9 ms, p99 6.0 ms'."""
        legs = []
        for leg in (LEFT, RIGHT):
            n, mean, _worst = self.per_leg[leg]
            legs.append(f"on the {leg} leg {n}"
                        + (f", {side_dropped(leg)} hip dropped {mean:.1f} deg on average" if n else ""))
        return (f"live {self.exercise} {self.seconds:.0f} s ({self.end_reason}): {self.reps} "
                f"{rep_noun(self.exercise, self.reps)} ({'; '.join(legs)}), {self.cues} cues "
                f"({self.buzzes} sensor buzzes), live loss {self.loss_pct:.1f} %, {self.latency.words()}")

    def lines(self) -> list[str]:
        """The summary line, the finding for the clinician when there is one, then the sensor
        errors the live analysis started from when it had them."""
        return ([self.line()] + ([f"finding: {self.finding}"] if self.finding else [])
                + ([f"live analysis seeded with the {self.prior}"] if self.prior else []))
