"""What the report says about reps, sets and sides, read from the analysis JSON.

Sides follow the one vocabulary (hiplevel.constants, hiplevel.scoring.words): a rep's tested leg
is its stance leg (`Rep.side`; a band-walk rep has both single-support phases in `phases`), the side
that dropped is the unsupported one, and the drop is the analysis' own `drop_deg`. Nothing here is
recomputed from the trace: the trace only places a phase's marker on the figure.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from hiplevel.constants import Side
from hiplevel.errors import HiplevelError
from hiplevel.scoring import Rep, Thresholds
from hiplevel.scoring.summary import LEVELS, advise
from hiplevel.scoring.words import (
    clinician_sentence, dropped_side, drop_words, fault_flags, support_phases, worse_phase,
)
from hiplevel.store.records import SessionMeta, SetReport

# Drop beyond which a rep counts as compensated when neither the analysis nor the session says
# otherwise, deg. 6 deg sits above normal walking's 3-5 deg contralateral drop (domain primer;
# Bailey, Salford) and above the single-IMU error of 2.7-4.5 deg (Bolink et al. 2016).
DEFAULT_DROP_FLAG_DEG: float = 6.0
# Exercises measured as holds (duration and sway), and as steps (count and cadence).
HOLD_EXERCISES: tuple[str, ...] = ("single-leg-stance",)
STEP_EXERCISES: tuple[str, ...] = ("walking", "band-walk")
DROP_FLAGS = ("pelvic_drop", "hip_hike", "pelvis_roll_back")

# Words for the scoring layer's advice actions (hiplevel.scoring.summary.advise); walking is the
# real-world test, not a level, so it has its own.
ACTION_WORDS: dict[str, str] = {
    "progress": "ready to progress", "stay": "stay at this level", "regress": "step back", "repeat": "repeat the set",
}
WALKING_ACTION_WORDS: dict[str, str] = {
    "progress": "walking well", "stay": "keep practising with feedback", "regress": "shorter walks with feedback",
    "repeat": "repeat the walk",
}


def action_words(exercise: str, action: str) -> str:
    """The advice card's verdict for an action."""
    return (WALKING_ACTION_WORDS if exercise == "walking" else ACTION_WORDS)[action]


@dataclass(frozen=True)
class PhaseView:
    """One single-support phase as the report shows it; times on the session clock, s.
    peak_t_s / peak_roll_deg: where the trace leans furthest toward the side that dropped (the
    figure's marker; NaN roll when the trace has no sample there)."""

    stance_side: Side
    dropped_side: Side | None
    start_s: float
    end_s: float
    drop_deg: float
    score: float | None
    flags: tuple[str, ...]
    words: str
    peak_t_s: float
    peak_roll_deg: float

    @property
    def faulted(self) -> bool:
        """The phase's drop (or hike, or roll-back) was flagged."""
        return any(f in DROP_FLAGS for f in self.flags)


@dataclass(frozen=True)
class RepView:
    """One rep as the report shows it; times on the session clock, s. number: 1-based position in
    the set (what the figure and the table show); index: the analysis JSON's own index. The rep's
    stance/dropped side, drop and flags are its worse phase's; phases: every single-support phase
    (one for most exercises, two for a band-walk step); sentence: the clinician's sentence."""

    number: int
    index: int
    start_s: float
    end_s: float
    stance_side: Side
    dropped_side: Side | None
    drop_deg: float
    score: float | None
    flags: tuple[str, ...]
    phases: tuple[PhaseView, ...]
    sentence: str

    @property
    def clean(self) -> bool:
        """No compensation flagged in this rep (side_uncertain is the sensor's doubt, not one)."""
        return not fault_flags(self.flags)

    @property
    def peak_t_s(self) -> float:
        """Marker time of the worse phase."""
        return self.phases[self._worse].peak_t_s

    @property
    def peak_roll_deg(self) -> float:
        """Marker roll of the worse phase."""
        return self.phases[self._worse].peak_roll_deg

    @property
    def _worse(self) -> int:
        return next((i for i, p in enumerate(self.phases) if p.stance_side == self.stance_side), 0)


def set_thresholds(meta: SessionMeta) -> Thresholds:
    """The session's per-patient thresholds (defaults for any it does not name)."""
    known = {f.name for f in fields(Thresholds)}
    try:
        return Thresholds.from_dict({k: v for k, v in meta.thresholds.items() if k in known})
    except HiplevelError:
        return Thresholds()


def drop_flag_deg(meta: SessionMeta, s: SetReport) -> float:
    """The drop threshold used for this set, deg: an explicit `drop_flag_deg`, else the scoring
    layer's per-exercise flag threshold (with the session's per-patient overrides)."""
    for source in (s.analysis_json.get("summary", {}).get("thresholds", {}), meta.thresholds):
        if isinstance(source, dict) and "drop_flag_deg" in source:
            return float(source["drop_flag_deg"])
    th = set_thresholds(meta)
    if s.exercise == "clamshell":
        return th.rollback_flag_deg
    return float(th.drop_band_deg(s.exercise)[1])


def set_reps(s: SetReport) -> list[Rep]:
    """The set's reps as the analysis wrote them."""
    return [Rep.from_json(r) for r in s.reps]


def rep_views(s: SetReport) -> list[RepView]:
    """The set's reps and their phases in the report's terms (session clock)."""
    t = s.start_s + np.asarray(s.t_s, dtype=float)
    roll = np.asarray(s.roll_deg, dtype=float)
    out = []
    for number, rep in enumerate(set_reps(s), start=1):
        phases = tuple(_phase_view(s.exercise, p, t, roll, s.start_s) for p in support_phases(s.exercise, rep))
        worse = worse_phase(s.exercise, rep)
        out.append(RepView(
            number=number, index=rep.index, start_s=s.start_s + rep.start_s, end_s=s.start_s + rep.end_s,
            stance_side=worse.stance, dropped_side=dropped_side(s.exercise, worse), drop_deg=rep.drop_deg,
            score=None if rep.score != rep.score else rep.score, flags=rep.flags, phases=phases,
            sentence=clinician_sentence(s.exercise, rep),
        ))
    return out


def _phase_view(exercise: str, p, t: np.ndarray, roll: np.ndarray, offset_s: float) -> PhaseView:
    a, b = offset_s + p.start_s, offset_s + p.end_s
    low = dropped_side(exercise, p)
    seg = np.flatnonzero((t >= a) & (t <= b) & np.isfinite(roll))
    if len(seg):
        # Positive roll = left side higher: the left side dropping pulls the roll negative.
        k = seg[np.argmin(roll[seg])] if low == "left" else seg[np.argmax(roll[seg])]
        peak_t, peak_roll = float(t[k]), float(roll[k])
    else:
        peak_t, peak_roll = (a + b) / 2, float("nan")
    return PhaseView(p.stance, low, a, b, p.drop_deg, None if p.score != p.score else p.score, p.flags,
                     drop_words(exercise, p), peak_t, peak_roll)


@dataclass(frozen=True)
class SideStats:
    """Drops of the single-support phases on one stance leg, deg."""

    n: int
    n_clean: int
    mean_deg: float
    max_deg: float


def side_stats(reps: list[RepView], side: Side) -> SideStats | None:
    """Per stance leg stats over every phase (None when no phase was on that leg)."""
    ph = [p for r in reps for p in r.phases if p.stance_side == side]
    if not ph:
        return None
    d = [p.drop_deg for p in ph]
    return SideStats(len(d), sum(1 for p in ph if not p.faulted), float(np.mean(d)), float(np.max(d)))


def asymmetry_text(reps: list[RepView]) -> str:
    """Mean drop difference between stance legs, in words."""
    left, right = side_stats(reps, "left"), side_stats(reps, "right")
    if left is None or right is None:
        return "one leg only"
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


def advice(s: SetReport, th: Thresholds | None = None) -> tuple[str, str]:
    """(advice, reason) for progression: the analysis's own advice when it gives one, else the
    scoring layer's rule (`scoring.summary.advise`: each tested leg judged on its own)."""
    summary: dict[str, Any] = s.analysis_json.get("summary", {})
    level = s.effective_level
    given = summary.get("advice")
    if isinstance(given, dict) and given.get("action") in ACTION_WORDS:
        lv = given.get("level", level)
        text = action_words(s.exercise, given["action"]) + (f" (level {lv})" if lv else "")
        return text, str(given.get("reason", ""))
    if isinstance(given, str) and given:
        return given, ""
    # An analysis without advice: the scoring layer's own rule over the analysed reps.
    adv = advise(s.exercise, set_reps(s), th or Thresholds())
    lv = adv["level"] if level is None else level
    return action_words(s.exercise, adv["action"]) + (f" (level {lv})" if lv else ""), adv["reason"]


def level_legend(levels: list[int | None]) -> str:
    """One line defining the levels a report names (domain primer's progression)."""
    shown = sorted({lv for lv in levels if lv in LEVELS})
    return "; ".join(f"level {lv} = {LEVELS[lv]}" for lv in shown)
