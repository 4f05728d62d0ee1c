"""Words for analysed reps: the clinician's sentence, the patient's cue and the finding per leg.

Every word here derives from the analysed facts (constants' side vocabulary): `Rep.side` = the
tested (stance) leg for every exercise (clamshell: the working leg), `Rep.phases` when a rep has
several single-support phases (band walk), the drop's sign (negative = the unsupported side rose,
a hip hike) and the flags the scoring set. Nothing is recomputed from a trace or a threshold here:
thresholds only name the limit in a sentence.

    clinician_sentence("walking", rep)  # "left side dropped 7.2 deg during right stance"
    patient_words("walking", rep)       # "on your right leg: left hip dropped 7 deg, keep your hip bones level"
    finding_sentence(leg_findings("walking", reps)["right"])
    # "right hip abductors: drops of 7.2-10.1 deg on right stance in 11 of 12 steps (weak)"
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from hiplevel.constants import LEFT, RIGHT, Side, other_side, side_dropped
from hiplevel.scoring.reps import NO_PENALTY_FLAGS, Phase, Rep

# Exercises where the measured fault is the pelvis rolling back, not a side dropping.
ROLL_BACK_EXERCISES = frozenset({"clamshell"})
REP_NOUN: dict[str, tuple[str, str]] = {
    "walking": ("step", "steps"), "band-walk": ("step", "steps"), "single-leg-stance": ("hold", "holds"),
}
# The cue that works (domain primer): plain words, no biomechanics jargon.
LEVEL_CUE = "keep your hip bones level"
HIKE_CUE = "let that hip settle level"
ROLL_BACK_CUE = "keep your hips stacked"

Verdict = Literal["weak", "partly controlled", "hip hike", "controlled"]


def fault_flags(flags: Iterable[str]) -> tuple[str, ...]:
    """The flags that fault the movement (not the measurement's own doubt, e.g. side_uncertain)."""
    return tuple(f for f in flags if f not in NO_PENALTY_FLAGS)


def is_clean(rep: Rep) -> bool:
    """No compensation in the rep (a measurement flag such as side_uncertain is not one). Most reps
    have no flag at all: answered without going through them (a set's summary asks twice a rep)."""
    return not rep.flags or not fault_flags(rep.flags)


def rep_noun(exercise: str, n: int = 2) -> str:
    """'step'/'steps', 'hold'/'holds', 'rep'/'reps' for n of them."""
    one, many = REP_NOUN.get(exercise, ("rep", "reps"))
    return one if n == 1 else many


def exercise_words(exercise: str) -> str:
    """'band walk', 'single-leg stance': an exercise name in words."""
    return {"single-leg-stance": "single-leg stance", "single-leg-squat": "single-leg squat",
            "step-down": "step-down"}.get(exercise, exercise.replace("-", " "))


def support_phases(exercise: str, rep: Rep) -> tuple[Phase, ...]:
    """Every single-support phase of a rep: its `phases`, or the rep itself as its one phase.
    Per-leg statistics, advice and findings count these.

    A band-walk rep without phases comes from an analysis written before band-walk phases: its side
    named the leading leg, whose side dropped while the trailing (stance) leg held the pelvis."""
    if rep.phases:
        return rep.phases
    if exercise != "band-walk":
        return rep.own_phase
    return (Phase(other_side(rep.side), rep.start_s, rep.end_s, rep.drop_deg, rep.score, rep.flags),)


def set_phases(exercise: str, reps: Iterable[Rep]) -> list[Phase]:
    """Every single-support phase of a set's reps (`support_phases`), in order: what a set's
    summary, finding and advice count (made once for the three: `phases=` below)."""
    return [p for r in reps for p in support_phases(exercise, r)]


@dataclass(frozen=True)
class PhaseColumns:
    """Every single-support phase of a set's reps (`set_phases`) as what a set's summary, finding
    and advice count: drops, deg, in order (all of them, and per tested leg) and the flags of the
    flagged phases alone, per leg as (drop, flags) in order (most phases have none). Made in one
    pass (`phase_columns`): the summary's passes over a Phase per rep were ~17,000 instructions a
    walking step (90 M an hour)."""

    drops: list[float]
    leg_drops: dict[Side, list[float]]
    leg_flagged: dict[Side, list[tuple[float, tuple[str, ...]]]]


def phase_columns(exercise: str, reps: Iterable[Rep] = (), phases: Iterable[Phase] | None = None) -> PhaseColumns:
    """The `PhaseColumns` of `set_phases(exercise, reps)` (phases: those when at hand, or their
    columns, returned as they are)."""
    if isinstance(phases, PhaseColumns):
        return phases
    drops: list[float] = []
    leg_drops: dict[Side, list[float]] = {LEFT: [], RIGHT: []}
    leg_flagged: dict[Side, list[tuple[float, tuple[str, ...]]]] = {LEFT: [], RIGHT: []}
    add = drops.append
    rows = ((p.stance, p.drop_deg, p.flags) for p in phases) if phases is not None else _phase_rows(exercise, reps)
    for stance, drop, flags in rows:
        add(drop)
        mine = leg_drops.get(stance)
        if mine is not None:
            mine.append(drop)
            if flags:
                leg_flagged[stance].append((drop, flags))
    return PhaseColumns(drops, leg_drops, leg_flagged)


def _phase_rows(exercise: str, reps: Iterable[Rep]) -> Iterator[tuple[Side, float, tuple[str, ...]]]:
    """(stance, drop_deg, flags) of each `support_phases` of each rep, in order; a rep without
    phases (but in a band walk) is its own one phase: its fields are read, no Phase made."""
    band = exercise == "band-walk"
    for r in reps:
        f = r.__dict__  # its fields (a `direct_init` record's attribute reads take CPython's generic path)
        if f["phases"] or band:
            for p in support_phases(exercise, r):
                yield p.stance, p.drop_deg, p.flags
        else:
            yield f["side"], f["drop_deg"], f["flags"]


def stance_leg(exercise: str, rep: Rep) -> Side:
    """The rep's tested (stance) leg: its worse phase's stance leg."""
    return _worse(support_phases(exercise, rep)).stance


def dropped_side(exercise: str, rep_or_phase: Rep | Phase) -> Side | None:
    """The side that dropped (or rose, when the drop is negative); None for a clamshell roll-back."""
    if exercise in ROLL_BACK_EXERCISES:
        return None
    stance = rep_or_phase.stance if isinstance(rep_or_phase, Phase) else stance_leg(exercise, rep_or_phase)
    return side_dropped(stance)


def worse_phase(exercise: str, rep: Rep) -> Phase:
    """The rep's worse single-support phase (whose stance, drop and flags the rep carries)."""
    return _worse(support_phases(exercise, rep))


def _worse(phases: Sequence[Phase]) -> Phase:
    # The analysis gives a rep its worse phase's facts (lower score, then larger |drop|).
    return min(phases, key=lambda p: (p.score if p.score == p.score else 0.0, -abs(p.drop_deg)))


def drop_words(exercise: str, phase: Phase) -> str:
    """What the pelvis did: 'left side dropped 7.2 deg', 'left side rose 3.5 deg (hip hike)',
    'pelvis rolled back 5.0 deg'."""
    if exercise in ROLL_BACK_EXERCISES:
        return f"pelvis rolled back {max(0.0, phase.drop_deg):.1f} deg"
    low = side_dropped(phase.stance)
    if phase.drop_deg < 0:
        hike = " (hip hike)" if "hip_hike" in phase.flags else ""
        return f"{low} side rose {-phase.drop_deg:.1f} deg{hike}"
    return f"{low} side dropped {phase.drop_deg:.1f} deg"


def phase_sentence(exercise: str, phase: Phase) -> str:
    """The clinician's sentence for one single-support phase: 'left side dropped 7.2 deg during
    right stance' (clamshell: 'pelvis rolled back 5.0 deg while the right leg worked')."""
    if exercise in ROLL_BACK_EXERCISES:
        return f"{drop_words(exercise, phase)} while the {phase.stance} leg worked"
    return f"{drop_words(exercise, phase)} during {phase.stance} stance"


def clinician_sentence(exercise: str, rep: Rep) -> str:
    """The clinician's sentence for a rep; a band-walk rep names both phases, worse first:
    'left side dropped 7.2 deg during right stance; right side dropped 1.0 deg during left stance'."""
    phases = support_phases(exercise, rep)
    worse = _worse(phases)
    return "; ".join(phase_sentence(exercise, p) for p in (worse, *(p for p in phases if p is not worse)))


def patient_words(exercise: str, rep: Rep) -> str:
    """The patient's words for the live screen (no 'stance', no jargon), from the rep's worse phase:
    'on your right leg: left hip dropped 7 deg, keep your hip bones level'."""
    p = _worse(support_phases(exercise, rep))
    if exercise in ROLL_BACK_EXERCISES:
        if "pelvis_roll_back" in p.flags:
            return f"{p.stance} knee up: pelvis rolled back {p.drop_deg:.0f} deg, {ROLL_BACK_CUE}"
        return f"{p.stance} knee up: hips stayed stacked, well done"
    low = side_dropped(p.stance)
    if "pelvic_drop" in p.flags:
        return f"on your {p.stance} leg: {low} hip dropped {p.drop_deg:.0f} deg, {LEVEL_CUE}"
    if "hip_hike" in p.flags:
        return f"on your {p.stance} leg: {low} hip rose {-p.drop_deg:.0f} deg, {HIKE_CUE}"
    return f"on your {p.stance} leg: hips level, well done"


@dataclass(frozen=True)
class LegFinding:
    """What a set says about one tested leg's hip abductors, counted over its single-support phases.

    n: phases on this leg; n_dropped / n_hiked: phases flagged pelvic_drop / hip_hike (clamshell:
    pelvis_roll_back counts as dropped); faulted_deg: (min, max) drop of the flagged phases, deg
    (hikes as positive rise), None when none was flagged; largest_deg: the largest drop of any phase."""

    exercise: str
    leg: Side
    n: int
    n_dropped: int
    n_hiked: int
    faulted_deg: tuple[float, float] | None
    largest_deg: float
    mean_deg: float
    regress_fraction: float = 0.5

    @property
    def verdict(self) -> Verdict:
        """'weak' when most phases dropped, 'partly controlled' when some did, 'hip hike' when the
        faults are hikes, else 'controlled'."""
        if self.n_dropped == 0 and self.n_hiked == 0:
            return "controlled"
        if self.n_hiked > self.n_dropped:
            return "hip hike"
        return "weak" if self.n_dropped / self.n > self.regress_fraction else "partly controlled"


def leg_findings(exercise: str, reps: Iterable[Rep], regress_fraction: float = 0.5,
                 phases: Sequence[Phase] | PhaseColumns | None = None) -> dict[Side, LegFinding]:
    """Per tested leg, the facts behind its finding (legs with no phase are left out).
    regress_fraction: share of flagged phases beyond which the leg counts as weak (Thresholds);
    phases: `set_phases(exercise, reps)` or its `phase_columns` when at hand."""
    drop_flag = "pelvis_roll_back" if exercise in ROLL_BACK_EXERCISES else "pelvic_drop"
    cols = phase_columns(exercise, reps, phases)
    out: dict[Side, LegFinding] = {}
    for leg in (LEFT, RIGHT):
        drops = cols.leg_drops[leg]
        if not drops:
            continue
        flagged = cols.leg_flagged[leg]
        dropped = [d for d, flags in flagged if drop_flag in flags]
        hiked = [-d for d, flags in flagged if "hip_hike" in flags]
        faulted = dropped if len(dropped) >= len(hiked) else hiked
        out[leg] = LegFinding(exercise, leg, len(drops), len(dropped), len(hiked),
                              (min(faulted), max(faulted)) if faulted else None, max(drops),
                              sum(drops) / len(drops), regress_fraction)
    return out


def _range(lo_hi: tuple[float, float]) -> str:
    lo, hi = lo_hi
    return f"{lo:.1f} deg" if round(lo, 1) == round(hi, 1) else f"{lo:.1f}-{hi:.1f} deg"


def finding_sentence(f: LegFinding) -> str:
    """The finding in the clinician's words: 'right hip abductors: drops of 7.2-10.1 deg on right
    stance in 11 of 12 steps (weak)'; 'left hip abductors: level on left stance (largest drop
    1.9 deg in 12 steps) (controlled)'."""
    noun = rep_noun(f.exercise, f.n)
    if f.exercise in ROLL_BACK_EXERCISES:
        who = f"{f.leg} hip (working leg)"
        if f.faulted_deg is None:
            return f"{who}: no roll-back in {f.n} {noun} (controlled)"
        verdict = "compensated" if f.verdict == "weak" else f.verdict
        return f"{who}: pelvis rolled back {_range(f.faulted_deg)} in {f.n_dropped} of {f.n} {noun} ({verdict})"
    where = f"on {f.leg} stance"
    if f.faulted_deg is None:
        return (f"{f.leg} hip abductors: level {where} (largest drop {max(0.0, f.largest_deg):.1f} deg "
                f"in {f.n} {noun}) (controlled)")
    if f.verdict == "hip hike":
        return (f"{f.leg} hip: {side_dropped(f.leg)} side hiked {_range(f.faulted_deg)} {where} "
                f"in {f.n_hiked} of {f.n} {noun} (hip hike)")
    what = "a drop of" if f.n_dropped == 1 else "drops of"
    return f"{f.leg} hip abductors: {what} {_range(f.faulted_deg)} {where} in {f.n_dropped} of {f.n} {noun} ({f.verdict})"


def set_finding(exercise: str, reps: Sequence[Rep], regress_fraction: float = 0.5,
                phases: Sequence[Phase] | PhaseColumns | None = None) -> str:
    """The set's finding, the worse leg first: 'right hip abductors: ... (weak); left hip
    abductors: level on left stance (...) (controlled)'. Empty when the set has no reps.
    phases: `set_phases(exercise, reps)` or its `phase_columns` when at hand."""
    found = leg_findings(exercise, reps, regress_fraction, phases)
    order = sorted(found.values(), key=lambda f: (-_severity(f), f.leg))
    return "; ".join(finding_sentence(f) for f in order)


def _severity(f: LegFinding) -> float:
    """How much a leg's finding matters: flagged share first, then the mean drop (for ordering)."""
    return (f.n_dropped + f.n_hiked) / f.n + 1e-3 * f.mean_deg


def weaker_leg(findings: Iterable[LegFinding]) -> Side | None:
    """The leg with the larger share of faulted phases over all findings given (None when no leg
    has a fault, or both have the same share)."""
    n = {LEFT: 0, RIGHT: 0}
    bad = {LEFT: 0, RIGHT: 0}
    for f in findings:
        n[f.leg] += f.n
        bad[f.leg] += f.n_dropped + f.n_hiked
    share = {s: bad[s] / n[s] if n[s] else 0.0 for s in (LEFT, RIGHT)}
    if share[LEFT] == share[RIGHT]:
        return None
    return LEFT if share[LEFT] > share[RIGHT] else RIGHT


def session_finding(sets: Sequence[tuple[str, Sequence[Rep]]], regress_fraction: float = 0.5) -> str:
    """One headline for a session from (exercise, reps) per set: the weaker leg's findings per
    exercise, then how the other leg did. 'right hip abductors weak: walking: drops of ...; band
    walk: ... . Left stance: level in every exercise.'"""
    per_ex: dict[str, list[Rep]] = {}
    for ex, reps in sets:
        per_ex.setdefault(ex, []).extend(reps)
    findings = {ex: leg_findings(ex, reps, regress_fraction) for ex, reps in per_ex.items()}
    if not any(findings.values()):
        return "No reps were detected, so there is no finding: repeat the exercises with the sensor on."
    weak = weaker_leg(f for fs in findings.values() for f in fs.values())
    if weak is None:
        faults = any(f.verdict != "controlled" for fs in findings.values() for f in fs.values())
        if not faults:
            return "Both hips held the pelvis level: no drop beyond the limit on either stance leg."
        return "Drops on both stance legs alike: " + "; ".join(
            f"{exercise_words(ex)}: {set_finding(ex, per_ex[ex], regress_fraction)}" for ex in per_ex)
    worst = [fs[weak] for fs in findings.values() if weak in fs]
    verdict = "weak" if any(f.verdict == "weak" for f in worst) else worst[0].verdict
    if all(f.verdict == "controlled" for f in worst):
        verdict = "controlled"
    parts = [f"{exercise_words(f.exercise)}: {_finding_detail(f)}" for f in worst]
    other = other_side(weak)
    others = [fs[other] for fs in findings.values() if other in fs]
    if others and all(f.verdict == "controlled" for f in others):
        tail = f" {other.capitalize()} stance: level in every exercise."
    elif others:
        tail = " " + "; ".join(f"{exercise_words(f.exercise)}: {finding_sentence(f)}"
                               for f in others if f.verdict != "controlled") + "."
    else:
        tail = ""
    return f"{weak.capitalize()} hip abductors {verdict}: " + "; ".join(parts) + "." + tail


def _finding_detail(f: LegFinding) -> str:
    """A finding without the leg's name (it heads the sentence)."""
    text = finding_sentence(f)
    return text.split(": ", 1)[1]
