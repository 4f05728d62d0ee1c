"""Set and session summaries and the progression advice of the domain primer:
progress only when every rep of the set was clean; regress when most reps fail; otherwise stay."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from hiplevel.constants import LEFT, RIGHT, rep_side_meaning
from hiplevel.scoring.reps import Rep, measured_side
from hiplevel.scoring.thresholds import Thresholds

# Progression levels of the domain primer; walking is the real-world test, not a level.
EXERCISE_LEVEL: dict[str, int | None] = {
    "clamshell": 1,
    "band-walk": 2,
    "step-down": 2,
    "single-leg-stance": 3,
    "single-leg-squat": 3,
    "walking": None,
}
REP_NOUN = {"walking": "steps", "band-walk": "steps", "single-leg-stance": "holds"}


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


def _fault_phrases(exercise: str, reps: Sequence[Rep], th: Thresholds) -> list[str]:
    """Sentences like '3 of 15 reps dropped beyond 5.0 deg on the right side'."""
    n, noun = len(reps), REP_NOUN.get(exercise, "reps")
    _, flag_deg, _ = th.drop_band_deg(exercise)
    out: list[str] = []
    for side in (LEFT, RIGHT):
        k = sum(1 for r in reps if "pelvic_drop" in r.flags and measured_side(exercise, r.side) == side)
        if k:
            out.append(f"{k} of {n} {noun} dropped beyond {flag_deg:.1f} deg on the {side} side")
        k = sum(1 for r in reps if "hip_hike" in r.flags and measured_side(exercise, r.side) == side)
        if k:
            out.append(f"{k} of {n} {noun} hiked the {side} side beyond {th.hike_flag_deg:.1f} deg")
    counts = Counter(f for r in reps for f in r.flags if f not in ("pelvic_drop", "hip_hike"))
    words = {
        "pelvis_roll_back": "let the pelvis roll back",
        "short_hold": f"were held under {th.hold_min_s:.0f} s",
        "excess_sway": "swayed too much",
        "bobbing": "bobbed up and down",
        "shuffling": "were shuffled (too short)",
    }
    for f, k in sorted(counts.items()):
        out.append(f"{k} of {n} {noun} {words.get(f, f.replace('_', ' '))}")
    return out


def advise(exercise: str, reps: Sequence[Rep], th: Thresholds) -> dict:
    """Progression advice for one set: {"action": progress|stay|regress|repeat, "level", "reason"}."""
    level = EXERCISE_LEVEL.get(exercise)
    at = f" at level {level}" if level else ""
    n = len(reps)
    if n == 0:
        return {"action": "repeat", "level": level, "reason": "no reps were detected: repeat the set with the sensor on"}
    failing = [r for r in reps if r.flags]
    worst = max(r.drop_deg for r in reps)
    if not failing:
        nxt = "add a band, weight or the next level" if level else "keep walking this way"
        reason = f"all {n} {REP_NOUN.get(exercise, 'reps')} were clean (largest drop {worst:.1f} deg): progress{at} ({nxt})"
        return {"action": "progress", "level": level, "reason": reason}
    phrases = "; ".join(_fault_phrases(exercise, reps, th))
    if len(failing) / n > th.regress_fraction:
        to = f" to level {max(1, level - 1)} or an easier variant" if level else ": shorter walks with feedback"
        return {"action": "regress", "level": level, "reason": f"{phrases}: regress{to}"}
    return {"action": "stay", "level": level, "reason": f"{phrases}: stay{at}"}


def summarize_set(exercise: str, reps: Sequence[Rep], th: Thresholds) -> dict:
    """Set summary: counts, per-side drop statistics (by the rep's side), asymmetry and advice."""
    by_side = {s: [r.drop_deg for r in reps if r.side == s] for s in (LEFT, RIGHT)}
    stats = {s: _side_stats(v) for s, v in by_side.items()}
    summary: dict = {
        "reps": len(reps),
        "clean_reps": sum(1 for r in reps if not r.flags),
        "mean_score": round(float(np.mean([r.score for r in reps])), 1) if reps else None,
        "per_side": stats,
        "flag_counts": dict(Counter(f for r in reps for f in r.flags)),
    }
    ml, mr = stats[LEFT]["mean_drop_deg"], stats[RIGHT]["mean_drop_deg"]
    if ml is not None and mr is not None:
        asym = ml - mr
        summary["asymmetry_deg"] = round(asym, 2)
        worse = LEFT if asym > 0 else RIGHT
        # Name what a rep's side is for this exercise: stance leg, leading leg (band walk) or
        # working leg (clamshell, whose "drop" is the pelvis rolling back).
        what = rep_side_meaning(exercise).replace(" ", "-")
        noun = "roll-backs" if exercise == "clamshell" else "drops"
        text = f"{noun} are {abs(asym):.1f} deg larger on {worse} {what} reps"
        if abs(asym) >= th.asymmetry_flag_deg:
            text += f" (beyond the {th.asymmetry_flag_deg:.0f} deg that counts as a real difference)"
        summary["asymmetry_text"] = text
    else:
        summary["asymmetry_deg"] = None
    summary["advice"] = advise(exercise, reps, th)
    return summary


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
