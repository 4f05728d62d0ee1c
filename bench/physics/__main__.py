"""`python -m bench.physics [--n 30] [--seed 0] [--exercise X] [--workers 1]`: the physics check.
`--case I` re-runs one case and lists its true and found reps; `--csv DIR` writes that case's IMU CSV
(hiplevel's input format) for `hiplevel analyze`. `--why` (single-leg stance) lists, for each true hold
not found right, the candidates turned down over it with the check that did (`bench.physics.why`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _one(exercise: str, seed: int, index: int, csv_dir: str | None, why: bool = False) -> None:
    from contextlib import nullcontext

    from bench.physics.cases import make_case
    from bench.physics.judging import FOUND, judge_case
    from bench.physics.why import STANCE, recorded_decisions, why_lines
    from hiplevel.analysis import analyze

    case = make_case(exercise, seed, index)
    with recorded_decisions() if why and exercise == STANCE else nullcontext([]) as rejected:
        res = analyze(case.series(), exercise, keep_trace=False)
    counts, outcomes = judge_case(case.reps, res.reps)
    print(f"{exercise} seed {seed} case {index}: judge_reps (true, found, right side, extra, wrong time) = {counts}")
    print(f"sensor: {case.sensor}")
    for t, o in zip(case.reps, outcomes):
        print(f"true  {t.start_s:8.2f} {t.end_s:8.2f} {t.side:5s} drop {t.drop_deg:5.1f} {t.direction or '':5s} "
              f"{o.status}{f' +{o.extra} extra' if o.extra else ''}  {t.params}")
    for r in res.reps:
        print(f"found {r.start_s:8.2f} {r.end_s:8.2f} {r.side:5s} drop {r.drop_deg:5.1f} {r.details.get('direction') or ''}")
    if why and exercise == STANCE:
        reps = [(t.params, o.status, o.extra, t.side, t.start_s, t.end_s) for t, o in zip(case.reps, outcomes)]
        print("why (true holds not found right, the candidates turned down over each):")
        print("\n".join(why_lines(reps, rejected, tuple({o.status for o in outcomes} - {FOUND})) or ["    none"]))
    if csv_dir:
        from hiplevel.imu_csv import write_imu_csv

        path = Path(csv_dir) / f"physics_{exercise}_s{seed}_c{index}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_imu_csv(case.series(), path, comment=f"bench.physics {exercise} seed {seed} case {index}")
        print(f"wrote {path} (hiplevel analyze --exercise {exercise} {path})")


def main(argv: list[str] | None = None) -> int:
    from bench.physics.cases import EXERCISES
    from bench.physics.run import DEFAULT_N, failing_cases, run, tables
    from bench.physics.why import STANCE, why_report

    ap = argparse.ArgumentParser(prog="python -m bench.physics", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=DEFAULT_N, help="sets per exercise")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--exercise", choices=EXERCISES, action="append", help="only this exercise (repeatable)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--case", type=int, default=None, help="re-run this one case and list its reps")
    ap.add_argument("--csv", default=None, help="with --case: write its IMU CSV into this folder")
    ap.add_argument("--failing", type=int, default=8, help="failing sets listed per exercise")
    ap.add_argument("--why", action="store_true",
                    help="single-leg stance: for each true hold missed or wrong, the candidates turned down over it"
                         " and the check that did")
    args = ap.parse_args(argv)
    exercises = tuple(args.exercise or EXERCISES)
    if args.case is not None:
        for ex in exercises:
            _one(ex, args.seed, args.case, args.csv, args.why)
        return 0
    t0 = time.perf_counter()
    results = run(args.n, args.seed, exercises, args.workers, why=args.why)
    print(tables(results))
    print(failing_cases(results, args.failing))
    if args.why and STANCE in exercises:
        print(why_report([r for r in results if r["exercise"] == STANCE]))
    print(f"\n[physics] {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
