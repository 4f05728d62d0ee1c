"""Set and session summaries and the progression advice of the domain primer: progress only when
every rep of the set was clean; regress when most of one tested leg's reps fail (a one-sided
weakness is judged on its own leg, never pooled with the good side); otherwise stay."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from hiplevel.constants import LEFT, RIGHT, Side
from hiplevel.scoring.reps import Phase, Rep
from hiplevel.scoring.thresholds import Thresholds
from hiplevel.scoring.words import (
    ROLL_BACK_EXERCISES, PhaseColumns, fault_flags, leg_findings, phase_columns, rep_noun, set_finding,
)

# Progression levels of the domain primer; walking is the real-world test, not a level.
EXERCISE_LEVEL: dict[str, int | None] = {
    "clamshell": 1,
    "band-walk": 2,
    "step-down": 2,
    "single-leg-stance": 3,
    "single-leg-squat": 3,
    "walking": None,
}
# What each level means (domain primer, "The exercises"), for every report that names a level.
LEVELS: dict[int, str] = {
    1: "non-weight-bearing (clamshell, side-lying hip abduction)",
    2: "weight-bearing with partial single-leg load (lateral band walk, lateral step-down)",
    3: "single leg under full body weight (single-leg stance holds, single-leg squat)",
}


def level_words(level: int | None) -> str:
    """'level 2 (weight-bearing with partial single-leg load ...)', or '' for no level."""
    return f"level {level} ({LEVELS[level]})" if level in LEVELS else ""


def _side_stats(drops: list[float]) -> dict:
    if not drops:
        return {"n": 0, "mean_drop_deg": None, "sd_drop_deg": None, "max_drop_deg": None}
    a = np.asarray(drops)
    return {
        "n": len(a),
        "mean_drop_deg": round(float(a.mean()), 2),
        "sd_drop_deg": round(float(a.std(ddof=1)), 2) if len(a) > 1 else 0.0,
        "max_drop_deg": round(float(a.max()), 2),
    }


def _leg_faults(exercise: str, cols: PhaseColumns, leg: Side, th: Thresholds) -> list[str]:
    """'7 of 12 right-stance steps dropped beyond 4.0 deg (left side)', ... for one tested leg
    (cols: the `phase_columns` of the set's `set_phases`)."""
    flagged = cols.leg_flagged[leg]  # the flags of the leg's flagged phases: the others count for n alone
    n = len(cols.leg_drops[leg])
    noun = rep_noun(exercise, n)
    _, flag_deg, _ = th.drop_band_deg(exercise)
    other = RIGHT if leg == LEFT else LEFT
    out: list[str] = []
    k = sum(1 for _, flags in flagged if "pelvic_drop" in flags)
    if k:
        out.append(f"{k} of {n} {leg}-stance {noun} dropped beyond {flag_deg:.1f} deg ({other} side)")
    k = sum(1 for _, flags in flagged if "pelvis_roll_back" in flags)
    if k:
        out.append(f"{k} of {n} {noun} with the {leg} leg working let the pelvis roll back beyond "
                   f"{th.rollback_flag_deg:.1f} deg")
    k = sum(1 for _, flags in flagged if "hip_hike" in flags)
    if k:
        out.append(f"{k} of {n} {leg}-stance {noun} hiked the {other} side beyond {th.hike_flag_for(exercise):.1f} deg")
    return out


def _other_faults(exercise: str, reps: Sequence[Rep], th: Thresholds) -> list[str]:
    """Faults of the whole rep (not a side's drop): short holds, sway, bobbing, shuffling."""
    n = len(reps)
    counts = Counter(f for r in reps if r.flags for f in fault_flags(r.flags)
                     if f not in ("pelvic_drop", "hip_hike", "pelvis_roll_back"))
    words = {
        "short_hold": f"were held under {th.hold_min_s:.0f} s",
        "excess_sway": "swayed too much",
        "bobbing": "bobbed up and down",
        "shuffling": "were shuffled (too short)",
    }
    return [f"{k} of {n} {rep_noun(exercise, n)} {words.get(f, f.replace('_', ' '))}" for f, k in sorted(counts.items())]


def advise(exercise: str, reps: Sequence[Rep], th: Thresholds, phases: Sequence[Phase] | PhaseColumns | None = None) -> dict:
    """Progression advice for one set: {"action": progress|stay|regress|repeat, "level", "leg",
    "reason"}. Each tested leg is judged on its own: regress when more than `regress_fraction` of
    one leg's single-support phases fail (that leg is "leg"); stay when any rep fails; progress
    only when every rep is clean. The reason is one finished sentence. phases: the reps'
    `set_phases` (or their `phase_columns`) when at hand."""
    level = EXERCISE_LEVEL.get(exercise)
    at = f" at level {level}" if level else ""
    n = len(reps)
    if n == 0:
        return {"action": "repeat", "level": level, "leg": None,
                "reason": "No reps were detected: repeat the set with the sensor on."}
    noun = rep_noun(exercise, n)
    flagged = [r for r in reps if r.flags]  # most reps have no flag: the counts below go through these
    unsure = sum(1 for r in flagged if "side_uncertain" in r.flags)
    doubt = (f" The stance leg of {unsure} of {n} {noun} was uncertain (the sensor could not tell the legs apart)."
             if unsure else "")
    cols = phase_columns(exercise, reps, phases)
    if not any(fault_flags(r.flags) for r in flagged):  # every rep clean (`words.is_clean`)
        worst = max(cols.drops)
        what = "roll-back" if exercise in ROLL_BACK_EXERCISES else "drop"
        nxt = ("add a band, weight or the next level" if level
               else "keep walking this way, and progress the exercises")
        reason = f"All {n} {noun} were clean (largest {what} {worst:.1f} deg): progress{at} ({nxt})."
        return {"action": "progress", "level": level, "leg": None, "reason": reason + doubt}
    found = leg_findings(exercise, reps, th.regress_fraction, cols)
    fail_share = {leg: (f.n_dropped + f.n_hiked) / f.n for leg, f in found.items()}
    legs = sorted(found, key=lambda s: (-fail_share[s], s))
    phrases = [p for leg in legs for p in _leg_faults(exercise, cols, leg, th)] + _other_faults(exercise, reps, th)
    facts = "; ".join(phrases)
    weak = legs[0] if fail_share[legs[0]] > th.regress_fraction else None
    if weak is not None:
        if level:
            to = (f"step back to level {level - 1} or an easier variant for the {weak} leg "
                  "until its reps stay level" if level > 1 else f"make it easier for the {weak} leg "
                  "(no band, smaller range) until its reps stay level")
        else:
            to = f"shorter walks with feedback on {weak} stance, and strengthen the {weak} hip at level 1-2"
        return {"action": "regress", "level": level, "leg": weak, "reason": f"{_cap(facts)}: {to}.{doubt}"}
    if level:
        how = f"stay{at} until every rep is clean, keeping the hip bones level"
    else:
        how = "keep practising walking with feedback (keep your hip bones level) before judging progress"
    return {"action": "stay", "level": level, "leg": legs[0] if fail_share[legs[0]] else None,
            "reason": f"{_cap(facts)}: {how}.{doubt}"}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def summarize_set(exercise: str, reps: Sequence[Rep], th: Thresholds) -> dict:
    """Set summary: counts, per tested (stance) leg drop statistics over every single-support
    phase, asymmetry, the finding in the clinician's words and advice."""
    # Once for the statistics, the finding and the advice; most reps have no flag (`words.is_clean`).
    cols = phase_columns(exercise, reps)
    flagged = [r for r in reps if r.flags]
    stats = {s: _side_stats(cols.leg_drops[s]) for s in (LEFT, RIGHT)}
    summary: dict = {
        "reps": len(reps),
        "clean_reps": len(reps) - sum(1 for r in flagged if fault_flags(r.flags)),
        "mean_score": round(float(np.mean([r.score for r in reps])), 1) if reps else None,
        "per_side": stats,
        "flag_counts": dict(Counter(f for r in flagged for f in r.flags)),
    }
    ml, mr = stats[LEFT]["mean_drop_deg"], stats[RIGHT]["mean_drop_deg"]
    if ml is not None and mr is not None:
        asym = ml - mr
        summary["asymmetry_deg"] = round(asym, 2)
        summary["asymmetry_text"] = asymmetry_words(exercise, asym, th)
    else:
        summary["asymmetry_deg"] = None
    summary["finding"] = set_finding(exercise, reps, th.regress_fraction, cols)
    summary["advice"] = advise(exercise, reps, th, cols)
    return summary


def asymmetry_words(exercise: str, left_minus_right_deg: float, th: Thresholds) -> str:
    """'drops are 4.5 deg larger on right stance (beyond the 4 deg that counts as a real difference)'."""
    worse = LEFT if left_minus_right_deg > 0 else RIGHT
    if exercise in ROLL_BACK_EXERCISES:
        text = f"roll-backs are {abs(left_minus_right_deg):.1f} deg larger with the {worse} leg working"
    else:
        text = f"drops are {abs(left_minus_right_deg):.1f} deg larger on {worse} stance"
    if abs(left_minus_right_deg) >= th.asymmetry_flag_deg:
        text += f" (beyond the {th.asymmetry_flag_deg:.0f} deg that counts as a real difference)"
    return text


def summarize_session(set_summaries: Sequence[tuple[str, dict]]) -> dict:
    """Session summary from (exercise, set summary) pairs: totals per exercise, last advice each."""
    out: dict[str, dict] = {}
    for exercise, s in set_summaries:
        e = out.setdefault(exercise, {"sets": 0, "reps": 0, "clean_reps": 0, "advice": None})
        e["sets"] += 1
        e["reps"] += s["reps"]
        e["clean_reps"] += s["clean_reps"]
        e["advice"] = s["advice"]
    return {"exercises": out, "sets": len(set_summaries)}
