"""A walk with no standing before it (a treadmill, a recording that starts mid-walk) is measured from
the level of its first strides (`neutral.NO_STANDING_LEVEL_S`, 5 s), the span the live analyser
takes too; it used to be the first second, half a stride, whose roll sits wherever the step put it
(stroke-dev: live and offline drops 2.2 deg apart at the median, 1870 of 3431 steps > 2 deg)."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.samples import ImuSeries
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session


@pytest.mark.parametrize("seed", [1, 2, 4, 5])
def test_a_walk_reads_the_same_drops_without_the_standing_before_it(seed):
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=24, weak_side="left", drop_deg=8.0)], seed=seed,
                                       rest_s=3.0, noise=False))
    s, st = sim.imu, sim.sets[0]
    walk = (s.t_s > st.start_s + 1.0) & (s.t_s < st.end_s - 1.0)  # the standing cut off
    full = analyze(s, "walking").reps
    cut = analyze(ImuSeries(s.t_s[walk], s.acc_g[walk], s.gyro_dps[walk]), "walking").reps
    d = []
    for r in cut:
        o = min(full, key=lambda q: abs(q.start_s + q.end_s - r.start_s - r.end_s))
        assert abs(o.start_s + o.end_s - r.start_s - r.end_s) < 0.2 and o.side == r.side
        d.append(r.drop_deg - o.drop_deg)
    assert len(d) >= 18
    # From the first second the drops were 0.99-2.66 deg off at the median (seeds 1, 2, 4), up to 6 deg.
    assert np.median(np.abs(d)) < 0.8 and np.max(np.abs(d)) < 2.0, np.round(d, 2)
