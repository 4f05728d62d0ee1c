"""The walking detector's tilt tests on its candidate contacts (`WalkingDetector._contacts`): the
low-passed roll and pitch rates are made once for the tilt-rate and the tilt-span tests, the
tilt span and the tilt are taken at the contacts alone, and each gives the values of the
whole-trace measure there (speed: issue 13; the contacts and reps are the same)."""

from __future__ import annotations

import numpy as np
import pytest

import hiplevel.exercises.walking_motion as walking_motion
from hiplevel.analysis.offline import motion_of
from hiplevel.exercises import DETECTORS
from hiplevel.signal.filters import max_near, moving_max, zero_phase_lowpass
from hiplevel.signal.orientation import trace_from_imu
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session


@pytest.fixture(scope="module")
def walk():
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=40, turn_every_steps=10)], seed=3))
    tr = trace_from_imu(sim.imu)
    return motion_of(tr, 0, len(tr.t_s), 0.0)


def _whole_trace_span_deg(m, half_s: float = 0.5) -> np.ndarray:
    """How far the pelvis tilts around every sample: the moving ranges of the integrated rates."""
    hw = max(1, int(half_s * m.rate_hz))
    ang = np.cumsum(zero_phase_lowpass(m.gyro_dps[:, :2], 2.0, m.rate_hz), axis=0) / m.rate_hz
    return np.hypot(*(moving_max(ang[:, k], 2 * hw + 1) + moving_max(-ang[:, k], 2 * hw + 1) for k in range(2)))


def test_tilt_span_at_contacts_is_the_whole_trace_span_there(walk) -> None:
    at = DETECTORS["walking"].contacts(walk)
    assert len(at) > 30
    at = np.r_[0, at, len(walk.t_s) - 1]  # the trace's ends too (shortened windows)
    assert walking_motion.tilt_span_deg(walk, at).tobytes() == _whole_trace_span_deg(walk)[at].tobytes()
    rates = walking_motion.tilt_rates_dps(walk)
    assert walking_motion.tilt_span_deg(walk, at, rates=rates).tobytes() == _whole_trace_span_deg(walk)[at].tobytes()


def test_highest_tilt_near_a_contact_is_that_of_the_lowest_up_z() -> None:
    rng = np.random.default_rng(0)
    z = np.clip(rng.normal(0.9, 0.2, 5000), -1.2, 1.2)  # past +-1 too (the clip)
    z[rng.integers(0, 5000, 40)] = 1.0  # ties
    at = np.sort(rng.choice(5000, 300, replace=False))
    tilt = np.degrees(np.arccos(np.clip(z, -1.0, 1.0)))
    fast = np.degrees(np.arccos(np.clip(-max_near(-z, at, 30), -1.0, 1.0)))
    assert fast.tobytes() == max_near(tilt, at, 30).tobytes()


def test_contacts_low_pass_the_tilt_rates_once(walk, monkeypatch) -> None:
    calls = []
    real = walking_motion.zero_phase_lowpass
    monkeypatch.setattr(walking_motion, "zero_phase_lowpass", lambda *a, **k: calls.append(a[0].shape) or real(*a, **k))
    DETECTORS["walking"].contacts(walk)
    assert calls == [(len(walk.t_s), 2)]
