"""Single-leg squat: one rep per squat (hands forward, 60-80 deg knee flexion; domain primer).

side = the stance leg; drop = peak drop of the free (contralateral) side below the set's standing
neutral during the descent and bottom (the rep spans descent start to return); a rise of the free
side beyond its drop is a hip hike, reported as a negative drop (`step_down.single_leg_reps`). Scored against the
squat band of `Thresholds` (Nakagawa 2012: 10.3 +- 4.7 deg contralateral drop in patellofemoral
pain vs 7.4 +- 3.8 in controls). Depth: 60-80 deg of knee flexion takes the hips down ~15-25 cm and
the pelvis pitches forward with the hip flexion (~20-30 deg): both are reported per rep
(`depth_cm`, `pitch_deg`). Reps, stance side, depth and the forward-axis fix come from the
step-down's helpers (`hiplevel.exercises.step_down`): one forward-pitch bump per squat, stance from
the sideways weight shift, roll re-aligned to the axis of that shift (the squat's own drop grows
with depth, so the tilt direction cannot give the forward axis).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hiplevel.exercises.base import Motion, RepWindow
from hiplevel.exercises.descent import BIAS_FITTED_DESCENT
from hiplevel.exercises.shallow_descent import ShallowDescent
from hiplevel.exercises.step_down import single_leg_reps


@dataclass(frozen=True)
class SingleLegSquatDetector:
    """Parameters (units in the names).

    min_pitch_deg: least forward-pitch bump of a squat (a 60-80 deg squat pitches the pelvis
        ~20-30 deg; 6 deg keeps shallow squats and still ignores walking and standing);
    min_rep_s / max_rep_s: plausible duration of one squat (down and up; the pitch bump, between
        the tenths of its height, of a brisk squat with a 0.5 s descent lasts 0.9-1.1 s);
    min_descent_cm: least sinking of the hips that stands with the weight shift alone (a 40 deg
        squat sinks them 5-6 cm, 60-80 deg 11-22 cm);
    shallow: where a smaller descent (a 30-40 deg squat: 3-6 cm) still counts: from
        `ShallowDescent.min_descent_cm` (2.5) with the weight shift and the pelvis quiet before or
        after the rep (no foot contacts: walking and stairs make the same pitch bumps, issue 14), a
        hip hike's lift of the sensor over the stance hip added back (`shallow_descent.hike_lift_cm`);
    min_move_mps: least peak speed of a sideways
        weight shift that decides a rep's stance side on its own (an 8 cm shift in 0.6 s peaks
        at 0.25 m/s), else the whole set decides;
    max_pitch_deg: a squat pitches the pelvis 12-35 deg across people (20-30 typical); beyond this
        (with a margin of 10 deg) it is a stoop to the floor (50-90 deg);
    min_descent_per_pitch_cm_per_deg: least sinking of the hips per degree of peak pitch: a squat
        lowers them 15-25 cm at 20-30 deg (0.5-1 cm/deg; a shallow 9 cm squat at 30 deg: 0.3), a
        bend pitches the pelvis as far or further with the hips going back more than down (5-10
        cm at 35-60 deg: 0.1-0.25), so a 40 deg forward lean needs 8 cm of descent (issue 14);
    lead_in_s: read this long before a set's start (`analysis.lead_in`; as `StepDownDetector`).
    The descent is measured with the sensor's forward bias fitted over the set's reps
    (`descent.forward_bias_g`): at a squat's 20-30 deg of pitch a 30 mg bias hid 10-20 cm of a slow
    squat's descent (a step-down's 6-12 deg leave it too small a trace to fit; it keeps none).
    Every rep starts upright and returns there (`step_down.returns_upright`), the person standing
    before and after it (`step_down.stands_around`)."""

    min_pitch_deg: float = 6.0
    min_rep_s: float = 0.8
    max_rep_s: float = 10.0
    min_descent_cm: float = 5.0
    min_move_mps: float = 0.06
    max_pitch_deg: float = 45.0
    min_descent_per_pitch_cm_per_deg: float = 0.2
    lead_in_s: float = 5.0
    shallow: ShallowDescent = field(default_factory=ShallowDescent)

    def detect(self, m: Motion) -> list[RepWindow]:
        """Squats of the set."""
        return single_leg_reps(m, self.min_pitch_deg, self.min_rep_s, self.max_rep_s, self.min_descent_cm,
                               self.min_move_mps, self.max_pitch_deg, self.min_descent_per_pitch_cm_per_deg,
                               BIAS_FITTED_DESCENT, self.shallow)
