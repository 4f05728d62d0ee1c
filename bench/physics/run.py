"""The physics runner: N seeded sets per exercise, analysed by `hiplevel.analysis.analyze` on the IMU,
judged per rep, tallied per exercise and per parameter bin, with the worst failing cases listed so
they can be reproduced (`python -m bench.physics --exercise X --seed S --case I`)."""

from __future__ import annotations

import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from functools import partial

from bench.physics.bins import BINS
from bench.physics.cases import EXERCISES, make_case
from bench.physics.judging import FOUND, MISSED, WRONG_SIDE, WRONG_TIME

DEFAULT_N = 30  # sets per exercise: 120 holds, 600 band-walk steps, ~600 walking steps; ~80 s on one process
LOWERING_SHOWN = ("mode", "descent_m", "pitch_deg", "drop_deg", "lateral_m", "back_m", "rep_s", "bottom_s",
                  "profile", "shift_m", "shift_s", "pause_s", "base_drop_deg", "sway_deg", "balance_mm")
SHOWN_PARAMS = {  # what a failing case's line shows (all drawn parameters are in its `params`)
    "single-leg-stance": ("shift_s", "shift_m", "profile", "hold_s", "sway_deg", "drop_deg", "transient_deg",
                          "wander_mm", "balance_mm", "lift_delay_s", "down_delay_s", "back_s_ratio", "jolt_mm"),
    "band-walk": ("profile", "step_s", "step_m", "pause_s", "lead_share", "counter_m", "counter_frac",
                  "hinge_deg", "weak", "drop_weak_deg", "first_way", "wobble"),
    "walking": ("cadence_spm", "fault", "fault_deg", "normal_deg", "weak", "steps"),
    "step-down": LOWERING_SHOWN,
    "single-leg-squat": ("knee_deg",) + LOWERING_SHOWN,
    "clamshell": ("opening_deg", "rollback_deg", "rep_s", "top_s", "pause_s", "compensation_deg", "roll_deg",
                  "lean_deg", "fidget_deg", "profile"),
}


def run_case(job: tuple[str, int, int], why: bool = False) -> dict:
    """Analyse one case; its counts (judge_reps) and each true rep's (params, outcome, extra). why: for
    single-leg stance, also "why": the lines of `why.why_lines` for its true holds not found right."""
    from bench.physics.judging import judge_case
    from bench.physics.why import STANCE, recorded_decisions, why_lines
    from hiplevel.analysis import analyze

    exercise, seed, index = job
    case = make_case(exercise, seed, index)
    with recorded_decisions() if why and exercise == STANCE else nullcontext([]) as rejected:
        found = analyze(case.series(), exercise, keep_trace=False).reps
    counts, outcomes = judge_case(case.reps, found)
    out = {"exercise": exercise, "seed": seed, "index": index, "counts": counts,
           "reps": [(t.params, o.status, o.extra, t.side, t.start_s, t.end_s) for t, o in zip(case.reps, outcomes)]}
    if why and exercise == STANCE:
        out["why"] = why_lines(out["reps"], rejected, (MISSED, WRONG_SIDE, WRONG_TIME))
    return out


def run(n: int = DEFAULT_N, seed: int = 0, exercises: tuple[str, ...] = EXERCISES, workers: int = 1,
        log=print, why: bool = False) -> list[dict]:
    """Results of n cases per exercise (seeded: case i of exercise e under seed s is always the same);
    why: single-leg stance's results carry `run_case`'s "why" too."""
    jobs = [(ex, seed, i) for ex in exercises for i in range(n)]
    log(f"[physics] {len(jobs)} sets ({n} per exercise) on {workers} process(es), seed {seed}")
    one = partial(run_case, why=why)
    if workers <= 1:
        return [one(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, jobs, chunksize=2))


def _tally(items) -> dict:
    t = defaultdict(int)
    for status, extra in items:
        t["n"] += 1
        t[status] += 1
        t["extra"] += extra
    return t


def _line(label: str, t: dict) -> str:
    n = t["n"]
    return (f"  {label:<34s} {n:5d} {t[FOUND]:6d} {100 * t[FOUND] / n:6.1f}% {t[WRONG_SIDE]:5d} "
            f"{t[WRONG_TIME]:5d} {t[MISSED]:6d} {t['extra']:5d}")


HEADER = f"  {'':<34s} {'reps':>5s} {'found':>6s} {'right':>7s} {'side':>5s} {'time':>5s} {'missed':>6s} {'extra':>5s}"
LEGEND = ("found = matched with the right side (band walk: and direction) and, for a hold, the right time; "
          "side = matched, wrong side; time = hold matched but its span off by > 20 % (bench.metrics.hold_span_right); "
          "extra = detections matching no true rep (counted at the nearest true rep)")


def tables(results: list[dict]) -> str:
    """Per exercise: the total line, then one block per parameter with a line per bin."""
    out = [LEGEND]
    for ex in dict.fromkeys(r["exercise"] for r in results):
        reps = [rep for r in results if r["exercise"] == ex for rep in r["reps"]]
        sets = [r for r in results if r["exercise"] == ex]
        out += ["", f"{ex}: {len(sets)} sets", HEADER, _line("all", _tally((s, e) for _, s, e, *_ in reps))]
        for name, fn in BINS[ex]:
            groups = defaultdict(list)
            for p, s, e, *_ in reps:
                label = fn(p)
                if label is not None:
                    groups[label].append((s, e))
            out.append(f"  {name}:")
            out += [_line("  " + label, _tally(groups[label])) for label in sorted(groups, key=_order)]
    return "\n".join(out)


def _order(label: str):
    head = label.split("-")[0].split()[0] if label and label[0].isdigit() else None
    try:
        return (0, float(head), label) if head else (1, 0.0, label)
    except ValueError:
        return (1, 0.0, label)


def failing_cases(results: list[dict], per_exercise: int = 8) -> str:
    """The failing sets, worst first, each with its reproduction command and exact parameters."""
    out = []
    for ex in dict.fromkeys(r["exercise"] for r in results):
        bad = []
        for r in results:
            if r["exercise"] != ex:
                continue
            n, f, s, e, w = r["counts"]
            errors = (n - s) + e
            if errors:
                bad.append((errors, r))
        bad.sort(key=lambda x: -x[0])
        out.append(f"\n{ex}: {len(bad)} of {sum(r['exercise'] == ex for r in results)} sets with an error")
        for errors, r in bad[:per_exercise]:
            n, f, s, e, w = r["counts"]
            out.append(f"- seed {r['seed']} case {r['index']}: {f}/{n} found, {f - s} wrong side, {e} extra, "
                       f"{w} hold time wrong  (python -m bench.physics --exercise {ex} --seed {r['seed']} "
                       f"--case {r['index']})")
            for p, status, extra, side, t0, t1 in r["reps"]:
                if status != FOUND or extra:
                    shown = {k: _fmt(p[k]) for k in SHOWN_PARAMS[ex] if k in p}
                    out.append(f"    {status}{f' +{extra} extra' if extra else ''}: {side} stance {t0:.2f}-{t1:.2f} s "
                               f"{shown}")
                    if ex in ("band-walk", "walking"):
                        break  # a set's parameters are the same for each of its reps: once is enough
    return "\n".join(out)


def _fmt(v):
    return round(float(v), 3) if isinstance(v, float) else v


def default_workers() -> int:
    return 1 if (os.cpu_count() or 1) < 2 else 2
