"""Optional compiled kernels (C, built with the package when a compiler is at hand; see setup.py).

Each has a pure Python/numpy path with the same results to the bit (the fusion pass and the turn
fit's gyro products: within a few units in the last place), used when the kernel is not
built (`csv_kernel()` is None) or when `HIPLEVEL_NO_NATIVE=1` is set; tests compare both."""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def native_switched_off() -> bool:
    """Whether HIPLEVEL_NO_NATIVE is set to a non-empty value now (read at each lookup: tests switch it)."""
    return bool(os.environ.get("HIPLEVEL_NO_NATIVE"))


# (name, needs) -> the module found, or None (not built, or built from an older source): the
# filters ask per section, so the import machinery and the `needs` checks run once a kernel.
_FOUND: dict[tuple[str, tuple[str, ...]], ModuleType | None] = {}


def _kernel(name: str, needs: tuple[str, ...] = ()) -> ModuleType | None:
    """hiplevel._native.<name> when built, not switched off and holding every function in `needs`."""
    if native_switched_off():
        return None
    try:
        return _FOUND[name, needs]
    except KeyError:
        pass
    try:
        module = importlib.import_module(f"hiplevel._native.{name}")
    except ImportError:
        module = None
    _FOUND[name, needs] = module if module is not None and all(hasattr(module, f) for f in needs) else None
    return _FOUND[name, needs]


def csv_kernel() -> ModuleType | None:
    """The compiled CSV parser and line counter (`csvparse.c`), or None."""
    return _kernel("csvparse", CSV_FUNCTIONS)


# What hiplevel calls in csvparse.c, scankernel.c, fusekernel.c and turnkernel.c: a module built
# from an older source (an editable install not rebuilt since) lacks some, and is then not used (the
# numpy paths give the same results).
CSV_FUNCTIONS = ("parse", "newlines")
SCAN_FUNCTIONS = ("chain", "combine", "states", "rotations", "window_rms")
FUSE_FUNCTIONS = ("fuse_scan", "fuse_pass", "blend")
TURN_FUNCTIONS = ("segment_steps",)


def scan_kernel() -> ModuleType | None:
    """The compiled kernels of the blocked scans (`scankernel.c`), or None."""
    return _kernel("scankernel", SCAN_FUNCTIONS)


def fuse_kernel() -> ModuleType | None:
    """The compiled scans of the offline fusion (`fusekernel.c`), or None."""
    return _kernel("fusekernel", FUSE_FUNCTIONS)


def turn_kernel() -> ModuleType | None:
    """The compiled gyro-only segment products of the turn fit (`turnkernel.c`), or None."""
    return _kernel("turnkernel", TURN_FUNCTIONS)


def hull_kernel() -> ModuleType | None:
    """The compiled lower-hull chain of the clock fit (`hullkernel.c`), or None."""
    return _kernel("hullkernel")


def filter_kernel() -> ModuleType | None:
    """The compiled block loop of the biquad filter (`filterkernel.c`), or None."""
    return _kernel("filterkernel", ("biquad_blocks",))


def rest_kernel() -> ModuleType | None:
    """The compiled moving spread of the rest and quiet masks (`restkernel.c`), or None."""
    return _kernel("restkernel", ("spread",))


def grid_kernel() -> ModuleType | None:
    """The compiled per-column linear interpolation of the grid and the sensor correction
    (`gridkernel.c`; `corrected_sensor` only in a module built from this source), or None."""
    return _kernel("gridkernel", ("interp_columns",))


def tilt_kernel() -> ModuleType | None:
    """The compiled tilt moves around a bout's contacts (`tiltkernel.c`), or None."""
    return _kernel("tiltkernel", ("tilt_moves",))


def round_function():
    """`round(x, places)` for the many scalars of an analysis' reps: the compiled `round_places`
    (`roundkernel.c`: the same object, to the bit, at a tenth of the cost) when built, else the builtin."""
    kernel = _kernel("roundkernel", ("round_places",))
    return kernel.round_places if kernel is not None else round
