"""Pivot turns in the walking model: the steps inside a U-turn land flat and soft
(`ExerciseSpec.turn_bounce_fraction`), as on real lower-back data (ipol-dev: 0.01-0.03 g of upward
pelvis acceleration at a pivot step's contact against 0.1-0.3 g on the straight)."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal.filters import zero_phase_lowpass
from hiplevel.signal.fusion import roll_pitch_to_up
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

_STEPS = 12  # contact-to-contact steps: reps minus the initiation and termination swings
_TURN_AT = 6  # the turn runs from contact 6 to contact 9: contacts 7 and 8 are its pivot steps


def _contact_peaks_g(fraction: float, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Peak upward pelvis acceleration (ideal kinematics, 4 Hz low-pass, g) near each true
    contact: (straight contacts 1-4, pivot contacts 7-8)."""
    sim = simulate_session(SessionSpec(
        [ExerciseSpec("walking", reps=_STEPS + 2, turn_every_steps=_TURN_AT, turn_bounce_fraction=fraction,
                      cadence_spm=110.0)],
        seed=seed, noise=False, rest_s=3.0))
    k, tr = sim.kinematic_1k, sim.truth_1k
    rate = 1.0 / float(np.median(np.diff(k.t_s)))
    up = roll_pitch_to_up(tr.roll_deg, tr.pitch_deg)
    av = zero_phase_lowpass(np.einsum("ij,ij->i", k.acc_g, up) - 1.0, 4.0, rate)
    contacts = np.array([r.start_s for r in sim.reps[1:-1]])  # step k starts at contact k
    assert len(contacts) == _STEPS

    def peak(t: float) -> float:
        sel = (k.t_s >= t - 0.1) & (k.t_s <= t + 0.15)
        return float(np.max(av[sel]))

    return np.array([peak(t) for t in contacts[1:5]]), np.array([peak(t) for t in contacts[7:9]])


def test_pivot_steps_land_flat():
    straight, pivot = _contact_peaks_g(0.1)
    assert np.all(straight > 0.15), straight
    assert np.all(pivot < 0.035), pivot  # below the walking detector's contact floor


def test_default_turns_keep_full_steps():
    straight, pivot = _contact_peaks_g(1.0)
    assert np.all(pivot > 0.5 * np.median(straight)), (straight, pivot)


def test_fraction_is_checked():
    with pytest.raises(ValueError, match="turn_bounce_fraction"):
        ExerciseSpec("walking", turn_bounce_fraction=1.5)


def test_lift_off_jolts_mid_step_in_turns_only():
    # turn_lift_off_fraction: the other foot's push-off lifts the pelvis mid-step in the turn's
    # steps (ipol-dev: lift-off peaks 0.04-0.25 g), nowhere else.
    sim = simulate_session(SessionSpec(
        [ExerciseSpec("walking", reps=_STEPS + 2, turn_every_steps=_TURN_AT, turn_bounce_fraction=0.3,
                      turn_lift_off_fraction=0.8, cadence_spm=85.0)],
        seed=7, noise=False, rest_s=3.0))
    k, tr = sim.kinematic_1k, sim.truth_1k
    rate = 1.0 / float(np.median(np.diff(k.t_s)))
    up = roll_pitch_to_up(tr.roll_deg, tr.pitch_deg)
    av = zero_phase_lowpass(np.einsum("ij,ij->i", k.acc_g, up) - 1.0, 4.0, rate)
    steps = sim.reps[1:-1]

    def mid(r) -> float:
        c = 0.5 * (r.start_s + r.end_s)
        return float(np.max(av[(k.t_s >= c - 0.08) & (k.t_s <= c + 0.08)]))

    # Mid-step the pelvis is highest and decelerating (-0.08 g here on the straight); the jolt
    # turns that into an upward peak.
    assert all(mid(r) > 0.01 for r in steps[_TURN_AT : _TURN_AT + 3])
    assert all(mid(r) < -0.05 for r in steps[1:5])


def test_lift_off_fraction_is_checked():
    with pytest.raises(ValueError, match="turn_lift_off_fraction"):
        ExerciseSpec("walking", turn_lift_off_fraction=-0.1)


def _pivot_walk(seed: int = 7, noise: bool = False):
    """A walk of 12 steps with a U-turn after 6 whose middle step is a pivot on both feet of half a step."""
    return simulate_session(SessionSpec(
        [ExerciseSpec("walking", reps=_STEPS + 2, turn_every_steps=_TURN_AT, turn_pivot_fraction=0.5,
                      cadence_spm=110.0)],
        seed=seed, noise=noise, rest_s=3.0))


def test_a_pivot_on_both_feet_has_no_rep_and_repeats_the_stance_foot():
    # turn_pivot_fraction: the turn's middle "step" is a double support: no rep for it, and the
    # steps either side share their stance foot (ipol-dev's truth across a U-turn pivot).
    sim = _pivot_walk()
    steps = sim.reps[1:-1]
    assert len(steps) == _STEPS - 1
    gaps = [b.start_s - a.end_s for a, b in zip(steps, steps[1:])]
    k = int(np.argmax(gaps))  # the pivot lies between steps k and k + 1
    assert k == _TURN_AT and gaps[k] == pytest.approx(0.5 * 60.0 / 110.0, rel=0.15)
    assert steps[k].side == steps[k + 1].side
    assert all(a.side != b.side for j, (a, b) in enumerate(zip(steps, steps[1:])) if j != k)


def test_a_pivot_on_both_feet_does_not_vault_the_pelvis():
    # No single support: the pelvis neither rises nor falls over the pivot (its middle 60 %), as a
    # straight step's middle does.
    sim = _pivot_walk()
    k, tr = sim.kinematic_1k, sim.truth_1k
    rate = 1.0 / float(np.median(np.diff(k.t_s)))
    up = roll_pitch_to_up(tr.roll_deg, tr.pitch_deg)
    av = zero_phase_lowpass(np.einsum("ij,ij->i", k.acc_g, up) - 1.0, 4.0, rate)
    steps = sim.reps[1:-1]

    def rms_mid(a: float, b: float) -> float:
        sel = (k.t_s >= a + 0.2 * (b - a)) & (k.t_s <= b - 0.2 * (b - a))
        return float(np.sqrt(np.mean(av[sel] ** 2)))

    pivot = rms_mid(steps[_TURN_AT].end_s, steps[_TURN_AT + 1].start_s)
    straight = np.median([rms_mid(r.start_s, r.end_s) for r in steps[1:5]])
    assert pivot < 0.4 * straight, (pivot, straight)  # seed 7: 0.037 g against 0.14 g


def test_pivot_fraction_is_checked():
    with pytest.raises(ValueError, match="turn_pivot_fraction"):
        ExerciseSpec("walking", turn_pivot_fraction=1.5)
