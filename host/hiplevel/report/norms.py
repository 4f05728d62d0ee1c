"""Published reference ranges the report draws beside each exercise's own limit (docs/thresholds.md).

A drop is the unsupported side's peak fall below the standing neutral during single support, deg.
The limit a rep is judged by stays `hiplevel.scoring.Thresholds` (per patient); these ranges only
show the clinician where healthy people sit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NormRange:
    """lo_deg..hi_deg: where healthy people's drops lie for this exercise; label: short words for a
    figure (the sources are in docs/thresholds.md)."""

    lo_deg: float
    hi_deg: float
    label: str


# Walking: contralateral drop peaks at 3-5 deg early in single support (domain primer; Bailey, Salford).
# Single-leg squat: controls 7.4 +- 3.8 deg (Nakagawa et al. 2012).
# Controlled exercises: the pelvis should stay level; within the 2 deg SEM of a Trendelenburg
# angle is level (Youdas et al. 2007).
_LEVEL = NormRange(0.0, 2.0, "level: within the 2° SEM")
NORMS: dict[str, NormRange] = {
    "walking": NormRange(3.0, 5.0, "healthy: 3–5°"),
    "single-leg-squat": NormRange(3.6, 11.2, "controls: 7.4 ± 3.8°"),
    "band-walk": _LEVEL,
    "step-down": _LEVEL,
    "single-leg-stance": _LEVEL,
    "clamshell": NormRange(0.0, 2.0, "no roll-back: within 2°"),
}


def norm_for(exercise: str) -> NormRange:
    """The reference range of an exercise (level, for any exercise without its own)."""
    return NORMS.get(exercise, _LEVEL)
