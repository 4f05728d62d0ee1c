"""Section 8: an hour of faults (the soak), on the virtual device (the real firmware on MicroPython).

A fault-free session and a faulty one stream the same simulated hour of exercise in raw mode through
the host path of `hiplevel record` (`BleLink` with reconnect and RESEND, the recording written as it
arrives). The faulty one gets random notification drops and corrupted packets all along, disconnects
of 0.1-30 s (host- and device-side; the 30 s one outlasts the device's 20 s ring buffer, so the ring
overflows), I2C failures, host process pauses and host clock steps. Its recording, decoded as
`hiplevel analyze` decodes it, is compared slot by slot with the fault-free one (bench.soak_compare):
every slot the device produced is received with the same value or declared lost. Memory: the
device's live heap (gc.mem_alloc after a collection, reported by the firmware's process every
virtual minute) and the host's traced Python memory (tracemalloc) and RSS over the hour.

    python -m bench.soak [--minutes 60] [--seed N] [--speed 30]     (prints the table)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python -m bench.soak` from elsewhere still finds the package
    sys.path.insert(0, str(ROOT))

from bench.rows import Row, at_most, both, num  # noqa: E402
from bench.soak_compare import (Comparison, compare, device_memory, host_memory, missing_by_cause,  # noqa: E402
                                samples_of, slope_per_hour)
from bench.soak_plan import SoakFaults, plan_faults, write_soak_chip_stream  # noqa: E402
from bench.soak_run import REFERENCE_START_AT_S, START_AT_S, SoakRun, run_session  # noqa: E402

SECTION = "8. Reliability: an hour of faults (virtual device)"
PERIOD_US = 10_000  # the firmware's default 100 Hz
DEFAULT_SPEED = 30.0  # virtual s per wall s; reconnects and resends are wall-clock bound
REFERENCE_EXTRA_S = 90.0  # the fault-free session starts earlier and ends later than the faulty one
REFERENCE_SPEED_FACTOR = 2.0  # the fault-free session has nothing wall-clock bound: faster
REFERENCE_LEAD_S = 2.0  # and its device waits for the host, so it is whole whatever the load
# The faulty device runs on while the host lags or pauses, as a real one, but not without bound: a
# host that fell minutes behind on a busy machine would STOP it after the fault-free run ended.
BENCH_LEAD_S = 60.0
DEVICE_SLOPE_MAX_B_PER_H = 1024.0  # flat: a leak of 1 KB/h would still leave an ESP32 heap a working day
HOST_SLOPE_MAX_KB_PER_H = 256.0  # flat: an hour-long session must not hold what it has already written
TIME_BASE_MAX_ERROR_S = 2.0  # a set boundary or note placed by host time must land within a rep or two


def soak(duration_s: float, seed: int, speed: float = DEFAULT_SPEED, workdir: Path | None = None,
         faults: SoakFaults | None = None, lead_limit_s: float = BENCH_LEAD_S, trace_memory: bool = True,
         reference_extra_s: float = REFERENCE_EXTRA_S) -> tuple[SoakFaults, SoakRun, SoakRun, Comparison]:
    """Run the fault-free and the faulty session and compare them. `lead_limit_s`: how far the
    faulty device may run ahead of a lagging host (0: without bound, as a real one; the reference
    always waits for the host: it must be whole).
    `reference_extra_s`: how much longer the reference streams, to cover a late STOP."""
    faults = faults or plan_faults(duration_s, seed)
    with tempfile.TemporaryDirectory(prefix="hiplevel-soak-") as tmp:
        work = workdir or Path(tmp)
        chip = write_soak_chip_stream(work / "soak.chip", duration_s + START_AT_S + 2 * reference_extra_s, seed)
        reference = asyncio.run(run_session(
            chip, work / "reference.hlrec", duration_s + START_AT_S - REFERENCE_START_AT_S + reference_extra_s,
            REFERENCE_SPEED_FACTOR * speed, None, start_at_s=REFERENCE_START_AT_S, lead_limit_s=REFERENCE_LEAD_S))
        run = asyncio.run(run_session(chip, work / "faulty.hlrec", duration_s, speed, faults, start_at_s=START_AT_S,
                                      lead_limit_s=lead_limit_s, trace_memory=trace_memory))
        result = compare(samples_of(reference), run, samples_of(run), PERIOD_US)
    return faults, reference, run, result


def rows(faults: SoakFaults, run: SoakRun, c: Comparison, duration_s: float) -> list[Row]:
    """The section's table."""
    data = f"{duration_s / 60:.0f} min virtual, 100 Hz raw: {faults.describe()}"
    causes = missing_by_cause(c, faults, START_AT_S)
    where = ", ".join(f"{n} {cause}" for cause, n in causes.items() if n) or "none"
    lost_pct = 100.0 * (c.lost_counted + c.lost_uncounted) / max(c.expected, 1)
    t_dev, alloc = device_memory(run)
    dev_slope = slope_per_hour(t_dev, alloc)
    t_host, traced, rss = host_memory(run)
    host_slope = slope_per_hour(t_host, traced) / 1024
    rss_slope = slope_per_hour(t_host, rss) / 2**20
    free = [d["mem_free"] for d in run.diag]
    link = run.link
    return [
        Row(SECTION, "samples lost: counted / uncounted", data,
            f"{c.lost_counted} / {c.lost_uncounted} of {c.expected} ({lost_pct:.2f} %)", target="uncounted 0",
            status=both(at_most(c.lost_uncounted, 0), at_most(c.over_declared, 0)),
            note=f"where: {where}; declared lost {c.declared_lost} in {c.gaps} gaps, "
                 f"{c.over_declared} declared but not missing"),
        Row(SECTION, "samples resent", data, f"{c.resent}",
            note=f"{link.resend_requests} RESEND requests, {link.resend_not_available} partly overwritten; "
                 f"{link.drops} link drops, {link.connects} connects; air: {run.air.dropped} notifications "
                 f"dropped, {run.air.corrupted} corrupted, {link.bad_packets} bad packets counted"),
        Row(SECTION, "samples wrong", data, f"{c.wrong} (+{c.phantom} at a time never sampled)",
            target="0", status=at_most(c.wrong + c.phantom, 0),
            note=f"{c.received} received samples compared with the fault-free run"),
        Row(SECTION, "session time of the first sample vs its arrival", data, f"{c.time_base_error_s:+.1f} s",
            target=f"|error| <= {TIME_BASE_MAX_ERROR_S:.0f} s",
            status=at_most(abs(c.time_base_error_s), TIME_BASE_MAX_ERROR_S),
            note="samples sit on the device clock, anchored to the host's by the clock fit; host clock steps "
                 f"{', '.join(f'{s:+.0f} s' for _, s in faults.clock_jumps)} during the session"),
        Row(SECTION, "device memory slope (live heap after gc.collect)", data,
            f"{dev_slope:+.0f} B/h", target=f"|slope| <= {DEVICE_SLOPE_MAX_B_PER_H:.0f} B/h",
            status=at_most(abs(dev_slope), DEVICE_SLOPE_MAX_B_PER_H),
            note=f"heap in use {alloc.min() / 1024:.1f}-{alloc.max() / 1024:.1f} KB, gc.mem_free min "
                 f"{min(free) / 1024:.0f} KB (unix port heap), {len(alloc)} reports"),
        Row(SECTION, "host memory slope (tracemalloc, floor of each 5 min)", data, f"{host_slope:+.1f} KB/h",
            target=f"<= {HOST_SLOPE_MAX_KB_PER_H:.0f} KB/h", status=at_most(host_slope, HOST_SLOPE_MAX_KB_PER_H),
            note=f"Python memory the host holds (the simulation's JSON left out), floor "
                 f"{traced.min() / 1024:.0f}-{traced.max() / 1024:.0f} KB; RSS {num(rss_slope, 'MB/h', 1)}, "
                 f"{rss.max() / 2**20:.0f} MB at most"),
        Row(SECTION, "soak wall time", data, f"{run.wall_s:.0f} s (the faulty session)",
            note=f"device speed {duration_s / max(run.wall_s, 1e-9):.0f}x real time"),
    ]


def run(quick: bool = False, seed: int = 0) -> list[Row]:
    """The bench section: 60 virtual minutes (10 with --quick)."""
    duration_s = 600.0 if quick else 3600.0
    faults, _reference, faulty, c = soak(duration_s, seed)
    return rows(faults, faulty, c, duration_s)


def main(argv: list[str] | None = None) -> int:
    from bench.report import text_table

    ap = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="virtual minutes of streaming (default 60)")
    ap.add_argument("--seed", type=int, default=1, help="fault plan and session seed")
    ap.add_argument("--speed", type=float, default=DEFAULT_SPEED, help="virtual seconds per wall second")
    ap.add_argument("--keep", type=Path, default=None, help="keep the chip stream and recordings in this folder")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    duration_s = args.minutes * 60
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    faults, _reference, faulty, c = soak(duration_s, args.seed, args.speed, args.keep)
    print(f"fault plan (seed {args.seed}): {faults}")
    print(text_table(rows(faults, faulty, c, duration_s)))
    if c.uncounted_at:
        print("first uncounted losses at device time (s):", ", ".join(f"{t:.2f}" for t in c.uncounted_at))
    print(f"[soak] {time.perf_counter() - t:.0f} s")
    return 0 if c.lost_uncounted == 0 and c.wrong == 0 and c.phantom == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
