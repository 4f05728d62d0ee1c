"""Section 1: analysis accuracy on the simulator's ground truth.

Every exercise, fresh seeds each run (printed, so a run can be repeated with `--seed`), rates
50/100/200 Hz, sensor noise on, random mounting offsets (+-5 deg roll/pitch/yaw), a normal person
and one with a weak left or right side. Reps are matched with the analysis engineer's rule
(`bench.analysis_accuracy.match`: a detected rep whose midpoint lies inside a true rep); a
single-leg-stance hold is found only when its span also gives the hold time
(`bench.metrics.hold_span_right`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from bench.metrics import HOLD_SPAN_TOLERANCE, agreement, ratio
from bench.rows import NA, Row, at_least, at_most, judge, num, pct, unavailable

SECTION = "1. Accuracy on simulator ground truth"
RATES_HZ = (50.0, 100.0, 200.0)
WEAK_SIDES = (None, "left", "right")
MOUNT_MAX_DEG = 5.0
# Per exercise: the ExerciseSpec fields of one set (short sets keep the run to a few minutes).
EXERCISE_SPECS: dict[str, dict] = {
    "walking": {"reps": 20, "drop_deg": 9.0, "turn_every_steps": 8},
    "band-walk": {"reps": 8, "drop_deg": 8.0},
    "single-leg-stance": {"reps": 2, "drop_deg": 8.0, "hold_s": 12.0},
    "step-down": {"reps": 5, "drop_deg": 8.0},
    "single-leg-squat": {"reps": 5, "drop_deg": 13.0},
    "clamshell": {"reps": 10, "drop_deg": 8.0},
}
TARGET_SIDE = 0.99
TARGET_RMSE_DEG = 0.7
DROP_FLAGS = ("pelvic_drop", "hip_hike")


@dataclass
class Tally:
    """Pooled counts of one exercise over all its conditions."""

    n_true: int = 0
    n_found: int = 0
    n_extra: int = 0
    n_side: int = 0
    n_drop_flags_agree: int = 0
    n_flags_agree: int = 0
    n_wrong_time: int = 0
    errors_deg: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)




def _one(exercise: str, seed: int, rate_hz: float, weak: str | None, mount: tuple, tally: Tally) -> None:
    from hiplevel.analysis import analyze
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    spec = SessionSpec([ExerciseSpec(exercise, weak_side=weak, **EXERCISE_SPECS[exercise])],
                       rate_hz=rate_hz, seed=seed, mount_offset_deg=mount, noise=True, rest_s=6.0)
    sim = simulate_session(spec)
    tally.n_true += len(sim.reps)
    try:
        res = analyze(sim.imu, exercise)
    except Exception as e:  # noqa: BLE001 - a failed analysis is a result (all reps missed), reported
        tally.failures.append(f"seed {seed} {rate_hz:.0f} Hz: {type(e).__name__}: {e}")
        return
    from bench.analysis_accuracy import side_right
    from bench.metrics import split_hold_times
    from hiplevel.sim import match_reps

    pairs, _missing, extra = match_reps(sim.reps, res.reps)
    pairs, wrong = split_hold_times(pairs)  # a hold found without its hold time is not found
    tally.n_wrong_time += len(wrong)
    tally.n_found += len(pairs)
    tally.n_extra += len(extra)
    for t, r in pairs:
        tally.n_side += side_right(t, r)
        tally.errors_deg.append(r.drop_deg - t.drop_deg)
        tally.n_drop_flags_agree += {f for f in t.flags if f in DROP_FLAGS} == {f for f in r.flags if f in DROP_FLAGS}
        tally.n_flags_agree += set(t.flags) == set(r.flags)


def _supported(exercise: str) -> str | None:
    """Why this exercise cannot be benchmarked yet, or None."""
    from hiplevel.exercises import DETECTORS
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    if exercise not in DETECTORS:
        return f"the analysis has no {exercise} detector yet"
    try:
        simulate_session(SessionSpec([ExerciseSpec(exercise, reps=1)], standing_s=2.0, rest_s=1.0))
    except NotImplementedError as e:
        return f"the simulator does not model {exercise} ({e})"
    return None


def _rows(exercise: str, cond: str, t: Tally) -> list[Row]:
    a = agreement(np.asarray(t.errors_deg))
    found = ratio(t.n_found, t.n_true)
    side = ratio(t.n_side, t.n_found)
    flags = ratio(t.n_drop_flags_agree, t.n_found)
    all_flags = ratio(t.n_flags_agree, t.n_found)
    notes = [f"{len(t.failures)} analyses raised: {t.failures[0]}"] if t.failures else []
    if t.n_wrong_time:
        notes.append(f"{t.n_wrong_time} holds matched with the hold time off by > {HOLD_SPAN_TOLERANCE:.0%}")
    fail_note = "; ".join(notes)
    data = f"{exercise}: {cond}"
    return [
        Row(SECTION, "reps found / true", data, f"{t.n_found}/{t.n_true} ({pct(found)})", target="all",
            status=judge(t.n_true > 0 and t.n_found == t.n_true), note=fail_note),
        Row(SECTION, "extra reps", data, str(t.n_extra), target="0", status=judge(t.n_extra == 0)),
        Row(SECTION, "side accuracy", data, pct(side), target=">= 99 %", status=at_least(side, TARGET_SIDE)),
        Row(SECTION, "drop error RMSE", data, num(a.rmse, "deg"), target="<= 0.7 deg",
            status=at_most(a.rmse, TARGET_RMSE_DEG), note=f"n = {a.n} matched reps"),
        Row(SECTION, "drop error bias [95 % LoA]", data,
            f"{num(a.bias, digits=2)} [{num(a.loa_low, digits=2)}, {num(a.loa_high, 'deg', 2)}]"),
        Row(SECTION, "per-rep flag agreement", data, f"drop flags {pct(flags)}, all flags {pct(all_flags)}",
            note="drop flags: pelvic_drop / hip_hike; all: every flag the simulator labels"),
    ]


def run(quick: bool = False, seeds: list[int] | None = None, log=print) -> list[Row]:
    """Rows of section 1. seeds: one per condition group (fresh random when None)."""
    try:
        import hiplevel.analysis  # noqa: F401
        import hiplevel.sim  # noqa: F401
    except ImportError as e:
        return [unavailable(SECTION, "analysis accuracy", f"import failed: {e}")]
    if seeds is None:
        seeds = [int(s) for s in np.random.SeedSequence().generate_state(1 if quick else 2)]
    rates = (100.0,) if quick else RATES_HZ
    weak_sides = ("left",) if quick else WEAK_SIDES
    log(f"[sim] seeds {seeds}, rates {[int(r) for r in rates]} Hz, weak sides {weak_sides}, mounts +-{MOUNT_MAX_DEG} deg")
    rows: list[Row] = []
    for exercise in EXERCISE_SPECS:
        why = _supported(exercise)
        if why:
            rows.append(Row(SECTION, "all metrics", exercise, "not available", status=NA, note=f"not available: {why}"))
            continue
        tally = Tally()
        for k, (seed, rate, weak) in enumerate(itertools.product(seeds, rates, weak_sides)):
            rng = np.random.default_rng([seed, k])
            mount = tuple(float(x) for x in rng.uniform(-MOUNT_MAX_DEG, MOUNT_MAX_DEG, 3))
            _one(exercise, seed + k, rate, weak, mount, tally)
        cond = f"{len(seeds) * len(rates) * len(weak_sides)} sets, {'/'.join(str(int(r)) for r in rates)} Hz, noise, mount +-5 deg"
        rows += _rows(exercise, cond, tally)
        log(f"[sim] {exercise}: {tally.n_found}/{tally.n_true} found, {tally.n_extra} extra")
    return rows
