"""The pitch's cosine and sine taken once for the two up-vectors of a detector's motion (the
levelled one that gives the linear acceleration, and the neutral-relative one the walking detector
reads): `fusion.pitch_terms`, `Motion.pitch_terms` and `Motion.up`, the same values to the bit."""

import dataclasses

import numpy as np
import pytest

from hiplevel.analysis.offline import motion_of
from hiplevel.exercises.base import Motion
from hiplevel.signal.fusion import pitch_terms, roll_pitch_to_up
from hiplevel.signal.orientation import trace_from_imu
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (NaN where NaN, the sign of zero kept)."""
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # cos and sin of the infinities
def test_up_vectors_from_shared_pitch_terms_are_the_same_bits() -> None:
    rng = np.random.default_rng(5)
    roll = np.concatenate([rng.normal(0.0, 30.0, 5000), [0.0, -0.0, 90.0, -180.0, np.inf, np.nan, 1e-310]])
    pitch = np.concatenate([rng.normal(0.0, 20.0, 5000), [-0.0, 0.0, -90.0, 45.0, 7.0, -np.inf, np.nan]])
    terms = pitch_terms(pitch)
    assert _same(roll_pitch_to_up(roll, pitch, terms), roll_pitch_to_up(roll, pitch))
    assert _same(roll_pitch_to_up(roll + 2.5, pitch, terms), roll_pitch_to_up(roll + 2.5, pitch))
    # One pitch for all rolls, and scalars, as before.
    assert _same(roll_pitch_to_up(roll, 3.0, pitch_terms(3.0)), roll_pitch_to_up(roll, np.full(len(roll), 3.0)))
    assert _same(roll_pitch_to_up(1.0, -2.0), roll_pitch_to_up([1.0], [-2.0]))


def test_a_motion_keeps_its_up_vectors_and_a_changed_one_makes_its_own() -> None:
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], rate_hz=100.0, seed=3))
    tr = trace_from_imu(sim.imu)
    m = motion_of(tr, 0, len(tr.t_s), 1.5)
    # Turned from motion_of's sensor up-vectors by the neutral (Stop 41b): within an ulp or two of
    # them, the pitch's part the same bits (`test_motion_up_turned`).
    want = roll_pitch_to_up(m.roll_deg, m.pitch_deg)
    assert np.abs(m.up - want).max() < 1e-15 and _same(m.up[:, 0], want[:, 0])
    assert m.up is m.up  # made once
    assert all(_same(a, b) for a, b in zip(m.pitch_terms, pitch_terms(m.pitch_deg)))
    # The linear acceleration is still the levelled up-vector's (the set's roll, not the neutral-relative one).
    assert _same(m.acc_lin_g, tr.acc_g - roll_pitch_to_up(tr.roll_deg, tr.pitch_deg))
    moved = dataclasses.replace(m, roll_deg=m.roll_deg + 1.0, pitch_deg=m.pitch_deg - 2.0)
    assert _same(moved.up, roll_pitch_to_up(m.roll_deg + 1.0, m.pitch_deg - 2.0))
    plain = Motion(m.t_s[:50], m.rate_hz, m.roll_deg[:50], m.pitch_deg[:50], m.acc_lin_g[:50], None, m.still[:50])
    assert _same(plain.up, roll_pitch_to_up(m.roll_deg[:50], m.pitch_deg[:50]))
