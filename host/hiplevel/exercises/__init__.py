"""Exercise layer: one detector per exercise, same interface (`detect(Motion) -> list[RepWindow]`)."""

from hiplevel.exercises.base import Motion, PhaseWindow, RepWindow, measure_drop, measure_drop_or_hike
from hiplevel.exercises.band_walk import BandWalkDetector
from hiplevel.exercises.clamshell import ClamshellDetector
from hiplevel.exercises.single_leg_squat import SingleLegSquatDetector
from hiplevel.exercises.single_leg_stance import SingleLegStanceDetector
from hiplevel.exercises.step_down import StepDownDetector
from hiplevel.exercises.walking import WalkingDetector

DETECTORS = {
    "walking": WalkingDetector(),
    "band-walk": BandWalkDetector(),
    "single-leg-stance": SingleLegStanceDetector(),
    "step-down": StepDownDetector(),
    "single-leg-squat": SingleLegSquatDetector(),
    "clamshell": ClamshellDetector(),
}

__all__ = ["BandWalkDetector", "ClamshellDetector", "DETECTORS", "SingleLegSquatDetector", "StepDownDetector", "Motion", "PhaseWindow", "RepWindow", "SingleLegStanceDetector", "WalkingDetector", "measure_drop", "measure_drop_or_hike"]
