"""Single-leg stance holds start and end in level standing on both feet (issue 14: false holds in
daily life). A weight shift with no standing before it (the data starts mid-move) or a pelvis
rolled well off level before and after it (lying on a side, slumped sitting) is not a hold."""

import dataclasses

import numpy as np

from hiplevel.analysis.offline import motion_of
from hiplevel.exercises import DETECTORS
from hiplevel.exercises.stance_roll import stood_level
from hiplevel.signal.neutral import neutral_roll
from hiplevel.signal.orientation import trace_from_series
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

from analysis_helpers import match

DET = DETECTORS["single-leg-stance"]


def _set(seed: int = 61):
    sim = simulate_session(SessionSpec(
        [ExerciseSpec("single-leg-stance", reps=2, weak_side="left", drop_deg=8.0, hold_s=8.0)],
        rate_hz=100.0, seed=seed, mount_offset_deg=(1.0, -2.0, 2.0), rest_s=4.0))
    tr = trace_from_series(sim.imu)
    return sim, motion_of(tr, 0, len(tr.t_s), neutral_roll(tr.roll_deg, tr.standing))


def _cut(m, a: int):
    return dataclasses.replace(m, **{f.name: getattr(m, f.name)[a:] for f in dataclasses.fields(m)
                                     if f.init and isinstance(getattr(m, f.name), np.ndarray)})


def test_level_standing_holds_found():
    sim, m = _set()
    assert len(DET.detect(m)) == len(sim.reps) == 2


def test_rolled_posture_gives_no_hold():
    """The same movement with the pelvis 15 deg off level throughout (lying on a side, slumped)."""
    _, m = _set()
    assert DET.detect(dataclasses.replace(m, roll_deg=m.roll_deg - 15.0)) == []
    assert DET.detect(dataclasses.replace(m, roll_deg=m.roll_deg + 15.0)) == []


def test_no_standing_before_the_shift_gives_no_hold():
    """Data that opens as the first weight shift starts: no standing to compare with, so only the
    second hold counts."""
    sim, m = _set()
    first = sim.reps[0]
    a = int(np.searchsorted(m.t_s, first.start_s - 1.1))  # the 1 s shift starts ~1 s before the hold
    cut = _cut(m, a)
    reps = DET.detect(cut)
    assert len(reps) == 1
    assert abs(cut.t_s[reps[0].start] - sim.reps[1].start_s) < 1.0


def _hump(sign: int, t0_s: float, t1_s: float, rate: float = 100.0):
    from hiplevel.exercises.base import Hump

    a, b = int(t0_s * rate), int(t1_s * rate)
    return Hump(sign, (a + b) // 2, 0.05, a, b)


def test_shift_back_far_past_the_start_is_no_return():
    """A 2 cm shift, then a 12 cm move the other way: the pelvis went on (walked off, sat down);
    a 2 cm move back is the return."""
    a = (_hump(1, 5.0, 6.0), 0.02)
    assert DET.pair([a, (_hump(-1, 12.0, 13.0), 0.12)], 100.0) == []
    assert len(DET.pair([a, (_hump(-1, 12.0, 13.0), 0.02)], 100.0)) == 1


def test_jerk_and_return_is_no_shift_from_standing():
    """The shift onto the leg right after a move the other way of the same size is the pelvis
    coming back from a jerk; right after a move the same way it is the rest of one shift."""
    _, m = _set()
    shift_in, back = (_hump(1, 10.0, 11.0), 0.03), (_hump(-1, 20.0, 21.0), 0.03)
    assert stood_level(DET, m, shift_in, back, [shift_in, back])
    assert not stood_level(DET, m, shift_in, back, [(_hump(-1, 9.2, 9.9), 0.03), shift_in, back])
    assert stood_level(DET, m, shift_in, back, [(_hump(1, 9.2, 9.9), 0.03), shift_in, back])
