"""The long trace's gyro bias is `fuse_tilt`'s on the whole segment in each of its cases: still
runs, only quiet runs (a restless person), no quiet run at all (a walk without standing: the bias
from the movement). The grid, the masks and the fusion are cut into small pieces (`SMALL`) and
the movement windows are fitted in small batches, so every piece boundary is crossed."""

from __future__ import annotations

import numpy as np
import pytest
from long_synth import SMALL

from hiplevel.signal import motion_bias
from hiplevel.signal.fusion import fuse_tilt
from hiplevel.signal.long_trace import build_long_trace, series_source
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session
from hiplevel.samples import ImuSeries


def _standing_then_walks():
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=60, turn_every_steps=12)], seed=5))
    return sim.imu


def _restless():
    # Standing that rocks the pelvis leaves no still run of 1.5 s: the quiet runs give the bias.
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=60, turn_every_steps=8)], seed=4,
                                       rest_s=6.0, standing_sway=6.0))
    return sim.imu


def _walk_without_standing():
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=140)], seed=3, rest_s=3.0))
    s, st = sim.imu, sim.sets[0]
    k = (s.t_s > st.start_s + 1.0) & (s.t_s < st.end_s - 1.0)
    return ImuSeries(s.t_s[k], s.acc_g[k], s.gyro_dps[k])


@pytest.mark.parametrize("case, runs", [(_standing_then_walks, "still"), (_restless, "quiet"),
                                        (_walk_without_standing, "motion")])
def test_the_chunked_trace_has_the_gyro_bias_and_tilt_of_fuse_tilt_on_the_whole_segment(case, runs, monkeypatch):
    monkeypatch.setattr(motion_bias, "BATCH_SAMPLES", 1300)  # two windows per batch
    series = case()
    with build_long_trace(series_source(series), chunking=SMALL) as lt:
        (seg,) = lt.segments
        assert len(seg.plan.chunks) >= 2
        n = seg.n
        t = seg.grid.times(0, n)
        acc = lt.store.read((seg.grid.index, "acc"), 0, n)
        gyro = lt.store.read((seg.grid.index, "gyro"), 0, n)
        whole = fuse_tilt(t, acc, gyro)
        # The case: which runs the bias came from (still runs are all rest; quiet runs are not;
        # the movement gives one run without a fit residual).
        assert seg.runs
        still = [bool(whole.rest_[r.start:r.stop].all()) for r in seg.runs]
        moved = [bool(np.isnan(r.residual_deg)) for r in seg.runs]
        assert {"still": all(still), "quiet": not all(still) and not any(moved), "motion": moved == [True]}[runs]
        _, gyro_used = lt.sensor(0, n)
        np.testing.assert_allclose(gyro_used, gyro - whole.bias_dps_, rtol=0, atol=1e-9)
        cos = np.clip(np.einsum("ij,ij->i", lt.up(0, n), whole.up_), -1.0, 1.0)
        assert np.degrees(np.arccos(cos)).max() < 1e-4
