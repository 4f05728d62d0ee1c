"""Hand memory a pass of the analysis has freed back to the operating system.

The C allocator keeps freed blocks for reuse, and the large temporary arrays of one pass sit between
small objects that live on (reps, per-run statistics), so the process would keep each pass's peak
however little it still holds. `release_free_memory` asks glibc's allocator to return its free
pages (`malloc_trim`): the next pass starts from what is really in use. A no-op elsewhere.
"""

from __future__ import annotations

import ctypes
import sys

_trim = None
if sys.platform.startswith("linux"):
    try:
        try:  # glibc's name: find_library would run `ldconfig -p` (~0.05 s of CPU at every start)
            _libc = ctypes.CDLL("libc.so.6")
        except OSError:
            import ctypes.util  # (it imports subprocess: only where libc.so.6 is not found)

            _libc = ctypes.CDLL(ctypes.util.find_library("c"))
        _trim = getattr(_libc, "malloc_trim", None)
    except OSError:  # not glibc (musl has no malloc_trim): nothing to do
        _trim = None


def release_free_memory() -> None:
    """Return the allocator's free memory to the operating system (glibc); cheap, call between
    passes over a long recording."""
    if _trim is not None:
        _trim(0)
