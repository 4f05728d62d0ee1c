"""Words shown to the person calibrating, one place so the CLI, the docs and the tests agree.

Faces are named by the chip axis that points up; the enclosure is marked to match
(hardware/mounting.md): the lid with the label is chip +Z, the USB end is chip -X, the edge
marked "L" is chip +Y. Calibrate with the belt clip slid off so every face lies flat.
"""

from __future__ import annotations

from typing import Final

GYRO_PROMPT: Final[str] = (
    "Slide the belt clip off. Put the sensor on a table, label up, let go and do not touch it or the "
    "table until the next prompt."
)
_HOLD: Final[str] = " Let go and keep it still."
FACE_PROMPTS: Final[dict[str, str]] = {
    "+z": "Lay the sensor flat on the table, label up." + _HOLD,
    "-z": "Turn it over: flat on the table, label down." + _HOLD,
    "+x": "Stand it on its USB end (USB connector down)." + _HOLD,
    "-x": "Stand it on the opposite end, USB connector up." + _HOLD,
    "+y": "Stand it on the long edge opposite the 'L' mark ('L' edge up)." + _HOLD,
    "-y": "Stand it on the 'L' edge ('L' edge down)." + _HOLD,
}
TILTED_PROMPT: Final[str] = (
    "Lean the sensor at a slant, about halfway between two faces (e.g. against a book), a different "
    "way each time." + _HOLD
)
STANDING_PROMPT: Final[str] = (
    "Slide the clip back on and clip the sensor to the belt at the back, centred over the spine, as "
    "drawn. Stand quietly, feet hip-width apart, weight on both feet, looking ahead. Check with your "
    "hands or a level that both hip bones are level, then hold still."
)
WALKING_PROMPT: Final[str] = (
    "Walk straight ahead at your normal pace, no turning, until the countdown ends (about 8-10 m); start when ready."
)
