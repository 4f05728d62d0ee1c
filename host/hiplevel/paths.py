"""Where hiplevel finds its own files (firmware sources) and keeps the user's data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]


def firmware_dir() -> Path:
    """The MicroPython firmware sources (`firmware/` of the source tree, or $HIPLEVEL_FIRMWARE_DIR)."""
    override = os.environ.get("HIPLEVEL_FIRMWARE_DIR")
    return Path(override) if override else _REPO_ROOT / "firmware"


def stand_ins_dir() -> Path:
    """MicroPython stand-ins for `machine` and `bluetooth` used by the virtual device."""
    return Path(__file__).resolve().parent / "virtual" / "mp"


def default_data_dir() -> Path:
    """The per-user data folder: $HIPLEVEL_DATA_DIR, else the platform's convention."""
    override = os.environ.get("HIPLEVEL_DATA_DIR")
    if override:
        return Path(override)
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "hiplevel"
    if sys.platform.startswith("win"):
        return Path(os.environ.get("APPDATA", home / "AppData" / "Roaming")) / "hiplevel"
    return Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share")) / "hiplevel"
