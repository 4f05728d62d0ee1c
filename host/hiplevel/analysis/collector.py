"""The cyclic garbage collector paused while an analysis runs.

An analysis frees its arrays as it goes (reference counts) and makes almost no reference cycles
(about 2,000 small objects for an hour of walking, most of them the CLI's argument parser's), but it
makes many objects that live on: the reps, their phases, scores and details (about 30,000 for an
hour's 5,200 steps). Each of those allocations counts towards the collector's next run, and once the
survivors outnumber a quarter of the older objects it walks every object of the process, numpy's
and hiplevel's modules included: in a fresh process the hour's analysis paid 72 young, 6 middle
and one full collection, 18-24 ms of CPU (the full one 12-17 ms), for nothing to collect.

`collector_paused()` disables the collector for the block and restores it after (left off when it
was off). Memory stays bounded: what the analysis holds is freed by reference counts, and the
cycles it leaves are collected by the next collection after it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector disabled (its previous state restored)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
