"""Walking: a short walk whose one soft contact stays under the contact floor (its two steps read
as one long step) is still a walk when the pelvis shows that contact in the middle of the long
step; without it, the short run keeps failing the pace rule (bumps at any intervals)."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.walking_gaps import holds_a_contact, one_long_step
from hiplevel.samples import ImuSeries
from hiplevel.signal.filters import moving_mean
from hiplevel.sim import match_reps
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec


def _short_walk_with_a_soft_contact(seed: int, bump_g: float):
    """A 5-step walk (7 reps with the edge swings) whose third contact is flattened (the vertical
    acceleration shrunk to its 1 s mean over +-0.6 s) and replaced by a bump of bump_g (0.16 s):
    0.05 g peaks at 24-33 mg after the detector's 4 Hz low-pass, under its 35 mg floor."""
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=7)], seed=seed, rest_s=5.0))
    imu, truth = sim.imu, sim.reps
    t3, acc = truth[3].start_s, imu.acc_g.copy()
    w = np.clip(1.0 - np.abs(imu.t_s - t3) / 0.6, 0.0, 1.0)
    w = 0.5 - 0.5 * np.cos(np.pi * w)
    base = moving_mean(acc[:, 2], int(imu.meta.get("sample_rate_hz", 100)))
    acc[:, 2] = base + (acc[:, 2] - base) * (1.0 - w)
    s = np.abs(imu.t_s - t3) <= 0.08
    acc[s, 2] += bump_g * np.cos(np.pi * (imu.t_s[s] - t3) / 0.16)
    res = analyze(ImuSeries(imu.t_s, acc, imu.gyro_dps, dict(imu.meta)), "walking")
    return truth, res.reps


@pytest.mark.parametrize("seed", [3, 9, 21])
def test_a_short_walk_with_a_missed_soft_contact_is_found(seed):
    # Main: the long step (about two median steps) broke the short bout's pace and the whole walk
    # was dropped: 0 of 7 reps.
    truth, reps = _short_walk_with_a_soft_contact(seed, 0.05)
    pairs, missing, extra = match_reps(truth, reps)
    assert len(pairs) >= 6 and not extra
    assert all(t.side == r.side for t, r in pairs)


@pytest.mark.parametrize("seed", [3, 9])
def test_a_short_run_with_an_empty_long_gap_is_still_no_walk(seed):
    # The same timing with nothing in the long step (2-5 mg there): the pace rule still holds.
    truth, reps = _short_walk_with_a_soft_contact(seed, 0.0)
    assert reps == []


def test_one_long_step_and_holds_a_contact():
    assert one_long_step(np.array([50, 52, 100, 49, 51]), 1.5, 2.5) == 2
    assert one_long_step(np.array([50, 52, 140, 49, 51]), 1.5, 2.5) is None  # more than two steps
    assert one_long_step(np.array([50, 90, 100, 49, 51]), 1.5, 2.5) is None  # two odd steps
    assert one_long_step(np.array([50, 52, 20, 49, 51]), 1.5, 2.5) is None  # a short one
    x = np.linspace(0.0, 1.0, 101)
    bump = 0.03 * np.exp(-(((x - 0.5) / 0.05) ** 2))
    assert holds_a_contact(bump, 0.0175)
    assert not holds_a_contact(0.5 * bump, 0.0175)  # too small
    edge = 0.03 * np.exp(-(((x - 0.1) / 0.05) ** 2))
    assert not holds_a_contact(edge, 0.0175)  # not in the middle
