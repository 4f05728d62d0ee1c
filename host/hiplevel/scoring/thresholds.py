"""Clinical thresholds: one frozen table, every default with its source (docs/thresholds.md).

A clinician overrides any of them per patient: `Thresholds().with_overrides(drop_flag_deg_walking=8)`
or `Thresholds.from_dict({...})`. Unknown names are an error, never silently ignored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from hiplevel.signal.errors import AnalysisError

# The drop band of an exercise (`Thresholds.drop_band_deg`): its kind and the kind's field names.
_DROP_BAND_KIND = {"walking": "walking", "single-leg-squat": "squat"}
_DROP_BAND_FIELDS = {kind: tuple(f"drop_{n}_deg_{kind}" for n in ("ok", "flag", "fail"))
                     for kind in ("walking", "squat", "exercise")}


@dataclass(frozen=True)
class Thresholds:
    """Per-patient scoring and advice thresholds. Units are in the names; sources in docs/thresholds.md.

    drop_flag_deg_*: a rep whose unsupported side drops more than this below neutral is flagged
        `pelvic_drop` (walking has a normal drop, the controlled exercises aim for level).
    drop_ok_deg_*: at or below this drop a rep keeps the full drop score (100).
    drop_fail_deg_*: at or beyond this drop the drop score is 0.
    hike_flag_deg: the unsupported side rising more than this above neutral is flagged `hip_hike`
        (hike_flag_deg_walking in walking).
    side_min_confidence: a rep whose stance side is less probable than this (the detector's
        `side_confidence`) is flagged `side_uncertain` (no score penalty: it is the sensor's doubt).
    """

    # Walking: normal contralateral drop peaks at 3-5 deg (domain primer, Bailey); flag beyond the
    # upper normal plus one SEM of the measurement (5 + 2, Youdas 2007).
    drop_ok_deg_walking: float = 5.0
    drop_flag_deg_walking: float = 7.0
    drop_fail_deg_walking: float = 12.0
    # Controlled weight-bearing exercises (band walk, step-down, single-leg stance): the pelvis should
    # stay level; a 2 cm drop of the iliac crest (Hardcastle & Nade 1985) over ~27 cm between the
    # crests is ~4 deg. Below 2 deg is within the SEM (Youdas 2007): full score.
    drop_ok_deg_exercise: float = 2.0
    drop_flag_deg_exercise: float = 4.0
    drop_fail_deg_exercise: float = 10.0
    # Single-leg squat: controls 7.4 +- 3.8 deg, patellofemoral pain 10.3 +- 4.7 deg (Nakagawa 2012):
    # full score up to the control mean, flag at the pain-group mean (10.3, rounded to 10), fail
    # one SD beyond it.
    drop_ok_deg_squat: float = 7.4
    drop_flag_deg_squat: float = 10.0
    drop_fail_deg_squat: float = 15.0
    # Hip hike: beyond 1.5 SEM of a clinical Trendelenburg angle (SEM 2 deg, Youdas 2007).
    hike_flag_deg: float = 3.0
    hike_fail_deg: float = 10.0
    # Walking: the swing side normally drops 3-5 deg (domain primer, Bailey), so a swing side that
    # rises instead reverses the pattern; flag a rise beyond half the SEM (2 deg, Youdas 2007).
    hike_flag_deg_walking: float = 1.0
    # Stance side of a walking step: flag below 90 % posterior probability (1 step in 10 could be
    # the other leg; the side cues' agreement on real gait puts 97-99 % of steps above it).
    side_min_confidence: float = 0.9
    # Clamshell: pelvis rolling back (deg of backward roll) instead of the hip rotating; same level
    # criterion as the controlled exercises (domain primer: the fault is any roll-back).
    rollback_flag_deg: float = 4.0
    # Single-leg stance: a hold shorter than 30 s is a positive Trendelenburg test (Hardcastle &
    # Nade 1985); holds are programmed at 30-60 s (domain primer).
    hold_min_s: float = 30.0
    # Roll sway SD during a hold: a controlled hold sways ~0.3-0.6 deg; beyond 1 deg (half the
    # measurement SEM of 2 deg, Youdas 2007) the sway itself is visible.
    sway_flag_deg: float = 1.0
    # Band walk: head/pelvis height should stay constant (domain primer); a vertical bob of more than
    # 4 cm per step (a controlled step moves ~1 cm) is flagged `bobbing`.
    bob_flag_cm: float = 4.0
    # Band walk: steps shorter than 15 cm are shuffling (domain primer: "shuffling small steps").
    shuffle_step_m: float = 0.15
    # Score penalties (points) for flags other than the drop itself.
    penalty_points: float = 25.0
    # Set advice: regress when more than this fraction of reps fail (domain primer: "most reps").
    regress_fraction: float = 0.5
    # Left/right asymmetry of the mean drop that is worth reporting: the smallest real change of a
    # Trendelenburg angle, 4 deg (Youdas 2007).
    asymmetry_flag_deg: float = 4.0
    # Week-to-week change smaller than this is not progress (Youdas 2007).
    min_real_change_deg: float = 4.0

    def __post_init__(self) -> None:
        for kind in ("walking", "exercise", "squat"):
            ok, flag, fail = (getattr(self, f"drop_{n}_deg_{kind}") for n in ("ok", "flag", "fail"))
            if not ok <= flag < fail:
                raise AnalysisError(f"thresholds for {kind}: need ok <= flag < fail, got {ok}, {flag}, {fail}")
        if not 0 < self.hike_flag_deg < self.hike_fail_deg or not 0 < self.hike_flag_deg_walking < self.hike_fail_deg:
            raise AnalysisError("thresholds: need 0 < hike_flag_deg (and hike_flag_deg_walking) < hike_fail_deg")
        if not 0.5 <= self.side_min_confidence <= 1.0:
            raise AnalysisError("thresholds: side_min_confidence must be in [0.5, 1]")
        if not 0.0 < self.regress_fraction <= 1.0:
            raise AnalysisError("thresholds: regress_fraction must be in (0, 1]")

    def drop_band_deg(self, exercise: str) -> tuple[float, float, float]:
        """(ok, flag, fail) drop thresholds, deg, for an exercise name."""
        ok, flag, fail = _DROP_BAND_FIELDS[_DROP_BAND_KIND.get(exercise, "exercise")]
        return getattr(self, ok), getattr(self, flag), getattr(self, fail)

    def hike_flag_for(self, exercise: str) -> float:
        """The hip-hike flag threshold, deg, for an exercise name."""
        return self.hike_flag_deg_walking if exercise == "walking" else self.hike_flag_deg

    def with_overrides(self, **overrides: float) -> "Thresholds":
        """A copy with some values replaced (per-patient settings)."""
        names = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise AnalysisError(f"unknown threshold(s): {', '.join(unknown)}")
        return replace(self, **{k: float(v) for k, v in overrides.items()})

    @classmethod
    def from_dict(cls, values: dict) -> "Thresholds":
        """Defaults with the given per-patient overrides (e.g. from a JSON settings file)."""
        return cls().with_overrides(**values)

    def to_dict(self) -> dict:
        """All values, for storing next to a result."""
        return asdict(self)
