"""Ground-truth labelling: measure each rep's drop on the true roll and attach the flags a perfect
analysis would output. The rules and their sources are tabulated in docs/simulator.md."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hiplevel.sim.motion import RepPlan


def _default_drop_flags() -> dict[str, float]:
    return {
        # Walking has a normal 3-5 deg contralateral drop per step (domain primer): flag above the
        # top of that range plus one SEM of a clinical Trendelenburg angle (2 deg, Youdas 2007).
        "walking": 7.0,
        # Controlled exercises should keep the pelvis level: flag a drop of about the positive
        # Trendelenburg test, 2 cm over ~27 cm between the iliac crests = 4 deg (Hardcastle & Nade 1985).
        "band-walk": 4.0,
        "single-leg-stance": 4.0,
        "step-down": 4.0,
        # Single-leg squat: 10.3 +- 4.7 deg in patellofemoral pain vs 7.4 +- 3.8 in controls
        # (Nakagawa 2012): flag at the patient-group mean.
        "single-leg-squat": 10.0,
        # Clamshell: pelvis rolling back (deg of backward roll), same 4 deg level criterion.
        "clamshell": 4.0,
    }


@dataclass(frozen=True)
class LabelRules:
    """Thresholds of the truth flags (a perfect analysis with default settings outputs these)."""

    drop_flag_deg: dict[str, float] = field(default_factory=_default_drop_flags)
    hip_hike_flag_deg: float = 3.0  # drop_deg < -3: the unsupported side rose (hip hike)
    # Walking: the swing side normally drops 3-5 deg; rising more than 1 deg reverses that pattern.
    hip_hike_flag_deg_walking: float = 1.0
    bobbing_flag_cm: float = 4.0  # band walk: pelvis height excursion within a step, peak-to-peak
    shuffle_step_m: float = 0.15  # band walk: lateral step shorter than this is shuffling
    short_hold_s: float = 30.0  # single-leg stance held < 30 s (Hardcastle & Nade 1985 test)
    excess_sway_deg: float = 1.0  # single-leg stance: roll SD over the hold above this


# A rise of the unsupported side (hip hike) is measured as a negative drop in these exercises: the
# larger of the side's drop and its rise, signed (walking steps carry their own `signed_drop` rule).
SIGNED_DROP_EXERCISES = frozenset({"band-walk", "single-leg-stance", "step-down", "single-leg-squat"})
HIKE_MIN_DEG = 1.0  # a smaller rise: the pelvis is level, and its drop is reported


def rep_drop_deg(roll_deg: np.ndarray, neutral_roll_deg: float, plan: RepPlan, offset_i: int, signed: bool = False) -> float:
    """Peak drop (deg) of plan.measure_side below neutral inside the plan's window of the true roll.

    robust plans (holds) use the 95th percentile instead of the maximum. Signed plans (walking
    steps, `extras["signed_drop"]`) give the larger excursion either way, a rise as a negative drop
    (a hip hike); signed=True (the other single-leg exercises) a rise that is larger than the drop
    and at least HIKE_MIN_DEG (below it the pelvis is level and its drop is reported)."""
    i0, i1 = plan.win[0] + offset_i, plan.win[1] + offset_i
    rel = roll_deg[i0:i1] - neutral_roll_deg
    drop = -rel if plan.measure_side == "left" else rel
    if plan.extras.get("signed_drop") and -np.min(drop) > np.max(drop):
        return float(np.min(drop))
    down = float(np.percentile(drop, 95.0) if plan.robust else np.max(drop))
    if not signed:
        return down
    up = float(np.percentile(-drop, 95.0) if plan.robust else np.max(-drop))
    return -up if up > down and up >= HIKE_MIN_DEG else down


def phase_severity(drop_deg: float, exercise: str, rules: LabelRules) -> float:
    """How bad one phase's drop is, in multiples of its flag threshold (a drop, or a hike)."""
    return drop_deg / rules.drop_flag_deg[exercise] if drop_deg >= 0 else -drop_deg / rules.hip_hike_flag_deg


def rep_rollback_deg(pitch_deg: np.ndarray, plan: RepPlan, offset_i: int) -> float:
    """Clamshell: peak backward roll of the pelvis (deg) in the plan's window, relative to the mean
    pitch over the quiet side-lying before the set (plan.extras["neutral_win"]).

    Lying on the side, the ZYX pitch is the elevation of the pelvis' forward axis, so rolling back
    (front turning up) is pitch decreasing (sim/clamshell.py)."""
    n0, n1 = plan.extras["neutral_win"]
    neutral = float(np.mean(pitch_deg[n0 + offset_i : n1 + offset_i]))
    i0, i1 = plan.win[0] + offset_i, plan.win[1] + offset_i
    return float(np.max(neutral - pitch_deg[i0:i1]))


def rep_flags(exercise: str, drop_deg: float, extras: dict, rules: LabelRules) -> tuple[str, ...]:
    """Flags of one rep from its true measures (clamshell: drop_deg is the roll-back)."""
    flags: list[str] = []
    if exercise == "clamshell":
        # Side-lying: the fault is the pelvis rolling back; there is no stance side to hike.
        return ("pelvis_roll_back",) if drop_deg > rules.drop_flag_deg[exercise] else ()
    if drop_deg > rules.drop_flag_deg[exercise]:
        flags.append("pelvic_drop")
    if drop_deg < -(rules.hip_hike_flag_deg_walking if exercise == "walking" else rules.hip_hike_flag_deg):
        flags.append("hip_hike")
    if exercise == "band-walk":
        if extras.get("bob_cm", 0.0) > rules.bobbing_flag_cm:
            flags.append("bobbing")
        if extras.get("step_m", 1.0) < rules.shuffle_step_m:
            flags.append("shuffling")
    if exercise == "single-leg-stance":
        if extras.get("hold_s", np.inf) < rules.short_hold_s:
            flags.append("short_hold")
        if extras.get("sway_deg", 0.0) > rules.excess_sway_deg:
            flags.append("excess_sway")
    return tuple(flags)
