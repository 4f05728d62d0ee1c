"""Exercise layer: one detector per exercise, same interface (`detect(Motion) -> list[RepWindow]`).

Each detector's module is imported when it is first used (`DETECTORS[name]`, or its class from
here): `hiplevel analyze` of a walk loads the walking detector only."""

from collections.abc import Iterator, MutableMapping
from importlib import import_module

from hiplevel.exercises.base import Motion, PhaseWindow, RepWindow, measure_drop, measure_drop_or_hike

# Detector class -> its module in this package.
_MODULES = {
    "WalkingDetector": "walking",
    "BandWalkDetector": "band_walk",
    "SingleLegStanceDetector": "single_leg_stance",
    "StepDownDetector": "step_down",
    "SingleLegSquatDetector": "single_leg_squat",
    "ClamshellDetector": "clamshell",
}


def __getattr__(name: str):
    """The detector classes, imported on first use (PEP 562)."""
    if name in _MODULES:
        return getattr(import_module(f"hiplevel.exercises.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Detectors(MutableMapping):
    """exercise -> its detector with the default parameters, made when first looked up (a dict
    to its users: the same keys in the same order, the same detector each time)."""

    def __init__(self, classes: dict[str, str]) -> None:
        self._classes = dict(classes)
        self._made: dict = {}

    def __getitem__(self, exercise: str):
        if exercise not in self._made:
            self._made[exercise] = __getattr__(self._classes[exercise])()
        return self._made[exercise]

    def __setitem__(self, exercise: str, detector) -> None:
        self._classes.setdefault(exercise, type(detector).__name__)
        self._made[exercise] = detector

    def __delitem__(self, exercise: str) -> None:
        del self._classes[exercise]
        self._made.pop(exercise, None)

    def __contains__(self, exercise: object) -> bool:
        return exercise in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"DETECTORS({list(self._classes)})"


DETECTORS = _Detectors({
    "walking": "WalkingDetector",
    "band-walk": "BandWalkDetector",
    "single-leg-stance": "SingleLegStanceDetector",
    "step-down": "StepDownDetector",
    "single-leg-squat": "SingleLegSquatDetector",
    "clamshell": "ClamshellDetector",
})

__all__ = ["BandWalkDetector", "ClamshellDetector", "DETECTORS", "SingleLegSquatDetector", "StepDownDetector", "Motion", "PhaseWindow", "RepWindow", "SingleLegStanceDetector", "WalkingDetector", "measure_drop", "measure_drop_or_hike"]
