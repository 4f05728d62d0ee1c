"""Movement strategies: how different people do the same exercise (docs/simulator.md, "Strategies").

A detector tuned on one simulated person missed on people it had not seen (issue 14): a 7 cm
weight shift in 1 s instead of 8 cm, a band-walk step that moves the pelvis once instead of twice.
Each exercise generator takes an optional strategy (`ExerciseSpec.strategy`); None keeps the
classic simulated person (the defaults below, which the existing seeds were drawn with).

    ExerciseSpec("single-leg-stance", reps=4, strategy=HoldStrategy(shift_m=0.05, shift_s=1.8))
    ExerciseSpec("band-walk", reps=8, strategy=BandStepStrategy(profile="one-move"))
    ExerciseSpec("single-leg-stance", reps=1, strategy=Scene("weight-shift"))   # nobody exercises

`HUMAN_RANGES` is the range each parameter takes across people (the robustness table's yardstick);
`draw_strategy` draws one person's strategy from it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

import numpy as np

ShiftProfile = Literal["min-jerk", "even"]
SHIFT_PROFILES: tuple[str, ...] = ("min-jerk", "even")
BandProfile = Literal["lead-trail", "one-move", "counter-shift"]
BAND_PROFILES: tuple[str, ...] = ("lead-trail", "one-move", "counter-shift")
SCENES: tuple[str, ...] = ("quiet-standing", "weight-shift", "bending", "sit-to-stand", "fidgeting", "stepping-about")


@dataclass(frozen=True)
class HoldStrategy:
    """Single-leg stance holds (units in the names).

    shift_m / shift_s: sideways weight shift of the pelvis over the stance foot and its duration;
    shift_profile: "min-jerk" (bell-shaped speed, peak 1.9x the mean) or "even" (about constant
        speed, smooth only in its first and last 15 %: peak ~1.2x the mean);
    lift_lag_s: foot-off this long after the shift ends (negative: the foot leaves during the shift);
    lift_s: the load moving fully onto the stance leg after foot-off (roll and sway settle in);
    lift_roll_deg / lift_roll_s: roll transient at foot-off, the free side dipping (+) or rising (-)
        and coming back (0: none);
    landing_mm: the pelvis dips this much when the free foot comes down and takes weight (a vertical
        acceleration transient of ~0.1 g per 2 mm); lift_mm: it rises this much at foot-off;
    balance_mg: sideways balance corrections on one leg (0.5-3 Hz), acceleration RMS (the base of
        support is one foot: quiet standing on both feet moves the pelvis ~1-2 mg);
    balance_fade_s: the corrections come in over this from foot-off (and go out over it before
        foot-down); None: with the load, over lift_s (the classic person). People catch their
        balance from the moment the foot leaves (0.1-0.8 s; bench.physics fades them in over 0.5 s);
    wander_mm: the pelvis wandering sideways on one leg (0.05-0.4 Hz), position SD (0: none; people
        up to ~10 mm, issue 14; in HUMAN_RANGES but not drawn, whose draws the existing cases are made of);
    pause_s: quiet standing between holds."""

    shift_m: float = 0.08
    shift_s: float = 1.0
    shift_profile: ShiftProfile = "min-jerk"
    lift_lag_s: float = 0.0
    lift_s: float = 0.8
    lift_roll_deg: float = 0.0
    lift_roll_s: float = 0.5
    landing_mm: float = 1.5
    lift_mm: float = 1.0
    balance_mg: float = 6.0
    balance_fade_s: float | None = None
    wander_mm: float = 0.0
    pause_s: float = 3.0


@dataclass(frozen=True)
class BandStepStrategy:
    """Lateral band-walk steps (units in the names).

    profile: how the pelvis travels in one lateral step: "lead-trail" (with the lead leg, then with
        the trailing leg: two moves the same way), "one-move" (the weight goes onto the lead leg in
        one smooth move; the trailing foot comes in under a pelvis that is already there),
        "counter-shift" (first a small shift toward the trailing leg to unload the lead, then one
        move toward the lead);
    lead_share: share of the step the pelvis travels with the lead leg ("lead-trail");
    lead_halt_share: "lead-trail": the pelvis halts between the lead and the trailing move for this
        share of the step (0: the trailing move follows at once);
    counter_m: the counter-shift's size;
    step_s: duration of one lateral step (None: drawn 1.2-1.6 s); pause_s: standing between steps;
    landing_mm: the pelvis dips this much as each foot lands and takes weight (0: no transient);
    hinge_wobble_deg: the pelvis wobbles about the vertical (yaw, SD, 0.1-1 Hz) and in pitch (half
        of it, 0.2-2 Hz) all the while it is in the hinge, the feet standing: balancing bent over
        (0: none; at 1.5 the gyro spreads 5-8 deg/s in the pauses, past the fusion's rest test)."""

    profile: BandProfile = "lead-trail"
    lead_share: float = 0.6
    lead_halt_share: float = 0.0
    counter_m: float = 0.03
    step_s: float | None = None
    pause_s: float = 0.0
    landing_mm: float = 0.0
    hinge_wobble_deg: float = 0.0


@dataclass(frozen=True)
class LoweringStrategy:
    """Lateral step-down and single-leg squat (units in the names; None: the classic draw).

    shift_m: sideways shift over the stance foot; depth_m: how far the hips sink; pitch_deg: forward
    pitch at the bottom; down_s: lowering time (the return takes about as long); wobble_deg: step-down
    only: after every other rep (the 2nd, 4th, ...) the balance is caught late: the pelvis tilts
    this far toward the free side as the free foot comes back up and levels within 0.6 s after the
    rep (no sideways move of its own; None: no wobble). The test's protocol (issue 14, physics
    check): hover: the free foot stays up between the reps, so the weight shifts onto the stance
    foot once before the first rep and back once after the last (False: with each rep; step-down
    and single-leg squat). Step-down only: shift_s: that shift takes this long before the lowering,
    and back after it (None: within the rep's first and last 0.3 s); balance_mg: sideways balance
    corrections while on one leg (0.5-3 Hz, acceleration RMS, as `HoldStrategy.balance_mg`; None:
    none)."""

    shift_m: float | None = None
    depth_m: float | None = None
    pitch_deg: float | None = None
    down_s: float | None = None
    wobble_deg: float | None = None
    hover: bool = False
    shift_s: float | None = None
    balance_mg: float | None = None


@dataclass(frozen=True)
class ClamshellStrategy:
    """Clamshell (units in the names; None: the classic draw). rollback_deg: the pelvis' roll-back in
    a clean rep (the reaction of the rotators); open_s: knee opening time; pivot_m: the pelvis rolls
    back about its floor contact this far below its centre, so the centre moves backward by
    pivot_m * sin(roll-back) (None: about its centre, the classic); still_s: quiet side-lying
    between lying down and the first rep (None: the classic 3 s; people often start within a
    second or two); fidget_deg: SD of the pelvis' slow roll-back wander all the while it lies
    (settling, breathing, shifting a little; 0.1-1 Hz; None: none, the classic lies still);
    pause_s: rest with the knee closed between one rep and the next (None: the classic 1.0 s; people
    working fast barely stop, 0.2 s, so that under a fidget two reps' roll-backs run into each other)."""

    rollback_deg: float | None = None
    open_s: float | None = None
    pivot_m: float | None = None
    still_s: float | None = None
    fidget_deg: float | None = None
    pause_s: float | None = None


@dataclass(frozen=True)
class Scene:
    """Nobody exercises: `kind` one of SCENES, for `duration_s` (what a detector must not count).

    quiet-standing: standing with sway `sway_deg` (roll SD); weight-shift: the weight moved from
    foot to foot (shift_m, each held hold_s) without lifting a foot; bending: bending over to pick
    something up; sit-to-stand: sitting down on a chair and standing up; fidgeting: small shifts,
    turns and a shuffle of the feet; stepping-about: a step aside and straight back, again and
    again (moving about at a counter).

    yaw_deg: the pelvis turns about the vertical while standing, in any scene (None or 0: it
    does not; the classic scenes, whose seeds the existing cases are drawn from). Its scale, deg:
    turns to look round or to reach, each about a pivot 5-15 cm from the pelvis (Laplace, scale yaw_deg, at most 4x; none faster than
    `scene_turns.YAW_RATE_MAX_DPS`), half of them back again after a while, half to a new heading, 3-10 s
    of standing still between them, independently of the scene's own moves; the pelvis turning with each sideways shift of
    the weight (N(0, yaw_deg / 3) for a full `shift_m`, one part each way, one part the same way
    whichever foot takes the weight); and a slow wander (SD yaw_deg / 10). Real standing (hapt-dev,
    3 s windows inside the standing labels) turns 1.3 deg in the median window, 6.4 deg at the 90th
    percentile, 22 at the 99th, up to 26 deg at up to 46 deg/s; quiet standing with yaw_deg 4-6
    spans it (`SCENE_YAW_RANGE`). The yaw is drawn from its own stream (spawned from the scene's), so
    a yawing scene is the same scene, sway and sensor noise plus the turns."""

    kind: str = "quiet-standing"
    duration_s: float = 40.0
    sway_deg: float = 0.3
    shift_m: float = 0.06
    hold_s: float = 4.0
    yaw_deg: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCENES:
            raise ValueError(f"unknown scene {self.kind!r}; expected one of {SCENES}")


Strategy = HoldStrategy | BandStepStrategy | LoweringStrategy | ClamshellStrategy | Scene


@dataclass(frozen=True)
class HumanRange:
    """Where a movement parameter lies across people: lo..hi in `unit`, and why; drawn: whether
    `draw_strategy` draws it (False: the robustness table's yardstick only, so that the sets drawn
    before it was added stay the same)."""

    lo: float
    hi: float
    unit: str
    source: str
    drawn: bool = True


# Per exercise, per parameter: (where it lives: "strategy" or "spec"), and its human range.
HUMAN_RANGES: dict[str, dict[str, HumanRange]] = {
    "single-leg-stance": {
        "shift_m": HumanRange(0.03, 0.12, "m", "issue 14: weight shifts of 3-12 cm"),
        "shift_s": HumanRange(0.5, 2.0, "s", "issue 14: shifts taking 0.5-2 s"),
        "sway_deg": HumanRange(0.2, 1.5, "deg", "issue 14: sway SD up to 1.5 deg (excess sway flagged over 1)"),
        "lift_roll_deg": HumanRange(-2.0, 3.0, "deg", "foot lift with or without a roll transient (issue 14)"),
        "lift_lag_s": HumanRange(-0.3, 1.0, "s", "foot-off during or up to 1 s after the shift (product assumption)"),
        "hold_s": HumanRange(5.0, 60.0, "s", "domain primer: 30-60 s holds; short holds flagged"),
        "balance_mg": HumanRange(4.0, 15.0, "mg", "balance corrections on one foot (assumption: 2-5x quiet standing's 2-3 mg at L5)"),
        "landing_mm": HumanRange(0.5, 3.0, "mm", "the free foot taking weight: 0.03-0.15 g at the pelvis (assumption)"),
        "lift_mm": HumanRange(0.3, 2.0, "mm", "the free foot leaving the floor: a smaller jolt (assumption)"),
        "wander_mm": HumanRange(0.0, 10.0, "mm", "the pelvis wandering on one leg, position SD up to ~10 mm (issue 14)",
                                drawn=False),
        "balance_fade_s": HumanRange(0.1, 0.8, "s", "balance corrections from foot-off: in at once to with the load"
                                     " (assumption; bench.physics 0.5)", drawn=False),
    },
    "band-walk": {
        "step_m": HumanRange(0.10, 0.45, "m", "shuffles (< 15 cm, flagged) to long steps; sim classic 25-40 cm"),
        "step_s": HumanRange(0.8, 2.5, "s", "slow controlled to brisk lateral steps (product assumption)"),
        "hinge_deg": HumanRange(0.0, 30.0, "deg", "domain primer: hip hinge 15-30 deg; some stand upright"),
        "lead_share": HumanRange(0.5, 0.8, "", "lead-then-trail: share of the step travelled with the lead leg"),
        "counter_m": HumanRange(0.01, 0.05, "m", "counter-shift toward the trailing leg first (issue 14)"),
        "pause_s": HumanRange(0.0, 1.5, "s", "standing between steps: none to a deliberate pause (product assumption)"),
        "drop_deg": HumanRange(-5.0, 12.0, "deg", "hip hike to a marked drop on the weak side"),
    },
    "step-down": {
        "shift_m": HumanRange(0.02, 0.08, "m", "sideways shift over the stance foot (sim classic 4 cm)"),
        "depth_m": HumanRange(0.08, 0.20, "m", "step heights 10-20 cm, lowering 8-20 cm"),
        "pitch_deg": HumanRange(5.0, 15.0, "deg", "forward pitch at the bottom (sim classic 6-12)"),
        "down_s": HumanRange(1.0, 3.0, "s", "slow controlled lowering (Piva's step-down: ~2 s)"),
    },
    "single-leg-squat": {
        "shift_m": HumanRange(0.03, 0.12, "m", "weight shift over the stance foot before the lift"),
        "depth_m": HumanRange(0.12, 0.28, "m", "60-80 deg knee flexion (domain primer): hips 15-25 cm lower"),
        "pitch_deg": HumanRange(12.0, 35.0, "deg", "hip flexion pitches the pelvis 20-30 deg (wider across people)"),
        "down_s": HumanRange(0.8, 2.5, "s", "descent time"),
    },
    "clamshell": {
        "rollback_deg": HumanRange(0.8, 2.0, "deg", "a clean rep still rolls the pelvis back ~1 deg (sim: 1.2 +- 0.3)"),
        "open_s": HumanRange(0.6, 2.0, "s", "knee opening time (3 sets of 15-20 reps)"),
        "pivot_m": HumanRange(0.10, 0.20, "m", "side-lying, the pelvis centre sits half a hip width above its floor contact"),
        "still_s": HumanRange(0.0, 3.0, "s", "quiet lying before the first rep: none to a settled pause"),
        "fidget_deg": HumanRange(0.05, 0.2, "deg", "slow roll-back wander while lying (settling, breathing)"),
        "pause_s": HumanRange(0.2, 1.5, "s", "rest between reps, knee closed: barely any to a settled pause"),
    },
    "walking": {
        "cadence_spm": HumanRange(80.0, 125.0, "steps/min", "slow patients (0.4 m/s) to brisk adults"),
        "drop_deg": HumanRange(3.0, 12.0, "deg", "normal 3-5 deg (domain primer) to a marked Trendelenburg"),
    },
}
# How it is worn (SessionSpec fields, every exercise): the belt slips after the standing calibration,
# leaving the neutral off for the rest of the session.
MOUNT_SLIP_RANGE = HumanRange(-1.0, 1.0, "deg", "a real belt moves 1-2 deg after the standing calibration (issue 14)")
for _ranges in HUMAN_RANGES.values():
    _ranges["mount_slip_deg"] = MOUNT_SLIP_RANGE
# Scenes where nobody exercises (`Scene.yaw_deg`): how far the pelvis turns while people stand.
SCENE_YAW_RANGE = HumanRange(4.0, 6.0, "deg", "hapt-dev standing, 3 s windows: yaw 1.3 deg median, 6.4 p90, 22 p99, "
                             "up to 26 deg at up to 46 deg/s (issue 14)")

_STRATEGY_OF = {"single-leg-stance": HoldStrategy, "band-walk": BandStepStrategy, "step-down": LoweringStrategy,
                "single-leg-squat": LoweringStrategy, "clamshell": ClamshellStrategy}


def strategy_class(exercise: str) -> type | None:
    """The strategy dataclass an exercise takes (None: walking, whose model is its own)."""
    return _STRATEGY_OF.get(exercise)


def is_strategy_field(exercise: str, name: str) -> bool:
    """True when `name` is a field of the exercise's strategy (else it is an ExerciseSpec field)."""
    cls = strategy_class(exercise)
    return cls is not None and name in {f.name for f in fields(cls)}


def draw_strategy(exercise: str, rng: np.random.Generator) -> Strategy | None:
    """One person's strategy, each strategy parameter uniform over its human range."""
    cls = strategy_class(exercise)
    if cls is None:
        return None
    kw: dict[str, object] = {}
    for name, r in HUMAN_RANGES.get(exercise, {}).items():
        if r.drawn and is_strategy_field(exercise, name):
            kw[name] = float(rng.uniform(r.lo, r.hi))
    if cls is BandStepStrategy:
        kw["profile"] = str(rng.choice(BAND_PROFILES))
    if cls is HoldStrategy:
        kw["shift_profile"] = str(rng.choice(SHIFT_PROFILES))
    return cls(**kw)
