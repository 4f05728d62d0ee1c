"""Walking: a walk that ends in a posture change (the person stops and bends down, or sits) keeps
its last step; the bumps of the posture change itself stay no contacts."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.samples import ImuSeries
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec


def _bend(imu, t0: float, down_s: float = 0.5, hold_s: float = 1.0, peak_dps: float = 140.0,
          bump_g: float = 0.0) -> ImuSeries:
    """The series with a forward bend from t0: the pelvis pitched forward at up to peak_dps (a
    half-sine: peak_dps * 2/pi * down_s deg), held, and back up; the accelerometer turned with it
    (gravity seen in the sensor frame). bump_g: an upward bump at the bottom of the bend (the
    hips stopping there), as a heel strike gives."""
    t, rate = imu.t_s, float(np.median(np.diff(imu.t_s))) ** -1
    w = np.zeros(len(t))
    for a, sign in ((t0, 1.0), (t0 + down_s + hold_s, -1.0)):
        s = (t >= a) & (t < a + down_s)
        w[s] += sign * peak_dps * np.sin(np.pi * (t[s] - a) / down_s)
    theta = np.radians(np.cumsum(w) / rate)
    gyro = imu.gyro_dps.copy()
    gyro[:, 1] += w
    acc = imu.acc_g.copy()
    c, s = np.cos(theta), np.sin(theta)
    acc[:, 0], acc[:, 2] = c * imu.acc_g[:, 0] - s * imu.acc_g[:, 2], s * imu.acc_g[:, 0] + c * imu.acc_g[:, 2]
    if bump_g:
        b0 = t0 + 0.8 * down_s
        s = (t >= b0) & (t < b0 + 0.16)
        acc[s] += bump_g * np.column_stack([-np.sin(theta[s]), 0 * theta[s], np.cos(theta[s])]) * \
            np.sin(np.pi * (t[s] - b0) / 0.16)[:, None]
    return ImuSeries(t, acc, gyro, dict(imu.meta))


def _contacts(res) -> np.ndarray:
    c = [r.details.get(k) for r in res.reps for k in ("contact_s", "closing_contact_s")]
    return np.array(sorted({round(x, 3) for x in c if x is not None}))


@pytest.mark.parametrize("seed", [3, 7, 12])
@pytest.mark.parametrize("after_s", [0.05, 0.12])
def test_the_last_step_before_a_bend_is_found(seed, after_s):
    # mobgap-lowback Test11: the person stops and bends to pick something up 0.05-0.2 s after the
    # last heel strike (pelvis pitch rate 85-120 deg/s). Main dropped every contact within 0.3 s
    # of a tilt faster than 80 deg/s, so the walk lost its last step (INDIP: 4 contacts of 236).
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], seed=seed, rest_s=6.0))
    t_last = sim.reps[-1].start_s  # the termination swing starts at the last contact
    plain = _contacts(analyze(sim.imu, "walking"))
    found = _contacts(analyze(_bend(sim.imu, t_last + after_s), "walking"))
    assert np.min(np.abs(found - t_last)) < 0.1
    # The bend changes nothing in the walk: the same contacts up to the last.
    walk = t_last + 0.1
    assert np.array_equal(found[found < walk], plain[plain < walk])


@pytest.mark.parametrize("seed", [3, 7, 12])
def test_a_bump_inside_the_bend_is_no_contact(seed):
    # The hips stop at the bottom of the bend with an upward bump of a heel strike's size, 0.5 s
    # after the rhythm's next contact would be: the tilt is fast before it, so it is no step.
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], seed=seed, rest_s=6.0))
    t_last = sim.reps[-1].start_s
    step = float(np.median(np.diff([t.start_s for t in sim.reps[1:]])))
    res = analyze(_bend(sim.imu, t_last + 0.1 * step, bump_g=0.3), "walking")
    # The termination swing, when found, closes where the trailing foot lands (its own end, a
    # median step after the last contact), whatever the bump: that contact is the walk's.
    ends = [r for r in res.reps if r.details.get("edge") == "termination"]
    closing = {r.details.get("closing_contact_s") for r in ends} - {None}
    assert all(abs(x - sim.reps[-1].end_s) < 0.1 for x in closing)
    found = np.array([x for x in _contacts(res) if x not in closing])
    assert found.max() < t_last + 0.1
