"""Analysis accuracy against the simulator's ground truth, on fresh seeds (not the tests' seeds),
and analysis speed as a multiple of real time for a one-hour recording.

    .venv/bin/python bench/analysis_accuracy.py [--seeds 3] [--first-seed 1000] [--only band-walk]

Every case runs at 50, 100 and 200 Hz, normal / weak-left / weak-right, a random mount offset
(+-5 deg per axis) and sensor noise on. Prints per case: reps found/true, extra reps, side right,
drop error RMSE, bias and 95 % limits of agreement (bias +- 1.96 SD), share within 1 deg, worst
error, flag agreement (each flag a rep could carry, truth vs analysis) and, for holds, the worst
start/end timing error. Not a test: numbers to read and report.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from hiplevel.analysis import analyze
from hiplevel.samples import ImuSeries
from hiplevel.sim import match_reps
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec

RATES_HZ = (50, 100, 200)
WEAK = (None, "left", "right")
CASES = {
    "walking": {"reps": 20, "drop_deg": 9.0},
    "walking+turns": {"reps": 20, "drop_deg": 9.0, "turn_every_steps": 8},
    "band-walk": {"reps": 8, "drop_deg": 8.0},
    "band-walk+hike": {"reps": 8, "drop_deg": -5.0},
    "band-walk+bobbing": {"reps": 8, "drop_deg": 8.0, "bobbing": True},
    "band-walk+shuffling": {"reps": 8, "drop_deg": 8.0, "step_m": 0.12},
    "single-leg-stance": {"reps": 2, "drop_deg": 8.0, "hold_s": 12.0},
    "single-leg-stance+hike": {"reps": 2, "drop_deg": -5.0, "hold_s": 12.0},
    "single-leg-stance+35s": {"reps": 2, "drop_deg": 8.0, "hold_s": 35.0},
    "single-leg-stance+sway": {"reps": 2, "drop_deg": 8.0, "hold_s": 12.0, "sway_deg": 1.3},
}
FLAGS = ("pelvic_drop", "hip_hike", "bobbing", "shuffling", "short_hold", "excess_sway")


def side_right(t, r) -> bool:
    """The rep's side is right: its stance leg; a band-walk rep's direction of travel, and its side
    (its worse phase's stance leg) when the truth's two phases differ by more than 1 deg."""
    if t.direction is None:
        return t.side == r.side
    clear = len(t.phases) == 2 and abs(t.phases[0].drop_deg - t.phases[1].drop_deg) > 1.0
    return t.direction == r.details.get("direction") and (t.side == r.side or not clear)


def match(true_reps, reps):
    """(pairs, number of true reps missed, number of extra detections): `hiplevel.sim.match_reps`."""
    m = match_reps(true_reps, reps)
    return m.pairs, len(m.missing), len(m.extra)


def accuracy(name: str, seeds: list[int]) -> dict:
    """Run one case over seeds x rates x weak sides; returns the figures."""
    kw = dict(CASES[name])
    exercise = name.split("+")[0]
    n_true = n_found = n_extra = n_side = n_flag_ok = n_flag = 0
    errs: list[float] = []
    t_errs: list[float] = []
    rng = np.random.default_rng(seeds[0])
    for seed, rate, weak in itertools.product(seeds, RATES_HZ, WEAK):
        mount = tuple(float(x) for x in rng.uniform(-5, 5, 3))
        sim = simulate_session(SessionSpec(exercises=[ExerciseSpec(exercise, weak_side=weak, **kw)],
                                           rate_hz=rate, seed=seed, mount_offset_deg=mount, rest_s=6.0))
        res = analyze(sim.imu, exercise)
        pairs, missing, extra = match(sim.reps, res.reps)
        n_true += len(sim.reps)
        n_found += len(pairs)
        n_extra += extra
        n_side += sum(side_right(t, r) for t, r in pairs)
        errs += [r.drop_deg - t.drop_deg for t, r in pairs]
        for t, r in pairs:
            n_flag += 1
            n_flag_ok += all((f in t.flags) == (f in r.flags) for f in FLAGS)
            if exercise == "single-leg-stance":
                t_errs += [abs(r.start_s - t.start_s), abs(r.end_s - t.end_s)]
    e = np.asarray(errs) if errs else np.full(1, np.nan)
    sd = float(e.std(ddof=1)) if len(e) > 1 else float("nan")
    return {
        "case": name, "found": n_found, "true": n_true, "extra": n_extra, "side": n_side,
        "rmse": float(np.sqrt(np.mean(e**2))), "bias": float(e.mean()),
        "loa": (float(e.mean() - 1.96 * sd), float(e.mean() + 1.96 * sd)),
        "within1": float(np.mean(np.abs(e) <= 1.0) * 100), "worst": float(np.max(np.abs(e))),
        "flags": (n_flag_ok, n_flag), "timing_s": max(t_errs) if t_errs else None,
    }


def row(r: dict) -> str:
    """One markdown table row."""
    timing = f"{r['timing_s']:.2f}" if r["timing_s"] is not None else "-"
    return (f"| {r['case']} | {r['found']}/{r['true']} | {r['extra']} | {r['side']}/{r['found']} | {r['rmse']:.2f} | "
            f"{r['bias']:+.2f} | {r['loa'][0]:+.2f}..{r['loa'][1]:+.2f} | {r['within1']:.0f} % | {r['worst']:.2f} | "
            f"{r['flags'][0]}/{r['flags'][1]} | {timing} |")


def speed(rate_hz: float = 100.0) -> None:
    """Analysis time of a one-hour walking recording (a tiled simulated bout)."""
    sim = simulate_session(SessionSpec(exercises=[ExerciseSpec("walking", reps=100)], rate_hz=rate_hz, seed=7))
    s = sim.imu
    dur = s.t_s[-1] + 1.0 / rate_hz
    k = int(np.ceil(3600.0 / dur))
    t = np.concatenate([s.t_s + i * dur for i in range(k)])
    big = ImuSeries(t, np.tile(s.acc_g, (k, 1)), np.tile(s.gyro_dps, (k, 1)))
    t0 = time.perf_counter()
    res = analyze(big, "walking")
    el = time.perf_counter() - t0
    print(f"speed: {t[-1] / 3600:.2f} h at {rate_hz:.0f} Hz analysed in {el:.1f} s = {t[-1] / el:.0f}x real time ({len(res.reps)} steps)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--only", default="", help="comma-separated case name prefixes")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    only = [p for p in args.only.split(",") if p]
    print(f"fresh seeds {seeds}, rates {RATES_HZ} Hz, normal/weak-left/weak-right, random mounts +-5 deg, noise on\n")
    print("| case | found/true | extra | side right | drop RMSE | bias | 95 % limits | within 1 deg | worst | flags agree | hold timing worst, s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in CASES:
        if not only or any(name.startswith(p) for p in only):
            print(row(accuracy(name, seeds)), flush=True)
    if not args.no_speed:
        speed()


if __name__ == "__main__":
    main()
