"""Optional compiled kernels (C, built with the package when a compiler is at hand; see setup.py).

Each has a pure Python/numpy path with the same results to the bit, used when the kernel is not
built (`csv_kernel()` is None) or when `HIPLEVEL_NO_NATIVE=1` is set; tests compare both."""

from __future__ import annotations

import os
from types import ModuleType


def csv_kernel() -> ModuleType | None:
    """The compiled CSV parser (`csvparse.c`), or None."""
    if os.environ.get("HIPLEVEL_NO_NATIVE"):
        return None
    try:
        from hiplevel._native import csvparse
    except ImportError:
        return None
    return csvparse


# What hiplevel calls in scankernel.c: a module built from an older source (an editable install not
# rebuilt since) lacks some, and is then not used (the numpy paths give the same results).
SCAN_FUNCTIONS = ("chain", "combine", "states", "fuse_scan", "rotations", "window_rms")


def scan_kernel() -> ModuleType | None:
    """The compiled kernels of the blocked scans (`scankernel.c`), or None."""
    if os.environ.get("HIPLEVEL_NO_NATIVE"):
        return None
    try:
        from hiplevel._native import scankernel
    except ImportError:
        return None
    return scankernel if all(hasattr(scankernel, f) for f in SCAN_FUNCTIONS) else None


def hull_kernel() -> ModuleType | None:
    """The compiled lower-hull chain of the clock fit (`hullkernel.c`), or None."""
    if os.environ.get("HIPLEVEL_NO_NATIVE"):
        return None
    try:
        from hiplevel._native import hullkernel
    except ImportError:
        return None
    return hullkernel
