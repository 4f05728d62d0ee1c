"""What the report says about reps, sets and sides, computed from the analysis JSON and the trace.

Sides: reps are grouped by the leg they test (`constants.tested_leg`: the stance leg; in band walks
the trailing leg, opposite the rep's leading `side`). The side that *dropped* is read from the roll trace at the rep's
extreme (roll + = left side higher, so a negative extreme means the left side was low).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from hiplevel.constants import Side, other_side, tested_leg
from hiplevel.errors import HiplevelError
from hiplevel.scoring import Thresholds
from hiplevel.store.records import SessionMeta, SetReport

# Drop beyond which a rep counts as compensated when neither the analysis nor the session says
# otherwise, deg. 6 deg sits above normal walking's 3-5 deg contralateral drop (domain primer;
# Bailey, Salford) and above the single-IMU error of 2.7-4.5 deg (Bolink et al. 2016).
DEFAULT_DROP_FLAG_DEG: float = 6.0
# Exercises measured as holds (duration and sway), and as steps (count and cadence).
HOLD_EXERCISES: tuple[str, ...] = ("single-leg-stance",)
STEP_EXERCISES: tuple[str, ...] = ("walking", "band-walk")


# Words for the scoring layer's advice actions (hiplevel.scoring.summary.advise).
ACTION_WORDS: dict[str, str] = {
    "progress": "ready to progress", "stay": "stay at this level", "regress": "step back", "repeat": "repeat the set",
}


@dataclass(frozen=True)
class RepView:
    """One rep as the report shows it; times on the session clock, s. number: 1-based position in
    the set (what the figure and the table show); index: the analysis JSON's own index."""

    number: int
    index: int
    start_s: float
    end_s: float
    stance_side: Side
    dropped_side: Side
    drop_deg: float
    score: float | None
    flags: tuple[str, ...]
    peak_t_s: float
    peak_roll_deg: float

    @property
    def clean(self) -> bool:
        """No compensation flagged in this rep."""
        return not self.flags


def drop_flag_deg(meta: SessionMeta, s: SetReport) -> float:
    """The drop threshold used for this set, deg: an explicit `drop_flag_deg`, else the scoring
    layer's per-exercise flag threshold (with the session's per-patient overrides)."""
    for source in (s.analysis_json.get("summary", {}).get("thresholds", {}), meta.thresholds):
        if isinstance(source, dict) and "drop_flag_deg" in source:
            return float(source["drop_flag_deg"])
    known = {f.name for f in fields(Thresholds)}
    try:
        th = Thresholds.from_dict({k: v for k, v in meta.thresholds.items() if k in known})
    except HiplevelError:
        return DEFAULT_DROP_FLAG_DEG
    return float(th.drop_band_deg(s.exercise)[1])


def rep_views(s: SetReport) -> list[RepView]:
    """The set's reps with the dropped side and peak point read from the trace."""
    t = s.start_s + np.asarray(s.t_s, dtype=float)
    roll = np.asarray(s.roll_deg, dtype=float)
    out = []
    for number, r in enumerate(s.reps, start=1):
        a, b = s.start_s + float(r["start_s"]), s.start_s + float(r["end_s"])
        stance: Side = tested_leg(s.exercise, r["side"])
        drop = float(r["drop_deg"])
        seg = (t >= a) & (t <= b) & np.isfinite(roll)
        if seg.any():
            idx = np.flatnonzero(seg)
            k = idx[np.argmax(np.abs(roll[idx]))]
            peak_t, peak_roll = float(t[k]), float(roll[k])
            dropped: Side = "left" if peak_roll < 0 else "right"
        else:
            peak_t, peak_roll = (a + b) / 2, float("nan")
            dropped = other_side(stance) if drop >= 0 else stance
        out.append(
            RepView(
                number=number, index=int(r["index"]), start_s=a, end_s=b, stance_side=stance, dropped_side=dropped,
                drop_deg=drop, score=None if r.get("score") is None else float(r["score"]),
                flags=tuple(r.get("flags", ())), peak_t_s=peak_t, peak_roll_deg=peak_roll,
            )
        )
    return out


@dataclass(frozen=True)
class SideStats:
    """Drops of the reps attributed to one stance leg, deg."""

    n: int
    n_clean: int
    mean_deg: float
    max_deg: float


def side_stats(reps: list[RepView], side: Side) -> SideStats | None:
    """Per-side stats (None when no rep was on that side)."""
    d = [r.drop_deg for r in reps if r.stance_side == side]
    if not d:
        return None
    return SideStats(len(d), sum(1 for r in reps if r.stance_side == side and r.clean), float(np.mean(d)), float(np.max(d)))


def asymmetry_text(reps: list[RepView]) -> str:
    """Mean drop difference between stance legs, in words."""
    left, right = side_stats(reps, "left"), side_stats(reps, "right")
    if left is None or right is None:
        return "one side only"
    diff = right.mean_deg - left.mean_deg
    if abs(diff) < 0.05:
        return "no difference"
    worse = "right" if diff > 0 else "left"
    return f"{abs(diff):.1f}° more on {worse} stance"


def set_activity(s: SetReport, reps: list[RepView]) -> dict[str, str]:
    """Exercise-specific figures: steps and cadence (walking, band walk) or hold time and sway."""
    summary: dict[str, Any] = s.analysis_json.get("summary", {})
    out: dict[str, str] = {}
    if s.exercise in STEP_EXERCISES and reps:
        steps = int(summary.get("step_count", len(reps)))
        cadence = summary.get("cadence_spm")
        if cadence is None and len(reps) > 1:
            dur = reps[-1].end_s - reps[0].start_s
            cadence = 60.0 * len(reps) / dur if dur > 0 else None
        out["Steps"] = str(steps)
        out["Cadence"] = f"{float(cadence):.0f} steps/min" if cadence is not None else "n/a"
    if s.exercise in HOLD_EXERCISES and reps:
        t = s.start_s + np.asarray(s.t_s, dtype=float)
        roll = np.asarray(s.roll_deg, dtype=float)
        holds = [r.end_s - r.start_s for r in reps]
        sways = []
        for r in reps:
            seg = roll[(t >= r.start_s) & (t <= r.end_s)]
            seg = seg[np.isfinite(seg)]
            if len(seg) > 2:
                sways.append(float(np.std(seg)))
        out["Hold time"] = f"{np.mean(holds):.0f} s mean ({min(holds):.0f}–{max(holds):.0f} s)"
        sway = summary.get("sway_deg", np.mean(sways) if sways else None)
        out["Sway (roll SD)"] = f"{float(sway):.1f}°" if sway is not None else "n/a"
    return out


def advice(s: SetReport, reps: list[RepView], flag_deg: float) -> tuple[str, str]:
    """(advice, reason) for progression: the analysis's own text when it gives one, else the
    domain rule: progress only when no rep of the set shows compensation."""
    summary: dict[str, Any] = s.analysis_json.get("summary", {})
    level = s.effective_level
    given = summary.get("advice")
    if isinstance(given, dict) and given.get("action") in ACTION_WORDS:
        lv = given.get("level", level)
        text = ACTION_WORDS[given["action"]] + (f" (level {lv})" if lv else "")
        return text, str(given.get("reason", ""))
    if isinstance(given, str) and given:
        return given, ""
    at = f"level {level}" if level else "this exercise"
    bad = [r for r in reps if not r.clean]
    if not reps:
        return f"stay at {at}", "no reps were found in this set"
    if not bad:
        return "ready to progress", f"all {len(reps)} reps stayed level (no compensation in any rep)"
    by_side = {side: sum(1 for r in bad if r.stance_side == side) for side in ("left", "right")}
    where = " and ".join(f"{n} on {side} stance" for side, n in by_side.items() if n)
    return f"stay at {at}", f"{len(bad)} of {len(reps)} reps compensated ({where}; threshold {flag_deg:.0f}°)"
