"""One BLAS thread while the analysis runs.

The analysis' matrix products are small ((N,3) by (3,3), 2x2 normal equations), yet OpenBLAS
hands the longer ones to its worker threads, which then spin for a while before they sleep: on
the 1 h walk of `make bench` about 0.4 s of CPU (a sixth of the analysis) went into that spinning
and bought no wall time. Each output element of a product is computed by one thread with the same
kernel whatever the thread count (OpenBLAS splits the rows and columns, never the sums), so the
results are the same to the bit (the 1 h CSV's JSON is byte-identical with and without).

`one_blas_thread()` sets the OpenBLAS loaded by numpy to one thread and restores the count after.
Without OpenBLAS (another BLAS, no /proc, a failure of any kind) it does nothing; nor with
HIPLEVEL_BLAS_THREADS_KEEP=1 set (an embedding program that wants its own thread count untouched).

Why not threadpoolctl, which does this for every BLAS and OpenMP runtime: only OpenBLAS matters
here (numpy's wheels ship it), threadpoolctl is not a base dependency (2,000 lines for these 40),
and it costs more where this is used, once per analysis from the CLI: measured with threadpoolctl
3.8 on the dev machine (2026-12-03), 35-50 ms to import (the CLI starts in about 250 ms) and 1-3 ms
per `threadpool_limits` (it scans every loaded library each time), against 0.4-0.6 ms for the
first `one_blas_thread` here (one read of /proc/self/maps, kept) and 3 us after.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

# Setter and getter names of the OpenBLAS builds numpy ships (scipy-openblas, 64-bit ints) or links.
_NAMES = (("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
          ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
          ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
          ("openblas_set_num_threads", "openblas_get_num_threads"))
_found: list = []  # [(set, get)] once looked up; [None] when there is none


def _openblas():
    """(set, get) of the loaded OpenBLAS, or None."""
    if _found:
        return _found[0]
    _found.append(None)
    if os.environ.get("HIPLEVEL_BLAS_THREADS_KEEP"):
        return None
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
            paths = sorted({line.split(None, 5)[-1].strip() for line in fh if "openblas" in line.lower()})
        import ctypes

        for path in paths:
            lib = ctypes.CDLL(path)
            for set_name, get_name in _NAMES:
                if hasattr(lib, set_name) and hasattr(lib, get_name):
                    setter, getter = getattr(lib, set_name), getattr(lib, get_name)
                    setter.argtypes, setter.restype, getter.restype = [ctypes.c_int], None, ctypes.c_int
                    _found[0] = (setter, getter)
                    return _found[0]
    except (OSError, ValueError, AttributeError):
        pass
    return None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the body with one OpenBLAS thread (restored after)."""
    fns = _openblas()
    if fns is None:
        yield
        return
    setter, getter = fns
    before = getter()
    if before == 1:
        yield
        return
    setter(1)
    try:
        yield
    finally:
        setter(before)
