"""Single-leg squats with the free foot up between reps (issue 14, the test's protocol, "hover"): the
weight shifts onto the stance foot once before a leg's first rep and back once after its last, so
the reps in between have no sideways move of their own, and a squat under 10 cm of descent needs
one (`step_down.SURE_DESCENT_FACTOR`): the physics check missed 5 such squats of 33-43 deg (4-7 cm).
A rep held on one leg (`lowering_reach.held_on_one_leg`: the run's shift in and back read at its ends)
has the shift as its second cue; lowerings with no weight shift at all stay out."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.sim import ExerciseSpec, LoweringStrategy, SessionSpec, match_reps, simulate_session


def _squats(seed: int, shift_m: float | None):
    """Five 6 cm squats at 10 deg of pitch (a 40-43 deg squat) on each leg, the free foot up between
    them; shift_m: the weight shift onto the stance foot (None: the classic 8 cm)."""
    strategy = LoweringStrategy(depth_m=0.06, pitch_deg=10.0, hover=True, shift_m=shift_m)
    sim = simulate_session(SessionSpec([ExerciseSpec("single-leg-squat", reps=5, sets=2, weak_side="left", drop_deg=10.0,
                                                     strategy=strategy)],
                                       rate_hz=100.0, seed=seed, mount_offset_deg=(2.0, -2.0, 3.0), rest_s=4.0))
    # The scene is the hover protocol: between a leg's reps the pelvis stays over its stance foot.
    y, t = sim.params["pos_m"][:, 1], sim.truth_1k.t_s
    between = float(y[np.searchsorted(t, 0.5 * (sim.reps[0].end_s + sim.reps[1].start_s))])
    assert abs(between) == pytest.approx(0.08 if shift_m is None else shift_m, abs=0.01)
    return sim.reps, match_reps(sim.reps, analyze(sim.imu, "single-leg-squat").reps)


def test_squats_held_on_one_leg_are_found_with_their_side_and_need_the_shift():
    # Main found the first and last of each leg only (4 of 10: the only ones with a shift near them).
    for seed in (40, 41):
        truth, (pairs, missing, extra) = _squats(seed, None)
        assert len(truth) == 10 and not missing and not extra, seed
        assert [r.side for _, r in pairs] == [t.side for t, _ in pairs], seed
        # The same lowerings with no shift onto a foot: no run is read at its ends, and a 6 cm
        # descent alone is under the 10 cm that stands without a shift (as on main, where one rep,
        # seed 41's first, passes on a sideways move of its own).
        _, (pairs, _, extra) = _squats(seed, 0.0)
        assert len(pairs) + len(extra) <= 1, seed
