"""Clamshells are done lying on the side (issue 14): openings as fast as 0.5-0.6 s are reps, and
breathing while lying on the back is not. A waist phone on a supine person (hapt-dev) reads roll
~165 deg and pitch ~-80 deg (the forward axis points up): far from standing in roll, but its
left-right axis is level, so it is no side-lying, however rep-like its breathing bumps (1-3 deg
every 2.5-3 s, 1.3-1.9 s long)."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.clamshell import side_tilt_deg
from hiplevel.sim import ClamshellStrategy, ExerciseSpec, Scene, SessionSpec, match_reps, simulate_session
from hiplevel.sim import session as sim_session
from hiplevel.sim.motion import Segment, plateau, ramp, time_axis


def _supine_breathing(ex, rng, k=0):
    t = time_axis(40.0)
    n = len(t)
    down = ramp(t, 0.0, 3.0) - ramp(t, 36.0, 39.0)
    seg = Segment(165.0 * down, -80.0 * down, np.zeros(n), np.zeros((n, 3)), np.full(n, 0.3), kind="scene")
    seg.pos[:, 2] = -0.7 * down
    for s in np.arange(7.0, 33.0, 3.0):  # breaths: the belly tilts the phone 1.5 deg for 1.8 s
        seg.pitch -= 1.5 * plateau(t, s, s + 0.8, s + 1.0, s + 1.8)
    return seg


@pytest.mark.parametrize("seed", [1, 2])
def test_breathing_on_the_back_is_no_clamshell(monkeypatch, seed):
    monkeypatch.setattr(sim_session.scenes, "scene", _supine_breathing)
    sim = simulate_session(SessionSpec([ExerciseSpec("clamshell", strategy=Scene("fidgeting"))], seed=seed,
                                       rest_s=3.0, mount_offset_deg=(2.0, -2.0, 3.0)))
    assert analyze(sim.imu, "clamshell").reps == []


@pytest.mark.parametrize("open_s", [0.5, 0.6])
def test_fast_openings_are_reps(open_s):
    sim = simulate_session(SessionSpec([ExerciseSpec("clamshell", reps=6, sets=2, weak_side="left", drop_deg=6.0,
                                                     strategy=ClamshellStrategy(open_s=open_s))],
                                       rate_hz=100.0, seed=35, mount_offset_deg=(2.0, -2.0, 3.0), rest_s=4.0))
    pairs, missing, extra = match_reps(sim.reps, analyze(sim.imu, "clamshell").reps)
    assert len(sim.reps) == 12 and not missing and not extra
    assert all(t.side == r.side for t, r in pairs)


def test_side_tilt():
    tilt = side_tilt_deg(np.array([90.0, -85.0, 0.0, 165.0, 45.0]), np.array([0.0, 0.0, 10.0, -80.0, 0.0]))
    assert np.allclose(tilt[:3], [90.0, -85.0, 0.0], atol=1e-6)
    assert abs(tilt[3]) < 3.0 and abs(tilt[4] - 45.0) < 1e-9
