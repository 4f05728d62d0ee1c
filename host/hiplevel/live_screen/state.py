"""Live session options, state and cue logic, pure: fed samples and reps, it says what to show and when
to cue. No terminal, no clock, no link here, so the same logic is tested directly.

Sides follow the one vocabulary (docs/sides.md): per-leg figures are per **tested (stance) leg**,
counted over the single-support phases of each rep (`hiplevel.scoring.words.support_phases`), and
the side that dropped is always the other one; the words come from `hiplevel.scoring.words`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from hiplevel.constants import LEFT, RIGHT, Side
from hiplevel.scoring import Rep
from hiplevel.scoring.words import support_phases

# A cue every time the roll crosses the threshold would ring on every step of a bad rep; once per
# crossing, re-armed only after the pelvis has come back near level, matches one cue per rep.
REARM_FRACTION = 0.5
CUE_MIN_INTERVAL_S = 1.0
# How long a drop must last before the sensor buzzes, ms. The firmware's default (250 ms) suits
# holds and slow reps; a walking step's drop peaks in the loading response, ~0.1-0.2 s of the gait
# cycle (domain primer), so a step would mostly end before 250 ms: stepping exercises use 60 ms.
HAPTIC_DEBOUNCE_MS = 250
HAPTIC_DEBOUNCE_STEPPING_MS = 60
STEPPING_EXERCISES = frozenset({"walking", "band-walk"})

# The link in the patient's words (the view turns these into sentences).
LinkState = Literal["connecting", "connected", "reconnecting", "no data"]


def haptic_debounce_ms(exercise: str) -> int:
    """The sensor's haptic debounce for an exercise, ms (SET_HAPTIC)."""
    return HAPTIC_DEBOUNCE_STEPPING_MS if exercise in STEPPING_EXERCISES else HAPTIC_DEBOUNCE_MS


@dataclass(frozen=True)
class CueSettings:
    """When and how to cue the patient.

    threshold_deg: drop below neutral (either side) that triggers a cue, deg.
    sound: ring the terminal bell. haptic: let the sensor buzz (set on the device).
    """

    threshold_deg: float = 6.0
    sound: bool = True
    haptic: bool = True


# Quiet standing received before the tare, s of samples (the fusion settles in ~1 s).
STAND_STILL_S: Final[float] = 3.0


@dataclass(frozen=True)
class LiveOptions:
    """What the patient asked for. seconds: stop after this many session seconds (None: until
    Ctrl-C). raw: stream raw 6-axis when the link allows, so the host analyser fuses itself."""

    exercise: str
    cue: CueSettings = field(default_factory=CueSettings)
    seconds: float | None = None
    raw: bool = True
    stand_still_s: float = STAND_STILL_S


@dataclass
class LegStats:
    """Running statistics of one tested (stance) leg: its single-support phases so far and the
    drop of the side that dropped (the other side) on them, deg (negative = it rose)."""

    phases: int = 0
    sum_drop_deg: float = 0.0
    worst_drop_deg: float = float("-inf")

    def add(self, drop_deg: float) -> None:
        self.phases += 1
        self.sum_drop_deg += drop_deg
        self.worst_drop_deg = max(self.worst_drop_deg, drop_deg)

    @property
    def mean_drop_deg(self) -> float:
        return self.sum_drop_deg / self.phases if self.phases else float("nan")


@dataclass
class LinkInfo:
    """What the patient should know about the link: its state, loss, battery, signal."""

    state: LinkState = "connecting"
    label: str = ""  # which sensor: 'virtual hiplevel-1a2b', 'USB hiplevel-1a2b', ...
    loss_pct: float = 0.0
    battery_pct: int | None = None
    rssi_dbm: int | None = None


@dataclass
class LiveState:
    """Everything the live view draws. Update with `on_sample` and `on_rep`.

    Cues wait for a neutral (`tared`) and, where reps are counted, for the first rep: before that
    the patient is still getting into the exercise and a beep would only startle."""

    exercise: str
    cue: CueSettings = field(default_factory=CueSettings)
    roll_deg: float = 0.0  # neutral-relative, + = left side higher
    t_s: float = 0.0  # session s since the first sample
    reps: list[Rep] = field(default_factory=list)
    legs: dict[Side, LegStats] = field(default_factory=lambda: {LEFT: LegStats(), RIGHT: LegStats()})
    link: LinkInfo = field(default_factory=LinkInfo)
    message: str = ""  # an instruction for the patient ("Stand tall and still..."), or empty
    reps_counted: bool = True  # False when there is no live analyser for the exercise
    reps_note: str = ""  # why reps are not counted, or empty
    tared: bool = False  # the standing neutral is known: the gauge means something
    cues_fired: int = 0
    cue_low_side: Side | None = None  # the side that was low at the last cue, until back near level
    haptic_firing: bool = False  # the sensor says its haptic cue is buzzing (HAPTIC flag)
    haptic_pulses: int = 0  # times the HAPTIC flag came on
    _armed: bool = True
    _last_cue_t_s: float = float("-inf")

    @property
    def rep_count(self) -> int:
        return len(self.reps)

    @property
    def last_rep(self) -> Rep | None:
        return self.reps[-1] if self.reps else None

    @property
    def cues_allowed(self) -> bool:
        """A neutral, and a first rep where reps are counted."""
        return self.tared and (self.rep_count > 0 or not self.reps_counted)

    def on_sample(self, t_s: float, roll_deg: float) -> bool:
        """Take one neutral-relative roll sample (deg); True when a cue should fire now."""
        self.t_s, self.roll_deg = t_s, roll_deg
        drop = abs(roll_deg)
        if not self._armed and drop < self.cue.threshold_deg * REARM_FRACTION:
            self._armed = True
            self.cue_low_side = None
        if (self.cues_allowed and self._armed and drop >= self.cue.threshold_deg
                and t_s - self._last_cue_t_s >= CUE_MIN_INTERVAL_S):
            self._armed = False
            self._last_cue_t_s = t_s
            self.cues_fired += 1
            self.cue_low_side = LEFT if roll_deg < 0 else RIGHT
            return True
        return False

    def on_device_flags(self, haptic: bool) -> None:
        """Take the sensor's HAPTIC flag of one packet; counts each time the buzzing starts."""
        if haptic and not self.haptic_firing:
            self.haptic_pulses += 1
        self.haptic_firing = haptic

    def on_rep(self, rep: Rep) -> None:
        """Take one completed, scored rep: each of its single-support phases counts for its
        stance leg."""
        self.reps.append(rep)
        for phase in support_phases(self.exercise, rep):
            self.legs[phase.stance].add(phase.drop_deg)
