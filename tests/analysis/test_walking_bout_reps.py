"""A walking bout's steps (`WalkingDetector._bout_reps`) on Python ints, the long-step limit taken
once and each contact's time rounded once (it opens its step and closes the one before): each
step's tuple as before, (start, end, its index, no edge, step_s, contact_s, closing_contact_s),
with a long step's window where the pelvis moves most; and the small helpers of `_bout_reps`,
and `_moving` against the numpy they replace. Speed (issue 13)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from analysis_helpers import two_turning_walks_motion
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hiplevel.exercises import DETECTORS
from hiplevel.exercises.walking import _int_median


@pytest.fixture(scope="module")
def walk():
    return two_turning_walks_motion(5)


def test_each_step_is_its_contacts_and_their_rounded_times(walk) -> None:
    det = DETECTORS["walking"]
    bouts = det.bout_cues(walk, with_cues=False)[0]
    assert len(bouts) >= 2
    for c in bouts:
        steps = [r for r in det._bout_reps(walk, c) if r[3] is None]
        assert [r[2] for r in steps] == list(range(len(c) - 1))
        for a, b, k, _, step_s, contact_s, closing_s in steps:
            assert type(a) is int and type(b) is int
            assert contact_s == round(float(walk.t_s[c[k]]), 3) and closing_s == round(float(walk.t_s[c[k + 1]]), 3)
            assert step_s == round((b - a) / walk.rate_hz, 3)
            if (a, b) != (int(c[k]), int(c[k + 1])):  # a long step: the median step inside it
                assert c[k] <= a and b <= c[k + 1] and c[k + 1] - c[k] > det.side.irregular_ratio * (b - a) - 1


def _plain_steps(det, m, c) -> list[tuple]:
    """The steps as the per-step loop made them: one `round` a number, a long step's median step
    where the pelvis moves most (`walking_motion.active_window`)."""
    from hiplevel.exercises.walking_motion import active_window

    d = np.diff(c)
    med = int(np.median(d))
    t = [float(x) for x in m.t_s[c]]
    out = []
    for k in range(len(c) - 1):
        a, b = int(c[k]), int(c[k + 1])
        if b - a > int(round(det.side.irregular_ratio * med)):
            a = active_window(m, a, b, med)
            b = a + med
        out.append((a, b, k, None, round((b - a) / m.rate_hz, 3), round(t[k], 3), round(t[k + 1], 3)))
    return out


@settings(max_examples=80, deadline=None)
@given(st.integers(25, 90), st.lists(st.tuples(st.sampled_from([0.7, 1.0, 1.4, 1.5, 1.6, 2.5]), st.integers(-2, 2)),
                                     min_size=2, max_size=40), st.integers(0, 300))
@example(40, [(1.0, 0), (1.0, 0), (1.0, 0), (1.5, 0), (1.0, 0), (1.5, 1)], 100)  # steps at and one over the limit
def test_steps_of_any_contacts_are_the_per_step_loops(walk, base: int, steps: list[tuple[float, int]], first: int) -> None:
    """Contacts at gaps around a base step, steps just under and over the long-step limit among them
    (irregular_ratio 1.5 median steps), lengths repeated: the same tuples, to the bit, as the plain
    loop's (the edges switched off: steps only)."""
    det = replace(DETECTORS["walking"], edge_swing_fraction=0.0)
    c = first + np.cumsum([0, *(max(1, round(base * f) + e) for f, e in steps)])
    if c[-1] + 200 >= len(walk.t_s):
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(type(det), "_initiates", lambda *a: False)
        mp.setattr(type(det), "_terminates", lambda *a: False)
        got = det._bout_reps(walk, c)
    want = _plain_steps(det, walk, c)
    assert got == want
    assert [tuple(map(type, r)) for r in got] == [tuple(map(type, r)) for r in want]


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 4000), st.integers(1, 120), st.sampled_from([0.0, 0.02, 0.05]))
def test_moving_is_the_rms_of_numpys_mean(walk, a: int, n: int, scale: float) -> None:
    """`_moving`'s sums without np.mean's wrapper: the same test as np.mean's RMS (also on a scaled
    or still stretch, where the RMS lands on the threshold)."""
    det = DETECTORS["walking"]
    x = walk.acc_lin_g[a : a + n, :2] * scale if scale else walk.acc_lin_g[a : a + n, :2]
    m = replace(walk, acc_lin_g=np.column_stack([x, walk.acc_lin_g[a : a + n, 2]]))
    h = x - x.mean(axis=0)
    rms = float(np.sqrt((h * h).sum(axis=1).mean()))
    for limit in (rms, np.nextafter(rms, 0), np.nextafter(rms, 1), 0.02):
        assert replace(det, edge_motion_g=float(limit))._moving(m, 0, n) == (rms >= limit)


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=120))
def test_int_median_is_numpys(lengths: list[int]) -> None:
    assert _int_median(lengths) == int(np.median(np.array(lengths)))
