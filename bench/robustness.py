"""Section 7: robustness across movement strategies (issue 14). For each detector and each movement
parameter, the range over which it still finds every rep with the right side, next to the human
range (`hiplevel.sim.HUMAN_RANGES`); for each key threshold, the range of values over which it still
finds every rep of the human-range edge cases and no rep where nobody exercises. A parameter (or a
threshold) is acceptable only with margin on both sides: the tested values next beyond both ends
of the human range pass (the default's neighbours, x0.7 and x1.4, pass).

    python -m bench --only 7 [--quick]        # or: python -m bench.robustness [--quick]

One simulated set per case (noise on, a random mount within +-3 deg, 100 Hz, a weak left side so
every rep's side is unambiguous); the cases run on two processes. A hold found must also give its
hold time (`bench.metrics.hold_span_right`). A scene where nobody exercises is also swept over many
seeds (`SCENE_SWEEPS`: the weight-shift scene for holds, 40 seeds, as simulated and with the pelvis
turning as real standing does), counting every false rep. What is swept: bench/robustness_cases.py.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import replace
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from bench.robustness_cases import (FACTORS, LATE_BATTERY, MOVEMENT, NOMINAL, SCENE_KINDS, SCENE_SWEEP_SEED_OFFSET,
                                    SCENE_SWEEPS, SESSION_PARAMS, THRESHOLDS)
from bench.rows import MISS, NA, PASS, Row, unavailable

SECTION = "7. Robustness across movement strategies (simulator)"
RATE_HZ = 100.0
MOUNT_MAX_DEG = 3.0


def _spec(exercise: str, param: str | None, value, seed: int, scene: str | None = None, yaw_deg: float | None = None):
    from hiplevel.sim import ExerciseSpec, Scene, SessionSpec
    from hiplevel.sim.strategies import is_strategy_field, strategy_class

    kw = dict(NOMINAL[exercise])
    session = {}
    if scene is not None:
        kw = {"strategy": Scene(scene, duration_s=40.0, yaw_deg=yaw_deg)}
    elif param in SESSION_PARAMS:
        session[param] = value
    elif param is not None and is_strategy_field(exercise, param):
        kw["strategy"] = replace(strategy_class(exercise)(), **{param: value})
    elif param is not None:
        kw[param] = value
    rng = np.random.default_rng([seed, 7])
    mount = tuple(float(x) for x in rng.uniform(-MOUNT_MAX_DEG, MOUNT_MAX_DEG, 3))
    return SessionSpec([ExerciseSpec(exercise, **kw)], rate_hz=RATE_HZ, seed=seed, mount_offset_deg=mount, rest_s=4.0,
                       **session)


def judge_reps(true_reps, reps) -> tuple[int, int, int, int, int]:
    """(true reps, found, found with the right side, extra, holds with a wrong time). Side: the stance
    leg; a band-walk rep's direction of travel as well. A single-leg-stance hold matched but whose
    span does not give its hold time (`bench.metrics.split_hold_times`) is not found (nor extra)."""
    from bench.metrics import split_hold_times
    from hiplevel.sim import match_reps

    m = match_reps(true_reps, reps)
    pairs, wrong = split_hold_times(m.pairs)
    side = sum(t.side == r.side and (t.direction is None or t.direction == r.details.get("direction"))
               for t, r in pairs)
    return len(true_reps), len(pairs), side, len(m.extra), len(wrong)


def _judged(found: int, n: int, side: int, extra: int, wrong_time: int) -> str:
    """What a failing case got wrong, in words."""
    from bench.metrics import HOLD_SPAN_TOLERANCE

    held = f", {wrong_time} with the hold time off by > {HOLD_SPAN_TOLERANCE:.0%}" if wrong_time else ""
    return f"{found}/{n} found, {found - side} wrong side, {extra} extra{held}"


def _movement_case(job: tuple) -> tuple:
    exercise, param, value, seed = job
    from hiplevel.analysis import analyze
    from hiplevel.sim import simulate_session

    sim = simulate_session(_spec(exercise, param, value, seed))
    return job + judge_reps(sim.reps, analyze(sim.imu, exercise).reps)


def _threshold_job(job: tuple) -> tuple:
    """One detector: simulate the battery (nominal, each movement parameter at both ends of its
    human range, the scenes), then run every threshold value over it. Returns (exercise, {(name,
    factor): (ok, why)})."""
    exercise, seed = job
    from hiplevel.analysis.offline import motion_of, score_windows
    from hiplevel.exercises import DETECTORS
    from hiplevel.scoring import Thresholds
    from hiplevel.signal.neutral import neutral_roll
    from hiplevel.signal.orientation import trace_from_series
    from hiplevel.sim import HUMAN_RANGES, simulate_session

    battery, late = [("nominal", None, None, None)], []
    for param, r in HUMAN_RANGES.get(exercise, {}).items():
        if param in MOVEMENT[exercise] and param not in SESSION_PARAMS:  # the threshold battery: movement only
            edges = [(f"{param}={r.lo:g}", param, r.lo, None), (f"{param}={r.hi:g}", param, r.hi, None)]
            (late if param in LATE_BATTERY.get(exercise, ()) else battery).extend(edges)
    battery += [(f"scene {k}", None, None, k) for k in SCENE_KINDS.get(exercise, ())] + late
    cases = []
    for k, (label, param, value, scene) in enumerate(battery):
        sim = simulate_session(_spec(exercise, param, value, seed + k, scene))
        tr = trace_from_series(sim.imu)
        cases.append((label, sim.reps, motion_of(tr, 0, len(tr.t_s), neutral_roll(tr.roll_deg, tr.standing))))
    th = Thresholds()
    base = DETECTORS[exercise]
    out: dict = {}
    for name in THRESHOLDS[exercise]:
        default = getattr(base, name)
        for f in FACTORS:
            det = dataclasses.replace(base, **{name: type(default)(default * f)})
            bad = []
            for label, true_reps, m in cases:
                n, found, side, extra, wrong_time = judge_reps(true_reps, score_windows(exercise, m, det.detect(m), th))
                if found < n or side < found or extra:
                    bad.append(f"{label}: {_judged(found, n, side, extra, wrong_time)}")
            out[(name, f)] = (not bad, bad[0] if bad else "")
    return exercise, out


def _scene_case(job: tuple) -> tuple:
    """(exercise, scene, yaw_deg, seed, reps found) for one seed of a scene where nobody exercises."""
    exercise, scene, yaw_deg, seed = job
    from hiplevel.analysis import analyze
    from hiplevel.sim import simulate_session

    sim = simulate_session(_spec(exercise, None, None, seed, scene, yaw_deg))
    return exercise, scene, yaw_deg, seed, len(analyze(sim.imu, exercise).reps)


def _scene_rows(results: list[tuple]) -> list[Row]:
    """One row per swept scene: false reps over its seeds, against SCENE_SWEEPS' bound."""
    rows = []
    for exercise, scene, yaw_deg, n, bound in SCENE_SWEEPS:
        found = [(seed, k) for ex, sc, yd, seed, k in results if (ex, sc, yd) == (exercise, scene, yaw_deg)]
        if not found:
            continue  # the scene was not swept this run (`--param` picks other rows)
        total, hit = sum(k for _, k in found), [seed for seed, k in found if k]
        yawing = "" if yaw_deg is None else f" turning (yaw_deg {yaw_deg:g})"
        rows.append(Row(SECTION, "false reps over seeds", f"{exercise}: scene {scene}{yawing}, {len(found)} seeds",
                        f"{total} in {len(hit)} scenes", target=f"<= {bound}", status=PASS if found and total <= bound else MISS,
                        note=f"seeds {found[0][0]}-{found[-1][0]}" + (f"; with reps: {', '.join(map(str, hit[:8]))}"
                                                                       + (" ..." if len(hit) > 8 else "") if hit else "")))
    return rows


def _fmt(v) -> str:
    return v if isinstance(v, str) else f"{v:g}"


def _movement_rows(results: list[tuple], only: frozenset[str] | None = None) -> list[Row]:
    from hiplevel.sim import HUMAN_RANGES

    rows: list[Row] = []
    for exercise, params in MOVEMENT.items():
        for param, values in params.items():
            if only is not None and param not in only:
                continue
            ok = {}
            fails = []
            for v in values:
                rs = [r for r in results if r[:3] == (exercise, param, v)]
                n, found, side, extra, wrong_time = (sum(r[i] for r in rs) for i in (4, 5, 6, 7, 8))
                ok[v] = bool(rs) and found == n and side == found and extra == 0
                if not ok[v]:
                    fails.append(f"{_fmt(v)}: {_judged(found, n, side, extra, wrong_time)}")
            human = HUMAN_RANGES.get(exercise, {}).get(param)
            passing = [v for v in values if ok[v]]
            if isinstance(values[0], str):
                rows.append(Row(SECTION, "profiles that pass", f"{exercise}: {param}", ", ".join(passing) or "none",
                                target="all", status=PASS if len(passing) == len(values) else MISS, note="; ".join(fails)))
                continue
            shown = _ranges(values, ok)
            if human is None:
                rows.append(Row(SECTION, "passing range", f"{exercise}: {param}", shown, note="; ".join(fails)))
                continue
            inside = [v for v in values if human.lo <= v <= human.hi]
            below = [v for v in values if v < human.lo]
            above = [v for v in values if v > human.hi]
            margin = all(ok[v] for v in inside) and (not below or ok[below[-1]]) and (not above or ok[above[0]])
            rows.append(Row(SECTION, "passing range", f"{exercise}: {param} ({human.unit or '-'})", shown,
                            target=f"human {human.lo:g}-{human.hi:g}, with margin", status=PASS if margin else MISS,
                            note="; ".join(fails + [human.source])))
    return rows


def _ranges(values, ok: dict) -> str:
    """Passing values as contiguous ranges of the swept list, e.g. '0.08-0.65 (tested 0.06-0.65)'."""
    parts, run = [], []
    for v in values:
        if ok[v]:
            run.append(v)
        elif run:
            parts.append(run)
            run = []
    if run:
        parts.append(run)
    text = ", ".join(f"{p[0]:g}-{p[-1]:g}" if len(p) > 1 else f"{p[0]:g}" for p in parts) or "none"
    return f"{text} (tested {values[0]:g}-{values[-1]:g})"


def _threshold_rows(per_exercise: dict) -> list[Row]:
    from hiplevel.exercises import DETECTORS

    rows: list[Row] = []
    for exercise, out in per_exercise.items():
        for name in THRESHOLDS[exercise]:
            ok = {f: out[(name, f)][0] for f in FACTORS}
            default = getattr(DETECTORS[exercise], name)
            passing = [f for f in FACTORS if ok[f]]
            lo_f, hi_f = FACTORS[FACTORS.index(1.0) - 1], FACTORS[FACTORS.index(1.0) + 1]
            margin = ok[1.0] and ok[lo_f] and ok[hi_f]
            span = _ranges(list(FACTORS), ok).split(" (")[0]
            why = [f"x{f:g}: {out[(name, f)][1]}" for f in FACTORS if not ok[f]]
            rows.append(Row(SECTION, "threshold range", f"{exercise}: {name} = {default:g}",
                            f"x{span}" if passing else "none", target=f"default inside, x{lo_f:g} and x{hi_f:g} pass",
                            status=PASS if margin else MISS, note="; ".join(why[:3])))
    return rows


def run(quick: bool = False, seed: int = 0, log=print, workers: int | None = None,
        params: frozenset[str] | None = None) -> list[Row]:
    """Rows of section 7 (one seed per case; quick: movement sweeps only; params: only these movement
    parameters' rows, and no threshold sweeps)."""
    try:
        import hiplevel.sim  # noqa: F401
    except ImportError as e:
        return [unavailable(SECTION, "robustness", f"import failed: {e}")]
    quick = quick or params is not None
    jobs = [(ex, p, v, seed + 17 * i) for ex, ps in MOVEMENT.items() for p, vals in ps.items()
            for i, v in enumerate(vals) if params is None or p in params]
    workers = workers or min(2, os.cpu_count() or 1)
    log(f"[robustness] {len(jobs)} movement cases{'' if quick else ' and the threshold sweeps'} on {workers} processes, seed {seed}")
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_movement_case, jobs, chunksize=2))
        per_exercise = {} if quick else dict(pool.map(_threshold_job, [(ex, seed + 1000) for ex in THRESHOLDS]))
        scenes = [] if quick else list(pool.map(_scene_case, [(ex, sc, yd, seed + SCENE_SWEEP_SEED_OFFSET + k)
                                                              for ex, sc, yd, n, _ in SCENE_SWEEPS for k in range(n)]))
    rows = _movement_rows(results, params)
    rows += _threshold_rows(per_exercise)
    rows += _scene_rows(scenes)
    if quick and params is None:
        rows.append(Row(SECTION, "threshold range", "all detectors", "not run", status=NA, note="--quick skips the threshold sweeps"))
    return rows


if __name__ == "__main__":
    import argparse
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.report import text_table

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--param", action="append", help="only this movement parameter's rows (repeatable; no threshold sweeps)")
    args = ap.parse_args()
    print(text_table(run(args.quick, args.seed, params=frozenset(args.param) if args.param else None)))
