"""Mounting presets: how the MPU6050's chip axes map to the body (pelvis) frame.

Body frame (hiplevel.constants): x forward, y left, z up. A mount is written as the chip axis that
each body axis equals, e.g. the standard mount ["-z", "y", "x"] reads "body x = -chip z,
body y = chip y, body z = chip x". The drawings are in hardware/mounting.md.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from hiplevel.calibration.errors import CalibrationError

# Names and mappings are those of the firmware (firmware/core/mount.py PRESETS); a test keeps
# the two equal. Sensor at the back of the pelvis; "component side" = the side with the chip.
MOUNT_PRESETS: Final[dict[str, tuple[str, str, str]]] = {
    # Board flat on the back, component side facing backward, USB connector down:
    # chip X up, chip Y left, chip Z backward.
    "standard": ("-z", "y", "x"),
    # Flipped, USB connector up: chip X down, chip Y right, chip Z backward.
    "usb_up": ("-z", "-y", "-x"),
    # Side-clipped: a quarter turn on the belt, USB connector toward the wearer's left:
    # chip X right, chip Y up, chip Z backward.
    "usb_left": ("-z", "-x", "y"),
    # Side-clipped the other way, USB connector toward the wearer's right: chip X left, chip Y
    # down, chip Z backward.
    "usb_right": ("-z", "x", "-y"),
    # Component side facing the body, USB down: chip X up, chip Y right, chip Z forward.
    "inward": ("z", "-y", "x"),
    # Bench/desk: chip flat, X forward, Y left, Z up (not a wearing position).
    "flat": ("x", "y", "z"),
}
DEFAULT_MOUNT: Final[str] = "standard"

_AXIS_INDEX: Final[dict[str, int]] = {"x": 0, "y": 1, "z": 2}


def mount_matrix(mount: str | tuple[str, ...] | list[str]) -> np.ndarray:
    """(3, 3) rotation M with v_body = M @ v_chip, from a preset name or three signed chip axes.

    Raises CalibrationError for an unknown preset or a mapping that is not a proper rotation
    (an axis used twice, or a mirror image)."""
    axes = MOUNT_PRESETS.get(mount) if isinstance(mount, str) else tuple(mount)
    if axes is None:
        raise CalibrationError(f"unknown mount {mount!r}; presets: {', '.join(MOUNT_PRESETS)}")
    if len(axes) != 3:
        raise CalibrationError(f"a mount names 3 chip axes, got {list(axes)!r}")
    m = np.zeros((3, 3))
    for row, token in enumerate(axes):
        sign, name = (-1.0, token[1:]) if token.startswith("-") else (1.0, token.lstrip("+"))
        if name not in _AXIS_INDEX:
            raise CalibrationError(f"bad chip axis {token!r} in mount {list(axes)!r}")
        m[row, _AXIS_INDEX[name]] = sign
    if not np.allclose(m @ m.T, np.eye(3)) or np.linalg.det(m) < 0:
        raise CalibrationError(f"mount {list(axes)!r} is not a rotation (axis repeated or mirrored)")
    return m


def mount_axes(mount: str | tuple[str, ...] | list[str]) -> tuple[str, str, str]:
    """The three signed chip axes of a mount (preset name or axes), validated."""
    mount_matrix(mount)
    axes = MOUNT_PRESETS[mount] if isinstance(mount, str) else tuple(mount)
    return (axes[0], axes[1], axes[2])


def chip_from_mounted(v_mounted: np.ndarray, mount: str | tuple[str, ...] | list[str]) -> np.ndarray:
    """Undo a mount: (N, 3) vectors in the nominal body frame -> chip frame. The device streams
    raw data already mapped through its mount; the calibration math works on chip axes."""
    return np.asarray(v_mounted, dtype=float) @ mount_matrix(mount)
