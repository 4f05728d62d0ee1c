"""Walking: a slow posture change (sitting down, lying down) with the feet shuffling and the hips
landing gives no steps, and the walk before it keeps every step (hapt-dev: 67 walking reps in the
gaps between its static labels, tilt rates under the 80 deg/s rule)."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.walking import WalkingDetector
from hiplevel.exercises.walking_posture_change import posture_change_contacts, tilt_moves_deg
from hiplevel.sim.posture_change import PostureChange
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec


P = WalkingDetector().posture
LIMITS = (P.span_steps, P.change_deg, P.side_deg)


def _walk(seed: int):
    return simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], seed=seed, rest_s=10.0))


@pytest.mark.parametrize("seed", [3, 7, 12])
@pytest.mark.parametrize("tilt_deg", [-50.0, 50.0])
def test_a_slow_sit_down_after_a_walk_gives_no_steps(seed, tilt_deg):
    # Main found 4-5 steps in the sit-down (its bumps come at a step's rhythm, its tilt rate
    # stays under 60 deg/s); the walk's steps stay as they were.
    sim = _walk(seed)
    t_end = sim.reps[-1].end_s
    plain = [(r.start_s, r.end_s) for r in analyze(sim.imu, "walking").reps]
    sat = analyze(PostureChange(start_s=t_end + 2.0, tilt_deg=tilt_deg).apply(sim.imu), "walking").reps
    assert not [r for r in sat if r.end_s > t_end + 2.0]
    assert [(r.start_s, r.end_s) for r in sat] == plain


def test_a_stride_tilt_that_only_rocks_is_no_posture_change():
    # Walking rocks the pelvis by several degrees a step (a Trendelenburg gait: 10-15 deg of roll)
    # about a posture it keeps: the stride average stays put, so no contact is dropped.
    rate, step = 100.0, 55
    t = np.arange(3000) / rate
    roll = np.radians(12.0) * np.sin(np.pi * t * rate / step)  # one swing a step, a stride a cycle
    up = np.column_stack([np.zeros_like(t), np.sin(roll), np.cos(roll)])
    c = np.arange(200, 2800, step)
    span, _, _ = tilt_moves_deg(up, c, step, P.span_steps)
    assert span.max() < 5.0
    assert not posture_change_contacts(up, c, step, *LIMITS).any()


def test_the_tilt_moves_are_each_sides_own_to_the_bit():
    # Both sides' stride tilts come from one call (`tilt_moves_deg`): the same values as each side
    # and the contact's own tilt taken on their own, clipped at the series' ends.
    rng = np.random.default_rng(5)
    up = np.cumsum(rng.normal(0.0, 0.02, (4000, 3)), axis=0) + [0.0, 0.0, 1.0]
    up /= np.linalg.norm(up, axis=1, keepdims=True)
    step = 55
    c = np.arange(10, 3990, step)  # windows that run past both ends
    before, after, _ = tilt_moves_deg(up, c, step, P.span_steps)
    w = int(round(P.span_steps * step))
    cs = np.concatenate([np.zeros((1, 3)), np.cumsum(up, axis=0)])

    def tilt(at):
        start = np.clip(np.clip(at, 0, len(up) - 1) - step, 0, len(up) - 2 * step)
        mm = cs[start + 2 * step] - cs[start]
        return mm / np.maximum(np.linalg.norm(mm, axis=-1, keepdims=True), 1e-12)

    side = np.arange(0, w + 1, max(1, w // 12))
    here = tilt(c)
    for got, sign in ((before, -1), (after, 1)):
        cos = np.einsum("kmi,ki->km", tilt(c[:, None] + sign * side), here).min(axis=1)
        assert np.array_equal(got, np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def test_firm_regular_steps_carry_a_walk_through_a_tilt_change():
    # Stairs tilt a phone on a belt by 30-45 deg between flights while the steps go on: firm
    # contacts at the bout's pace on both sides keep the contact; soft ones do not.
    rate, step = 100.0, 55
    n = 3000
    ramp = np.radians(45.0) * np.clip((np.arange(n) - 1400) / 150.0, 0.0, 1.0)
    up = np.column_stack([np.sin(ramp), np.zeros(n), np.cos(ramp)])
    c = np.arange(200, 2800, step)
    middle = np.argmin(np.abs(c - 1475))
    firm = posture_change_contacts(up, c, step, *LIMITS, np.full(len(c), 0.4), P.firm_g)
    soft = posture_change_contacts(up, c, step, *LIMITS, np.full(len(c), 0.1), P.firm_g)
    assert not firm.any()
    assert soft[middle]
