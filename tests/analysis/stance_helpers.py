"""Simulated single-leg-stance sets and how the stance tests judge them (issue 14)."""

import numpy as np

from hiplevel.analysis import analyze
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session
from hiplevel.sim.strategies import HoldStrategy, Scene

from analysis_helpers import match

# 90 s holds with 5 s between them (bench section 7 hold_s 90 s, case seed 70).
LONG_HOLD_SEED = 70


def holds(seed: int, hold_s: float = 10.0, sway_deg: float = 0.4, side: str | None = None, **strategy) -> tuple:
    """A set of 4 single-leg-stance holds (left leg weak, 8 deg drop) with this strategy: (sim,
    analysis, `analysis_helpers.match`)."""
    # A belt clipped on by hand: up to 3 deg off in roll, pitch and yaw.
    mount = tuple(float(x) for x in np.random.default_rng([seed, 7]).uniform(-3.0, 3.0, 3))
    sim = simulate_session(SessionSpec(
        [ExerciseSpec("single-leg-stance", reps=4, side=side, weak_side="left", drop_deg=8.0, hold_s=hold_s,
                      sway_deg=sway_deg, strategy=HoldStrategy(**strategy))],
        rate_hz=100.0, seed=seed, mount_offset_deg=mount, rest_s=4.0))
    res = analyze(sim.imu, "single-leg-stance")
    return sim, res, match(sim.reps, res.reps)


def scene_holds(kind: str, seed: int) -> list:
    """The holds found in 40 s of a scene where nobody exercises (`Scene` kind), its mount and rest
    drawn as bench section 7's scene sweeps draw them."""
    mount = tuple(float(x) for x in np.random.default_rng([seed, 7]).uniform(-3.0, 3.0, 3))
    sim = simulate_session(SessionSpec([ExerciseSpec("single-leg-stance", strategy=Scene(kind, duration_s=40.0))],
                                       rate_hz=100.0, seed=seed, mount_offset_deg=mount, rest_s=4.0))
    assert not sim.reps
    return analyze(sim.imu, "single-leg-stance").reps


def all_found(sim, res, matched) -> None:
    """Every hold found on its leg, no extra."""
    pairs, missing, extra = matched
    assert not missing and not extra, f"{len(missing)} missed, {len(extra)} extra of {len(sim.reps)}"
    assert [r.side for _, r in pairs] == [t.side for t, _ in pairs]


def whole(sim, res, matched, tol_s: float = 1.0) -> None:
    """Every hold found on its leg, no extra, each from its foot-off to its foot-down within tol_s."""
    all_found(sim, res, matched)
    for t, r in matched[0]:
        assert abs(r.start_s - t.start_s) < tol_s and abs(r.end_s - t.end_s) < tol_s, (
            t.start_s, t.end_s, r.start_s, r.end_s)
