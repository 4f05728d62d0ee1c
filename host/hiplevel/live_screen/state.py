"""Live session state and cue logic, pure: fed samples and reps, it says what to show and when
to cue. No terminal, no clock, no link here, so the same logic is tested directly."""

from __future__ import annotations

from dataclasses import dataclass, field

from hiplevel.constants import LEFT, RIGHT, Side

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


@dataclass
class SideStats:
    """Running per-stance-side statistics of completed reps."""

    reps: int = 0
    sum_drop_deg: float = 0.0
    worst_drop_deg: float = float("-inf")

    def add(self, drop_deg: float) -> None:
        self.reps += 1
        self.sum_drop_deg += drop_deg
        self.worst_drop_deg = max(self.worst_drop_deg, drop_deg)

    @property
    def mean_drop_deg(self) -> float:
        return self.sum_drop_deg / self.reps if self.reps else float("nan")


@dataclass
class LinkInfo:
    """What the patient should know about the link: state words, loss, battery, signal."""

    state: str = "connecting"
    loss_pct: float = 0.0
    battery_pct: int | None = None
    rssi_dbm: int | None = None


@dataclass
class LiveState:
    """Everything the live view draws. Update with `on_sample` and `on_rep`."""

    exercise: str
    cue: CueSettings = field(default_factory=CueSettings)
    roll_deg: float = 0.0  # neutral-relative, + = left side higher
    t_s: float = 0.0
    rep_count: int = 0
    last_rep: dict | None = None
    stats: dict[Side, SideStats] = field(default_factory=lambda: {LEFT: SideStats(), RIGHT: SideStats()})
    link: LinkInfo = field(default_factory=LinkInfo)
    message: str = ""  # an instruction for the patient ("Stand tall and still..."), or empty
    reps_note: str = ""  # why reps are not counted (e.g. no detector for the exercise), or empty
    cues_fired: int = 0
    haptic_firing: bool = False  # the sensor says its haptic cue is buzzing (HAPTIC flag)
    haptic_pulses: int = 0  # times the HAPTIC flag came on
    _armed: bool = True
    _last_cue_t_s: float = float("-inf")

    def on_sample(self, t_s: float, roll_deg: float) -> bool:
        """Take one neutral-relative roll sample (deg); True when a cue should fire now."""
        self.t_s, self.roll_deg = t_s, roll_deg
        drop = abs(roll_deg)
        if not self._armed and drop < self.cue.threshold_deg * REARM_FRACTION:
            self._armed = True
        if self._armed and drop >= self.cue.threshold_deg and t_s - self._last_cue_t_s >= CUE_MIN_INTERVAL_S:
            self._armed = False
            self._last_cue_t_s = t_s
            self.cues_fired += 1
            return True
        return False

    def on_device_flags(self, haptic: bool) -> None:
        """Take the sensor's HAPTIC flag of one packet; counts each time the buzzing starts."""
        if haptic and not self.haptic_firing:
            self.haptic_pulses += 1
        self.haptic_firing = haptic

    def on_rep(self, side: Side, drop_deg: float, score: float, flags: list[str]) -> None:
        """Take one completed rep (stance side, drop of the other side below neutral, deg)."""
        self.rep_count += 1
        self.stats[side].add(drop_deg)
        self.last_rep = {"side": side, "drop_deg": drop_deg, "score": score, "flags": list(flags)}
