"""`python -m bench.scene_why --scene weight-shift [--yaw 6] --seed 67204 [--seed ...]`: why section 7 found a
single-leg hold in a scene where nobody exercises. Rebuilds one scene of the sweep (`robustness.SCENE_SWEEPS`,
the same spec and seed as `bench.robustness`: bench seed 20261202 sweeps scene seeds 67200-67239) and lists,
per hold found, the candidate it came from (path, shift in and back: time, size), its support votes and the
readings the later checks ask (roll rate and sideways sway over the standing's, the roll's amplitude ratio,
the sideways corrections, the hold's length), and every check of its chain with its verdict
(`hiplevel.exercises.stance_checks`), then the candidates turned down. Opt-in: no bench row changes.

`--seeds A-B` sweeps a range (inclusive) and prints only the scenes with a hold, then the total (stop 39
measured seeds 67240-67279 so); `--rejected` lists the candidates turned down too."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STANCE = "single-leg-stance"


@dataclass(frozen=True)
class HoldWhy:
    """One hold found in a scene: its span (s, the analysed series' clock), leg, the candidate's path,
    shift in and back (onset s, size m), hold length (s), support votes, the later checks' readings
    (ratios to the standing around it; amplitude None where the window is too short), and the verdict
    of every check of its chain (name -> rejects)."""

    start_s: float
    end_s: float
    side: str
    path: str
    shift_in: tuple[float, float]
    shift_back: tuple[float, float]
    hold_s: float
    votes: dict[str, float]
    roll_rate_ratio: float
    sideways_ratio: float
    amplitude_ratio: float | None
    corrections_ratio: float
    checks: dict[str, bool]


@contextmanager
def recorded_holds() -> Iterator[list[tuple[object, object]]]:
    """While open, each hold `SingleLegStanceDetector.decide` returns that came from a candidate of its
    chain is kept with that candidate (`stance_candidate.Candidate`) in the list yielded: (hold
    RepWindow, candidate); the holds returned are as without it."""
    import hiplevel.exercises.single_leg_stance as sls

    made: dict[int, object] = {}
    kept: list[tuple[object, object]] = []
    plain_rep, plain_decide = sls.hold_rep, sls.SingleLegStanceDetector.decide

    def hold_rep(c):
        r = plain_rep(c)
        made[id(r)] = c
        return r

    def decide(self, m):
        d = plain_decide(self, m)
        kept.extend((h, made[id(h)]) for h in d.holds if id(h) in made)
        return d

    sls.hold_rep, sls.SingleLegStanceDetector.decide = hold_rep, decide
    try:
        yield kept
    finally:
        sls.hold_rep, sls.SingleLegStanceDetector.decide = plain_rep, plain_decide


def explain(c, hold) -> HoldWhy:
    """The readings of hold `hold` (a RepWindow) made from candidate c (`stance_candidate.Candidate`)."""
    from hiplevel.exercises import stance_checks as sc
    from hiplevel.exercises.single_support import over_standing
    from hiplevel.exercises.stance_corroboration import corrections_ratio
    from hiplevel.exercises.stance_roll import roll_sway_ratio

    t, last = c.m.t_s, len(c.m.t_s) - 1
    rate_ratio, side_ratio = over_standing(*c.sway_rms, c.ref)
    chain = sc.VELOCITY_GATES + sc.VELOCITY_DROPS if c.path == "velocity" else sc.EDGE_GATES
    return HoldWhy(float(t[min(hold.start, last)]), float(t[min(hold.end, last)]), hold.side, c.path,
                   (float(t[c.a.onset]), c.size_a), (float(t[c.b.onset]), c.size_b), hold.metrics["hold_s"],
                   dict(c.support), rate_ratio, side_ratio, roll_sway_ratio(c.m.roll_deg, c.win, c.standing, c.rate),
                   corrections_ratio(c.s.sig, c.sway_rms[1], c.standing, c.rate),
                   {k.name: bool(k.rejects(c)) for k in chain})


def scene_holds(scene: str, seed: int, yaw_deg: float | None = None
                ) -> tuple[int, list[HoldWhy], list[tuple[str, str, float, float]]]:
    """Section 7's scene `scene` (seed; the pelvis' yaw scale, deg, or None: `robustness._spec`):
    how many holds `analyze` reports, those of them made from a candidate with their readings
    (`explain`; a hold the chain's merges made has none), and the candidates turned down ((path,
    check, start s, end s): `bench.physics.why.recorded_decisions`)."""
    from bench.physics.why import recorded_decisions
    from bench.robustness import _spec
    from hiplevel.analysis import analyze
    from hiplevel.sim import simulate_session

    sim = simulate_session(_spec(STANCE, None, None, seed, scene, yaw_deg))
    with recorded_holds() as kept, recorded_decisions() as rejected:
        n = len(analyze(sim.imu, STANCE).reps)
    return n, sorted((explain(c, h) for h, c in kept), key=lambda w: w.start_s), rejected


def _lines(w: HoldWhy) -> list[str]:
    """A hold's readings, as printed."""
    amp = "-" if w.amplitude_ratio is None else f"{w.amplitude_ratio:.2f}x"
    votes = ", ".join(f"{k} {v:.2f}" for k, v in w.votes.items())
    passed = ", ".join(k for k, rejects in w.checks.items() if not rejects)
    failed = ", ".join(k for k, rejects in w.checks.items() if rejects) or "none"
    return [f"  hold {w.start_s:.2f}-{w.end_s:.2f} s, {w.side} stance, {w.hold_s:.2f} s ({w.path} path): "
            f"shift in {w.shift_in[0]:.2f} s {100 * w.shift_in[1]:.1f} cm, back {w.shift_back[0]:.2f} s "
            f"{100 * w.shift_back[1]:.1f} cm",
            f"    votes: {votes}; over standing: roll rate {w.roll_rate_ratio:.2f}x, sideways "
            f"{w.sideways_ratio:.2f}x, roll amplitude {amp}, corrections {w.corrections_ratio:.2f}x",
            f"    checks passed: {passed}; rejecting now: {failed}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.scene_why", description=__doc__.splitlines()[0])
    ap.add_argument("--scene", default="weight-shift", help="a `Scene` kind (weight-shift, fidgeting, ...)")
    ap.add_argument("--yaw", type=float, default=None, help="the pelvis' yaw scale, deg (section 7 turning: 6)")
    ap.add_argument("--seed", type=int, action="append", default=[], help="scene seed (repeatable)")
    ap.add_argument("--seeds", default=None, help="a range A-B (inclusive): only the scenes with a hold are printed")
    ap.add_argument("--rejected", action="store_true", help="also list the candidates turned down")
    args = ap.parse_args(argv)
    seeds = list(args.seed)
    if args.seeds:
        a, b = (int(x) for x in args.seeds.split("-"))
        seeds += list(range(a, b + 1))
    total = 0
    for seed in seeds:
        n, holds, rejected = scene_holds(args.scene, seed, args.yaw)
        total += n
        if n or not args.seeds:
            print(f"{args.scene}{'' if args.yaw is None else f' yaw {args.yaw:g}'} seed {seed}: {n} hold(s)")
            for w in holds:
                print("\n".join(_lines(w)))
            if args.rejected:
                print("\n".join(f"  turned down: {check} ({path}) {a:.2f}-{b:.2f} s" for path, check, a, b in rejected))
    print(f"total: {total} hold(s) in {len(seeds)} scene(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
