"""Walking: a weak bump of the upward acceleration inside one step (stroke-dev mr_pp09: 37-39 mg,
0.13-0.14 of the median heel strike) is no contact: it split the step into two short reps, one of
them extra. A soft real heel strike in the same timing (0.28-0.34 of the median on mobgap-lowback)
stays."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.walking_splits import split_step_bumps
from hiplevel.samples import ImuSeries
from hiplevel.signal.filters import moving_mean
from hiplevel.sim import match_reps
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec


def _walk_with_a_bump(seed: int, bump_g: float):
    """A 12-step walk at 90 steps/min with firm heel strikes (the vertical acceleration about its
    1 s mean scaled by 1.8: 250-330 mg contacts) whose seventh step holds a bump of bump_g (0.16 s)
    0.34 s after its contact, on a flattened stretch (shrunk to that mean over +-0.2 s): 0.12 g
    gives a 48-50 mg peak after the detector's 4 Hz low-pass, over its 35 mg floor and 0.16 of the
    median contact."""
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12, cadence_spm=90)], seed=seed, rest_s=5.0))
    imu, truth = sim.imu, sim.reps
    t, acc = truth[6].start_s + 0.34, imu.acc_g.copy()
    w = np.clip(1.0 - np.abs(imu.t_s - t) / 0.2, 0.0, 1.0)
    w = 0.5 - 0.5 * np.cos(np.pi * w)
    base = moving_mean(acc[:, 2], int(imu.meta.get("rate_hz", 100)))
    acc[:, 2] = base + (acc[:, 2] - base) * 1.8 * (1.0 - w)
    s = np.abs(imu.t_s - t) <= 0.08
    acc[s, 2] += bump_g * np.cos(np.pi * (imu.t_s[s] - t) / 0.16)
    return truth, analyze(ImuSeries(imu.t_s, acc, imu.gyro_dps, dict(imu.meta)), "walking").reps


@pytest.mark.parametrize("seed", [3, 9, 21])
def test_a_weak_bump_inside_a_step_adds_no_rep(seed):
    # Main: the bump was a contact; the step became two short reps, one extra (12 of 12 matched).
    truth, reps = _walk_with_a_bump(seed, 0.12)
    pairs, missing, extra = match_reps(truth, reps)
    assert len(pairs) == len(truth) and not extra
    assert all(t.side == r.side for t, r in pairs)


def test_split_step_bumps():
    c = np.array([0, 60, 120, 155, 180, 240, 300])  # 155: 35 and 25 samples after/before contacts
    h = np.array([0.2, 0.21, 0.19, 0.03, 0.2, 0.22, 0.2])
    assert split_step_bumps(c, h, 0.2, 1.5).tolist() == [True] * 3 + [False] + [True] * 3
    soft = h.copy()
    soft[3] = 0.06  # 0.3 of the median contact: a soft heel strike (mobgap-lowback), kept
    assert split_step_bumps(c, soft, 0.2, 1.5).all()
    assert split_step_bumps(c, h, 0.0, 1.5).all()  # disabled
    late = np.array([0, 60, 120, 175, 190, 250, 310])  # its steps add up to 70 (1.17 of the median)
    assert not split_step_bumps(late, h, 0.2, 1.5)[3]
    long_pair = np.array([0, 60, 120, 170, 220, 280, 340])  # 100 together: over 1.5 median steps
    assert split_step_bumps(long_pair, h, 0.2, 1.5).all()
    assert split_step_bumps(c[:3], h[:3], 0.2, 1.5).all()  # too few contacts to judge
