"""Exercise layer: one detector per exercise, same interface (`detect(Motion) -> list[RepWindow]`)."""

from hiplevel.exercises.base import Motion, RepWindow, measure_drop
from hiplevel.exercises.band_walk import BandWalkDetector
from hiplevel.exercises.single_leg_stance import SingleLegStanceDetector
from hiplevel.exercises.walking import WalkingDetector

DETECTORS = {
    "walking": WalkingDetector(),
    "band-walk": BandWalkDetector(),
    "single-leg-stance": SingleLegStanceDetector(),
}

__all__ = ["BandWalkDetector", "DETECTORS", "Motion", "RepWindow", "SingleLegStanceDetector", "WalkingDetector", "measure_drop"]
