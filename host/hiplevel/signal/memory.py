"""Hand memory a pass of the analysis has freed back to the operating system.

The C allocator keeps freed blocks for reuse, and the large temporary arrays of one pass sit between
small objects that live on (reps, per-run statistics), so the process would keep each pass's peak
however little it still holds. `release_free_memory` asks glibc's allocator to return its free
pages (`malloc_trim`) once they add up to `KEEP_FREE_BYTES`: the next pass starts from what is
really in use, plus at most that. Below it they are kept for the next pass, which would otherwise
fault every page back in (for the 1 h CSV: 10,000 page faults, about 0.04 s of system CPU, to hold
7 MB less at peak). The limit is what glibc keeps free at its heap's top by itself
(`TRIM_THRESHOLD_BYTES`): at 32 MB the hour's fusion left 32-35 MB free, on either side of it by a
few allocations (the path the package was imported from was enough), and when it was over, the
alignment and the detectors faulted 4,800 pages back in (15,000 faults in the analysis instead of
10,000). A no-op elsewhere; where glibc cannot tell its free bytes (before 2.33: no
`mallinfo2`), it returns them at every call.

`reuse_freed_memory` (once per process, as an analysis starts) has glibc serve blocks below
`MMAP_THRESHOLD_BYTES` from its heap and keep up to `TRIM_THRESHOLD_BYTES` free at its top. By
default a block above 128 kB (a pass's arrays of a few thousand samples and more) is a fresh
mapping, every page of it faulted in and handed back at its free; glibc raises that limit only as
such blocks are freed, so a process's first analysis paid it: 18,400 page faults for the 1 h walk
of bench section 4 (about 0.07 s of system CPU) against 1,000 in a second analysis in the same
process. The heap still shrinks at `release_free_memory`; the results are the same (where a block
lies changes no arithmetic).
"""

from __future__ import annotations

import ctypes
import sys

MMAP_THRESHOLD_BYTES = 32 * 2**20  # blocks below this come from the heap (glibc's largest dynamic limit)
TRIM_THRESHOLD_BYTES = 2 * MMAP_THRESHOLD_BYTES  # free heap top kept at a free (glibc: twice the mmap limit)
KEEP_FREE_BYTES = TRIM_THRESHOLD_BYTES  # free memory the allocator may keep between passes
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)


class _MallInfo2(ctypes.Structure):
    """glibc's `struct mallinfo2` (all size_t): fordblks is the free bytes it holds."""

    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


_trim = None
_info = None
_mallopt = None
_reusing: list[bool] = []  # [True] once `reuse_freed_memory` has set the allocator
if sys.platform.startswith("linux"):
    try:
        try:  # glibc's name: find_library would run `ldconfig -p` (~0.05 s of CPU at every start)
            _libc = ctypes.CDLL("libc.so.6")
        except OSError:
            import ctypes.util  # (it imports subprocess: only where libc.so.6 is not found)

            _libc = ctypes.CDLL(ctypes.util.find_library("c"))
        _trim = getattr(_libc, "malloc_trim", None)
        _mallopt = getattr(_libc, "mallopt", None)
        _info = getattr(_libc, "mallinfo2", None)
        if _info is not None:
            _info.restype, _info.argtypes = _MallInfo2, []
    except OSError:  # not glibc (musl has no malloc_trim): nothing to do
        _trim = _mallopt = None


def free_bytes() -> int | None:
    """The free bytes glibc's allocator holds (all arenas), or None when it cannot tell."""
    return int(_info().fordblks) if _info is not None else None


def release_free_memory() -> None:
    """Return the allocator's free memory to the operating system (glibc) when it holds at least
    KEEP_FREE_BYTES of it; cheap, call between passes over a long recording."""
    if _trim is None:
        return
    free = free_bytes()
    if free is None or free >= KEEP_FREE_BYTES:
        _trim(0)


def reuse_freed_memory() -> None:
    """Have glibc's allocator reuse freed memory for large blocks from the start (see the module
    docstring); once per process, a no-op where there is no glibc (or `mallinfo2`, as
    `release_free_memory` then trims at every call) or after the first call."""
    if _reusing or _mallopt is None or _trim is None or _info is None:
        return
    _reusing.append(True)
    _mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    _mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
