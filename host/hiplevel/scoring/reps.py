"""Rep scoring: 0-100 from the drop (monotone: a larger drop never scores higher), minus fixed
penalties for the other faults, with flags and reasons in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hiplevel._native import round_function
from hiplevel.constants import Side, other_side
from hiplevel.direct_init import direct_init
from hiplevel.scoring.thresholds import Thresholds

# round(x, places) for every rep's numbers (a few per rep, tens of thousands a day): the compiled
# one when built, the same floats to the bit.
_round = round_function()

# Score at the flag threshold: anything flagged scores below this.
FLAG_SCORE = 60.0

# The side whose drop is measured, relative to the rep's `side` (domain primer / issue 5): the
# unsupported side, opposite the stance leg, except the clamshell's roll-back of the working leg.
# (A band-walk rep's side is the stance leg of its worse phase: issue 12.)
MEASURES_OWN_SIDE = frozenset({"clamshell"})

DROP_FLAGS = frozenset({"pelvic_drop", "hip_hike", "pelvis_roll_back"})
# Flags about the measurement, not the movement: they cost the rep no points.
NO_PENALTY_FLAGS = frozenset({"side_uncertain"})
# The metrics `RepScorer.parts` flags on their own (a rep without them needs only its drop and side).
_FLAGGED_METRICS = frozenset({"hold_s", "sway_deg", "bob_cm", "step_m"})
_NO_FLAGS: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # (flags, reasons) of a rep without any


@direct_init
@dataclass(frozen=True)
class Phase:
    """One single-support phase of a rep that has several (band walk: lead swing, then trail swing).

    stance: the leg bearing the weight, whose hip abductors are tested; the unsupported side
    (`side_dropped`) is the other one; drop_deg: its peak drop below neutral (negative = it rose,
    a hip hike); start_s/end_s on the input clock; score 0-100 and flags as for a rep."""

    stance: Side
    start_s: float
    end_s: float
    drop_deg: float
    score: float
    flags: tuple[str, ...] = ()

    @property
    def side_dropped(self) -> Side:
        """The unsupported side, whose drop (or rise, when drop_deg < 0) is measured."""
        return other_side(self.stance)

    def to_json(self) -> dict:
        """The phase as it appears in a rep's `phases` in `hiplevel.analysis/1` JSON."""
        return {
            "stance": self.stance,
            "side_dropped": self.side_dropped,
            "start_s": _round(self.start_s, 3),
            "end_s": _round(self.end_s, 3),
            "drop_deg": _round(self.drop_deg, 2),
            "score": _round(self.score, 1),
            "flags": list(self.flags),
        }

    @classmethod
    def from_json(cls, doc: dict) -> "Phase":
        """A phase from its `hiplevel.analysis/1` JSON (`side_dropped` is derived, not read)."""
        return cls(doc["stance"], float(doc["start_s"]), float(doc["end_s"]), float(doc["drop_deg"]),
                   _score(doc), tuple(doc.get("flags", ())))


@direct_init
@dataclass(frozen=True)
class Rep:
    """One scored rep. index: 0-based in its set; start_s/end_s: s on the input clock; side: the
    stance (tested) leg (band walk: the stance leg of its worse phase; clamshell: the working leg);
    drop_deg: peak drop of the measured side below neutral (negative = hip hike); score 0-100;
    flags; details: metrics and reasons (`measured_side`, `reasons`, `hold_s`, band walk's
    `direction` of travel, ...); phases: the single-support phases of a rep that has several (band
    walk, lead swing first), the rep's own side/drop/flags being its worse phase's; empty for
    one-phase reps."""

    index: int
    start_s: float
    end_s: float
    side: Side
    drop_deg: float
    score: float
    flags: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)
    phases: tuple[Phase, ...] = ()

    @property
    def own_phase(self) -> tuple[Phase, ...]:
        """The rep itself as its one single-support phase, its side the stance leg
        (`words.support_phases` of a rep without phases): made once, as the set's summary, finding and
        advice each go through every rep's phases (kept in the instance's __dict__: not a field, so
        equality, repr and replace do not see it). Not a functools.cached_property: Python 3.11's
        takes a lock at each first read, ~1.4 us of the ~2.8 a rep's three reads cost (7 ms an hour)."""
        d = self.__dict__
        own = d.get("_own_phase")
        if own is None:
            own = d["_own_phase"] = (Phase(self.side, self.start_s, self.end_s, self.drop_deg, self.score, self.flags),)
        return own

    def to_json(self) -> dict:
        """The rep as it appears in `hiplevel.analysis/1` JSON."""
        out = {
            "index": self.index,
            "start_s": _round(self.start_s, 3),
            "end_s": _round(self.end_s, 3),
            "side": self.side,
            "drop_deg": _round(self.drop_deg, 2),
            "score": _round(self.score, 1),
            "flags": list(self.flags),
        }
        if self.details.get("direction") in ("left", "right"):
            out["direction"] = self.details["direction"]  # band walk: direction of travel
        if self.phases:
            out["phases"] = [p.to_json() for p in self.phases]
        return out

    @classmethod
    def from_json(cls, doc: dict) -> "Rep":
        """A rep from its `hiplevel.analysis/1` JSON (what reports and exports read back; no details)."""
        return cls(int(doc["index"]), float(doc["start_s"]), float(doc["end_s"]), doc["side"],
                   float(doc["drop_deg"]), _score(doc), tuple(doc.get("flags", ())),
                   {}, tuple(Phase.from_json(p) for p in doc.get("phases", ())))


def _score(doc: dict) -> float:
    """A JSON score, NaN when the analysis gave none."""
    score = doc.get("score")
    return float("nan") if score is None else float(score)


@direct_init
@dataclass(frozen=True)
class RepScore:
    """score 0-100, flags (names), reasons (one sentence per flag)."""

    score: float
    flags: tuple[str, ...]
    reasons: tuple[str, ...] = field(default=())


def measured_side(exercise: str, side: Side) -> Side:
    """The side whose drop a rep reports (left/right)."""
    return side if exercise in MEASURES_OWN_SIDE else other_side(side)


def _ramp_down(x: float, x0: float, x1: float, y0: float, y1: float) -> float:
    if x <= x0:
        return y0
    if x >= x1:
        return y1
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def drop_score(drop_deg: float, ok_deg: float, flag_deg: float, fail_deg: float, th: Thresholds,
               hike_flag_deg: float | None = None) -> float:
    """Score 0-100 from the drop alone, deg below neutral (negative = hike).

    Non-increasing in drop_deg for drop_deg >= 0 and in the hike (-drop_deg) for drop_deg < 0:
    100 up to ok, FLAG_SCORE at flag, 0 at fail and beyond (piecewise linear); a hike ramps the
    same way to hike_flag_deg (default th.hike_flag_deg) and th.hike_fail_deg."""
    if drop_deg >= 0:
        if drop_deg <= flag_deg:
            return _ramp_down(drop_deg, ok_deg, max(flag_deg, ok_deg + 1e-9), 100.0, FLAG_SCORE)
        return _ramp_down(drop_deg, flag_deg, fail_deg, FLAG_SCORE, 0.0)
    hike = -drop_deg
    hf = th.hike_flag_deg if hike_flag_deg is None else hike_flag_deg
    if hike <= hf:
        return _ramp_down(hike, 0.5 * hf, hf, 100.0, FLAG_SCORE)
    return _ramp_down(hike, hf, th.hike_fail_deg, FLAG_SCORE, 0.0)


def _stance_words(exercise: str, side: Side) -> str:
    """'during left stance', or 'on the left leg' where the rep measures its own side (made only
    for a flagged drop or hike: most reps have neither)."""
    return f"during {side} stance" if exercise not in MEASURES_OWN_SIDE else f"on the {side} leg"


def score_rep(exercise: str, side: Side, drop_deg: float, metrics: dict, th: Thresholds) -> RepScore:
    """Score one rep.

    side: the rep's stance (tested) leg (clamshell: the working leg);
    metrics: optional `hold_s`, `sway_deg`, `bob_cm`, `step_m` from the detector."""
    return RepScore(*RepScorer(exercise, th).parts(side, drop_deg, metrics))


class RepScorer:
    """`score_rep` for the many reps of one exercise: the exercise's thresholds looked up once
    (per rep they cost ~1 us of the ~3.4 a walking step's scoring took, 5 ms an hour)."""

    def __init__(self, exercise: str, th: Thresholds) -> None:
        ok, flag, fail = th.drop_band_deg(exercise)
        self.rollback = exercise == "clamshell"
        if self.rollback:
            # The clamshell detector measures the pelvis' roll-back (metrics["rollback_deg"]), not a side's
            # drop; rolling forward is not this fault (no hip hike while lying), so it scores as level.
            ok, flag = min(ok, th.rollback_flag_deg), th.rollback_flag_deg
            fail = max(fail, flag + 1.0)
        self.exercise, self.th = exercise, th
        self.ok, self.flag, self.fail, self.hike_flag = ok, flag, fail, th.hike_flag_for(exercise)
        self._ramp_end = max(flag, ok + 1e-9)  # `drop_score`'s first ramp ends there
        self._no_penalty = 0 * th.penalty_points  # a rep without flags loses this (0.0 unless the points are not finite)
        # `parts_many`'s two constant scores (at most ok, and from the first ramp's end to flag), as
        # `parts` returns them, and whether a drop there can carry no drop flag (no rollback, no hike
        # flag below zero: a drop of 0 would be a hike then).
        self._flat = {True: self._final(100.0 - self._no_penalty), False: self._final(FLAG_SCORE - self._no_penalty)}
        self._flat_ok = not self.rollback and not self.hike_flag < 0

    @staticmethod
    def _final(score: float) -> float:
        return _round(score if score > 0.0 else 0.0, 1)  # max(0.0, score): NaN and -0 too

    def parts(self, side: Side, drop_deg: float, metrics: dict) -> tuple[float, tuple[str, ...], tuple[str, ...]]:
        """(score 0-100, flags, reasons) of one rep, as `score_rep`'s RepScore fields."""
        exercise, th, flag, hike_flag = self.exercise, self.th, self.flag, self.hike_flag
        if self.rollback:
            drop_deg = max(0.0, float(metrics.get("rollback_deg", drop_deg)))
        if self._constant_drop(drop_deg):
            # `drop_score` without its calls where it is a constant (most reps: below ok).
            score = 100.0 if drop_deg <= self.ok else FLAG_SCORE
        else:
            score = drop_score(drop_deg, self.ok, flag, self.fail, th, hike_flag)
        # Tuples grown only for a flag (most reps have none: nothing made for them).
        flags: tuple[str, ...] = ()
        reasons: tuple[str, ...] = ()
        if drop_deg > flag:
            if self.rollback:
                flags += ("pelvis_roll_back",)
                reasons += (f"pelvis rolled back {drop_deg:.1f} deg (limit {flag:.1f} deg)",)
            else:
                flags += ("pelvic_drop",)
                reasons += (f"{measured_side(exercise, side)} side dropped {drop_deg:.1f} deg "
                            f"{_stance_words(exercise, side)} (limit {flag:.1f} deg)",)
        elif -drop_deg > hike_flag:
            flags += ("hip_hike",)
            reasons += (f"{measured_side(exercise, side)} side hiked {-drop_deg:.1f} deg {_stance_words(exercise, side)} "
                        f"(limit {hike_flag:.1f} deg)",)
        hold = metrics.get("hold_s")
        if hold is not None and hold < th.hold_min_s:
            flags += ("short_hold",)
            reasons += (f"{side} leg hold lasted {hold:.0f} s (aim {th.hold_min_s:.0f} s)",)
        sway = metrics.get("sway_deg")
        if sway is not None and sway > th.sway_flag_deg:
            flags += ("excess_sway",)
            reasons += (f"pelvis swayed {sway:.1f} deg (SD; limit {th.sway_flag_deg:.1f} deg)",)
        bob = metrics.get("bob_cm")
        if bob is not None and bob > th.bob_flag_cm:
            flags += ("bobbing",)
            reasons += (f"bobbed {bob:.0f} cm up and down (keep your height; limit {th.bob_flag_cm:.0f} cm)",)
        step = metrics.get("step_m")
        if step is not None and step < th.shuffle_step_m:
            flags += ("shuffling",)
            reasons += (f"step of {100 * step:.0f} cm is a shuffle (aim over {100 * th.shuffle_step_m:.0f} cm)",)
        side_flag, side_reason = self._side_flag(metrics, side)
        flags += side_flag
        reasons += side_reason
        if flags:
            score -= sum(1 for f in flags if f not in DROP_FLAGS and f not in NO_PENALTY_FLAGS) * th.penalty_points
        else:
            score -= self._no_penalty  # (most reps: no flag to count)
        return self._final(score), flags, reasons

    def _constant_drop(self, drop_deg: float) -> bool:
        """Whether drop_deg scores a constant: 100 from 0 up to ok, FLAG_SCORE from the first ramp's
        end up to flag (`drop_score`'s flat parts; most reps lie below ok)."""
        return 0 <= drop_deg <= self.flag and not self.ok < drop_deg < self._ramp_end

    def _side_flag(self, metrics: dict, side: Side) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(flags, reasons) of the side's confidence: side_uncertain below th.side_min_confidence."""
        conf = metrics.get("side_confidence")
        if conf is not None and conf < self.th.side_min_confidence:
            return ("side_uncertain",), (_uncertain_reason(conf, side),)
        return _NO_FLAGS

    def parts_many(self, sides: Sequence[Side], drops: Sequence[float],
                   metrics: Sequence[dict]) -> list[tuple[float, tuple[str, ...], tuple[str, ...]]]:
        """`parts` of many reps (a side, drop and metrics each), in order: the same values. A rep whose
        drop scores a constant (`_constant_drop`) and whose metrics hold none of the per-rep metrics
        `parts` flags (a walk's steps, ~5,000 an hour) has its score looked up and only its side's
        confidence to check: `parts`' call and its tests cost ~1 us a rep."""
        if not self._flat_ok:
            return [self.parts(*rep) for rep in zip(sides, drops, metrics)]
        # The flat results shared: (score, (), ()) by whether the drop is at most ok.
        constant, side_flag, parts, ok = self._constant_drop, self._side_flag, self.parts, self.ok
        flat = {k: (v, (), ()) for k, v in self._flat.items()}
        out = []
        for side, drop, m in zip(sides, drops, metrics):
            # (dict_keys.isdisjoint looks the few flagged names up in m: no walk over m's keys.)
            if constant(drop) and m.keys().isdisjoint(_FLAGGED_METRICS):
                # No drop flag: the drop is no more than flag, and no less than 0 >= -hike_flag.
                side_flags = side_flag(m, side)
                out.append(flat[drop <= ok] if side_flags is _NO_FLAGS else (self._flat[drop <= ok], *side_flags))
            else:
                out.append(parts(side, drop, m))
        return out


def _uncertain_reason(conf: float, side: Side) -> str:
    """The side_uncertain flag's reason (conf: the stance side's probability)."""
    return f"stance side uncertain ({100 * conf:.0f} % {side}): the sensor could not tell the legs apart here"
