"""`SessionSpec.standing_sway`: a restless person rocks the pelvis while standing (ipol-dev subject
4: gyro SD 2.6-3.3 deg/s over 0.5 s, never still for 1.5 s); the default stays quiet standing."""

import numpy as np
import pytest

from hiplevel.signal.filters import moving_std
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session


def _standing(sway):
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=6)], seed=3, standing_sway=sway))
    st = sim.sets[0]
    k = (sim.imu.t_s > st.standing_start_s + 0.5) & (sim.imu.t_s < st.standing_end_s - 0.5)
    gyro_sd = np.sqrt(np.sum(moving_std(sim.imu.gyro_dps, 50) ** 2, axis=1))[k]
    return sim, float(np.median(gyro_sd)), np.std(sim.truth.roll_deg[k])


def test_restless_standing_rocks_the_pelvis_not_the_hips():
    quiet, g1, r1 = _standing(1.0)
    restless, g6, r6 = _standing(6.0)
    assert g1 < 1.0 and 1.5 < g6 < 4.0
    assert r6 > 3 * r1
    # Same person and walk: only the standing tilt changes; the hips travel as little.
    pos1, pos6 = quiet.params["pos_m"], restless.params["pos_m"]
    assert np.allclose(pos1, pos6)
    walk = quiet.sets[0]
    i = (quiet.truth.t_s > walk.start_s + 1) & (quiet.truth.t_s < walk.end_s - 1)
    assert np.allclose(quiet.truth.roll_deg[i], restless.truth.roll_deg[i], atol=0.01)


def test_standing_sway_is_checked():
    with pytest.raises(ValueError, match="standing_sway"):
        SessionSpec([ExerciseSpec("walking")], standing_sway=-1.0)
