"""Band-walk runs of steps with no pause (issue 14 item 3: "one rep per lateral step whatever the
profile"). Between the quiet standing before a run and the turnaround the pelvis never stands still
long enough for the rest test, while the fusion's tilt error wanders by a few mg: drawn straight
between the quiet samples, the lateral velocity's drift read 0.05-0.15 m/s against the way at the
halts mid-run, as fast as a trailing move. The halts were taken at the velocity's zero crossings on
the moves' flanks, which kept the drift, and every step read as a move and a move back (the physics
check's lead-then-trail steps with no pause: 66 % right; with equal halves 67 %; 2.2-2.5 s steps
69 %). The halts are now found one after another from the last one (`band_moves.swept_halts`) and,
when the velocity turns against the way between two moves, where the pelvis accelerates least
(`band_moves.halt`)."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises import band_moves
from hiplevel.exercises.band_walk import BandWalkDetector
from hiplevel.sim import BandStepStrategy, ExerciseSpec, SessionSpec, simulate_session

from analysis_helpers import match

RATE_HZ = 100.0


def _move_speed(t: np.ndarray, start_s: float, duration_s: float, size_m: float) -> np.ndarray:
    """Speed, m/s, of a minimum-jerk move of size_m starting at start_s."""
    u = np.clip((t - start_s) / duration_s, 0.0, 1.0)
    return size_m / duration_s * 30.0 * u**2 * (1.0 - u) ** 2


def test_the_halts_of_a_drifting_run_are_found_one_after_another():
    # Ten lead-then-trail steps of 2 s (10 cm each way, 0.2 s halt between), standing 3 s on either
    # side; the velocity drifts by up to 0.08 m/s against the way mid-run (0 at the quiet ends).
    # (Drifting with the way, the lowest speed between two moves is the halt, found without a sweep.)
    t = np.arange(0.0, 26.0, 1.0 / RATE_HZ)
    true_v = np.zeros_like(t)
    for k in range(10):
        s = 3.0 + 2.0 * k
        true_v += _move_speed(t, s, 0.9, 0.1) + _move_speed(t, s + 1.1, 0.9, 0.1)
    run = (t >= 3.0) & (t <= 23.0)
    v = true_v + np.where(run, -0.08 * np.sin(np.pi * (t - 3.0) / 20.0), 0.0)
    anchors = band_moves.swept_halts(BandWalkDetector(), v, ~run, RATE_HZ)
    found = np.flatnonzero(anchors & run)
    assert np.all(np.abs(true_v[found]) < 0.005)  # each at a halt, none on a move
    halts = [3.0 + k for k in range(1, 20)]  # lead-trail halts and the ends of steps
    assert all(np.min(np.abs(t[found] - h)) <= 0.12 for h in halts)


def test_the_halt_between_two_moves_one_way_is_where_the_pelvis_stops():
    t = np.arange(0.0, 3.0, 1.0 / RATE_HZ)
    true_v = _move_speed(t, 0.2, 0.9, 0.15) + _move_speed(t, 1.3, 0.9, 0.15)  # halt 1.1-1.3 s
    p = BandWalkDetector()
    # Drifted 0.06 m/s against the way: the lowest speed is on the flanks (0.06 m/s past the halt).
    moves = band_moves.find_moves(p, true_v - 0.06, RATE_HZ)
    assert len(moves) >= 2
    k = band_moves.halt(true_v - 0.06, moves[0], moves[-1], RATE_HZ)
    assert 1.08 <= t[k] <= 1.32
    # A counter-shift (2 cm back, 0.3 s) between them is a move, not the halt: the halt is beside it.
    v = _move_speed(t, 0.0, 0.8, 0.15) - _move_speed(t, 1.2, 0.3, 0.02) + _move_speed(t, 1.5, 0.9, 0.15)
    moves = band_moves.find_moves(p, v, RATE_HZ)
    first, last = moves[0], moves[-1]
    k = band_moves.halt(v, first, last, RATE_HZ)
    assert abs(v[k]) < 0.03 and not 1.25 <= t[k] <= 1.45


@pytest.mark.parametrize("lead_share,halt_share,seed", [(0.5, 0.1, 2), (0.75, 0.1, 3), (0.75, 0.0, 3)])
def test_every_step_of_slow_runs_without_a_pause_is_one_rep(lead_share, halt_share, seed):
    """Slow lead-then-trail steps (2.2 s, 20 cm), no pause, the pelvis wobbling in the hinge (the
    fusion's tilt error wanders): main found 4-20 of 20 steps, 4-20 on the right side."""
    strategy = BandStepStrategy(profile="lead-trail", step_s=2.2, lead_share=lead_share, pause_s=0.0,
                                hinge_wobble_deg=1.5, lead_halt_share=halt_share)
    spec = ExerciseSpec("band-walk", reps=20, weak_side="left", drop_deg=6.0, strategy=strategy, step_m=0.2)
    sim = simulate_session(SessionSpec([spec], rate_hz=RATE_HZ, seed=seed, mount_offset_deg=(1.0, -2.0, 0.0),
                                       rest_s=5.0))
    reps = analyze(sim.imu, "band-walk").reps
    pairs, missing, extra = match(sim.reps, reps)
    assert not missing and not extra
    assert [r.details["direction"] for _, r in pairs] == [t.direction for t, _ in pairs]
    assert [r.side for _, r in pairs] == ["left"] * len(pairs)
