"""A detection motion's up-vectors (`Motion.up`) are those `analysis.offline.motion_of` made for the
linear acceleration turned about x by the neutral (`base.turned_about_x`), not a second sine and
cosine of the roll: within a few ulps of `fusion.roll_pitch_to_up` of the neutral-relative roll,
and the walking detector finds the same steps."""

from dataclasses import replace

import numpy as np
import pytest

from hiplevel.analysis.offline import motion_of
from hiplevel.exercises import DETECTORS
from hiplevel.exercises.base import turned_about_x
from hiplevel.signal.fusion import roll_pitch_to_up
from hiplevel.signal.orientation import trace_from_imu
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session


def test_turned_up_vectors_are_those_of_the_shifted_roll():
    rng = np.random.default_rng(3)
    roll, pitch = rng.uniform(-90, 90, 20_000), rng.uniform(-80, 80, 20_000)
    for neutral in (0.0, -0.04, 2.5, -7.0, 30.0):
        got = turned_about_x(roll_pitch_to_up(roll, pitch), neutral)
        want = roll_pitch_to_up(roll - neutral, pitch)
        assert np.abs(got - want).max() < 1e-15
        assert got[:, 0].tobytes() == want[:, 0].tobytes()  # the pitch's part untouched
    assert turned_about_x(roll_pitch_to_up(roll, pitch), 0.0).tobytes() == roll_pitch_to_up(roll, pitch).tobytes()


@pytest.mark.parametrize("neutral", [0.0, 1.7, -3.2])
def test_motion_up_and_steps_as_from_the_relative_roll(neutral):
    spec = SessionSpec([ExerciseSpec("walking", reps=30, turn_every_steps=10)], seed=4)
    tr = trace_from_imu(simulate_session(spec).imu)
    m = motion_of(tr, 0, len(tr.t_s), neutral)
    fresh = replace(motion_of(tr, 0, len(tr.t_s), neutral))  # (a copy makes its own: the sine and cosine of its roll)
    want = roll_pitch_to_up(m.roll_deg, m.pitch_deg)
    assert fresh.up.tobytes() == want.tobytes()
    assert np.abs(m.up - want).max() < 1e-15
    det = DETECTORS["walking"]
    assert det.detect(m) == det.detect(fresh)


def test_terms_and_up_vectors_written_in_place_are_the_same():
    # `motion_of` writes a chunk's rows after those it took from the chunk before (`chunked.ChunkMotions`).
    from hiplevel.signal.fusion import pitch_terms

    rng = np.random.default_rng(8)
    roll, pitch = rng.uniform(-180, 180, 5_000), rng.uniform(-90, 90, 5_000)
    roll[:3], pitch[:3] = [0.0, -0.0, np.nan], [-0.0, np.nan, 0.0]
    want_terms = pitch_terms(pitch)
    got_terms = pitch_terms(pitch, out=(np.empty(5_000), np.empty(5_000)))
    for got, want in zip(got_terms, want_terms):
        assert got.tobytes() == want.tobytes()
    into = np.full((5_003, 3), 7.0)
    up = roll_pitch_to_up(roll, pitch, got_terms, out=into[3:])
    assert up.base is into and into[3:].tobytes() == roll_pitch_to_up(roll, pitch).tobytes()
