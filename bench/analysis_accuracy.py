"""Analysis accuracy against the simulator's ground truth, on fresh seeds (not the tests' seeds),
and analysis speed as a multiple of real time for a one-hour recording.

    .venv/bin/python bench/analysis_accuracy.py [--seeds 5] [--first-seed 1000]

Prints per exercise: reps found/true, extra reps, side accuracy, drop error RMSE, bias and 95 %
limits of agreement (bias +- 1.96 SD), deg. Not a test: numbers to read and report.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from hiplevel.analysis import analyze
from hiplevel.samples import ImuSeries
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec

RATES_HZ = (50, 100, 200)
WEAK = (None, "left", "right")
EXTRA = {
    "walking": {"reps": 20, "drop_deg": 9.0},
    "walking+turns": {"reps": 20, "drop_deg": 9.0, "turn_every_steps": 8},
    "band-walk": {"reps": 8, "drop_deg": 8.0},
    "single-leg-stance": {"reps": 2, "drop_deg": 8.0, "hold_s": 12.0},
}


def match(true_reps, reps):
    used, pairs, missing = set(), [], 0
    for t in true_reps:
        hit = [i for i, r in enumerate(reps) if i not in used and t.start_s <= 0.5 * (r.start_s + r.end_s) <= t.end_s]
        if hit:
            used.add(hit[0])
            pairs.append((t, reps[hit[0]]))
        else:
            missing += 1
    return pairs, missing, len(reps) - len(used)


def accuracy(name: str, seeds: list[int]) -> None:
    kw = dict(EXTRA[name])
    exercise = name.split("+")[0]
    n_true = n_found = n_extra = n_side = 0
    errs: list[float] = []
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
        n_side += sum(t.side == r.side for t, r in pairs)
        errs += [r.drop_deg - t.drop_deg for t, r in pairs]
    e = np.asarray(errs)
    sd = float(e.std(ddof=1)) if len(e) > 1 else float("nan")
    print(f"{name:18s} found {n_found}/{n_true}  extra {n_extra}  side {n_side}/{max(n_found, 1)}  "
          f"drop RMSE {np.sqrt(np.mean(e**2)) if len(e) else float('nan'):.2f}  bias {e.mean() if len(e) else float('nan'):+.2f}  "
          f"95% LoA [{e.mean() - 1.96 * sd:+.2f}, {e.mean() + 1.96 * sd:+.2f}]  within 1 deg {np.mean(np.abs(e) <= 1) * 100 if len(e) else 0:.0f} %")


def speed(rate_hz: float = 100.0) -> None:
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
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    print(f"fresh seeds {seeds}, rates {RATES_HZ} Hz, normal/weak-left/weak-right, random mounts +-5 deg, noise on")
    for name in EXTRA:
        accuracy(name, seeds)
    if not args.no_speed:
        speed()


if __name__ == "__main__":
    main()
