"""`python -m bench [--quick] [--seed N] [--no-write | --merge] [--only 1,2,3,4,5,6,7,8,9] [--hours 1,8,24]`:
run every section, print the table, write docs/benchmarks.md and the README summary row (7: the
robustness table; 8: the soak; 9: the live analyser on the dev split). The long-recording rows of
section 4 alone: `python -m bench.long_recordings [--hours 1,8,24]`; the soak alone: `python -m
bench.soak`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python -m bench` from elsewhere still finds the package
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from bench import (dev_split, input_speed, live_split, long_recordings, orientation, real_walking, report,
                       robustness, sim_accuracy, soak, speed, store_bench)
    from bench.env import environment
    from bench.rows import Row, unavailable

    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short run (fewer seeds, rates and recordings)")
    ap.add_argument("--seed", type=int, default=None, help="repeat a run: base seed (default: fresh random)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md and README.md alone")
    ap.add_argument("--merge", action="store_true",
                    help="replace only the sections run in docs/benchmarks.md, keep the others from its last run "
                         "(the header says which sections were re-run when)")
    ap.add_argument("--only", default="1,2,3,4,5,6,7,8,9", help="sections to run, e.g. 1,4")
    ap.add_argument("--hours", default=None,
                    help="lengths of the IMU CSVs whose `hiplevel analyze` peak memory section 4 measures "
                         "(default 1,8,24; --quick: 1)")
    args = ap.parse_args(argv)

    import numpy as np

    seed = args.seed if args.seed is not None else int(np.random.SeedSequence().generate_state(1)[0])
    print(f"hiplevel bench: base seed {seed} (repeat with --seed {seed}){' [quick]' if args.quick else ''}", flush=True)
    only = {s.strip() for s in args.only.split(",")}
    sections = {
        "1": ("1", lambda: sim_accuracy.run(args.quick, seeds=[seed] if args.quick else [seed, seed + 1000])),
        "2": ("2", lambda: orientation.run(args.quick, seed=seed + 2000)),
        "3": ("3", lambda: real_walking.run(args.quick)),
        "4": ("4", lambda: speed.run(args.quick) + input_speed.run(args.quick)
              + long_recordings.run(args.quick, [float(h) for h in args.hours.split(",")] if args.hours else None)),
        "5": ("5", lambda: dev_split.run(args.quick)),
        "6": ("6", lambda: store_bench.run(args.quick)),
        "7": ("7", lambda: robustness.run(args.quick, seed=seed % 100000 + 5000)),
        "8": ("8", lambda: soak.run(args.quick, seed=seed % 10_000)),
        "9": ("9", lambda: live_split.run(args.quick)),
    }
    rows: list[Row] = []
    t0 = time.perf_counter()
    for key, (_, fn) in sections.items():
        if key not in only:
            continue
        t = time.perf_counter()
        try:
            rows += fn()
        except ImportError as e:  # a dependency that has not landed: say so, keep going
            rows.append(unavailable(f"{key}.", "section", f"import failed: {e}"))
        print(f"[bench] section {key} done in {time.perf_counter() - t:.0f} s", flush=True)
    env = environment()
    run_info = {"command": "python -m bench" + (" --quick" if args.quick else ""), "base seed": str(seed),
                "run time": f"{time.perf_counter() - t0:.0f} s"}
    print("\n".join(f"{k}: {v}" for k, v in {**env, **run_info}.items()))
    print(report.text_table(rows))
    if not args.no_write:
        if args.merge:
            doc = report.ROOT / "docs/benchmarks.md"
            old_rows, old_head = report.parse_markdown(doc.read_text()) if doc.exists() else ([], {})
            ran = ", ".join(sorted(dict.fromkeys(r.section.split(".")[0] for r in rows)))
            env = {**old_head, f"re-run of section {ran}": f"{env['date']}, python -m bench --only {args.only} "
                   f"--merge --seed {seed}, {run_info['run time']}"}
            run_info = {}
            rows = report.merged(rows, old_rows)
        report.write(rows, env, run_info)
        print("\nwrote docs/benchmarks.md and the README summary row")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
