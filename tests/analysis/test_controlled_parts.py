"""Parts of the step-down / single-leg squat / clamshell analysis on signals with known answers:
the forward axis from the sideways weight shift, pitch-bump edges, side-lying samples in the
session's yaw estimate, and the working-leg wording of the clamshell summary."""

import numpy as np
import pytest

from hiplevel.exercises import Motion
from hiplevel.exercises.step_down import pitch_bumps, realigned_roll_pitch, shift_yaw_deg, single_leg_reps
from hiplevel.scoring import Rep, Thresholds, summarize_set
from hiplevel.signal.alignment import estimate_mount_yaw_deg, yaw_rotation
from hiplevel.signal.fusion import roll_pitch_to_up, up_to_roll_pitch_deg

RATE_HZ = 100.0
G_MS2 = 9.80665


def _ramp(t, t0, t1):
    x = np.clip((t - t0) / (t1 - t0), 0.0, 1.0)
    return x**3 * (10.0 - 15.0 * x + 6.0 * x**2)


def _plateau(t, t0, t_up, t_down, t1):
    return _ramp(t, t0, t_up) - _ramp(t, t_down, t1)


def _squat_set(frame_yaw_deg: float, drop_per_pitch: float = 0.45, stance_sign: float = 1.0):
    """Four single-leg squats on the left leg (stance_sign +1) as seen in a frame turned by
    -frame_yaw_deg about the vertical: 8 cm shift over the stance foot in 0.6 s, then 25 deg of
    pitch with the free side dropping drop_per_pitch deg per deg of pitch. Returns (Motion, true
    drops in deg)."""
    t = np.arange(0.0, 34.0, 1.0 / RATE_HZ)
    pitch, roll, y, z = (np.zeros_like(t) for _ in range(4))
    drops = []
    for k, s in enumerate((3.0, 10.0, 17.0, 24.0)):
        y += stance_sign * 0.08 * _plateau(t, s - 0.6, s, s + 4.5, s + 5.1)
        depth = _plateau(t, s + 0.8, s + 2.3, s + 2.5, s + 4.0)
        p_max = 20.0 + 2.0 * k
        pitch += p_max * depth
        # Left stance: the right side drops = positive roll (left side higher).
        roll += stance_sign * drop_per_pitch * p_max * depth
        z -= 0.18 * depth
        drops.append(drop_per_pitch * p_max)
    # World acceleration of the pelvis (g), then into the pelvis frame and the turned frame.
    acc_w = np.zeros((len(t), 3))
    acc_w[:, 1] = np.gradient(np.gradient(y, t), t) / G_MS2
    acc_w[:, 2] = np.gradient(np.gradient(z, t), t) / G_MS2
    r, p = np.radians(roll), np.radians(pitch)
    ax = np.cos(p) * acc_w[:, 0] - np.sin(p) * acc_w[:, 2]
    z1 = np.sin(p) * acc_w[:, 0] + np.cos(p) * acc_w[:, 2]
    acc_body = np.column_stack([ax, np.cos(r) * acc_w[:, 1] + np.sin(r) * z1, -np.sin(r) * acc_w[:, 1] + np.cos(r) * z1])
    turn = yaw_rotation(-frame_yaw_deg)
    roll_f, pitch_f = up_to_roll_pitch_deg(roll_pitch_to_up(roll, pitch) @ turn.T)
    m = Motion(t, RATE_HZ, roll_f, pitch_f, acc_body @ turn.T, None, np.zeros(len(t), bool))
    return m, drops


@pytest.mark.parametrize("frame_yaw_deg", [0.0, 6.0, -18.0])
def test_weight_shift_gives_the_left_right_axis(frame_yaw_deg):
    m, _ = _squat_set(frame_yaw_deg)
    assert shift_yaw_deg(m) == pytest.approx(frame_yaw_deg, abs=0.3)


def test_squat_drop_is_measured_on_the_realigned_roll():
    # An 18 deg wrong forward axis at 20-26 deg of pitch hides several degrees of drop.
    m, drops = _squat_set(-18.0)
    assert np.max(m.roll_deg) < drops[-1] - 3.0
    reps = single_leg_reps(m, 6.0, 1.0, 10.0, 5.0, 0.06)
    assert [r.side for r in reps] == ["left"] * 4
    assert [r.drop_deg for r in reps] == pytest.approx(drops, abs=0.2)
    assert [r.metrics["yaw_fix_deg"] for r in reps] == pytest.approx([-18.0] * 4, abs=0.3)


def test_stance_side_follows_the_shift_not_the_drop():
    # Right stance with a hip hike of the free (left) side: the roll says "left side higher"
    # like a left-stance drop would; the weight shift still names the right leg.
    m, drops = _squat_set(4.0, drop_per_pitch=0.1, stance_sign=-1.0)
    reps = single_leg_reps(m, 6.0, 1.0, 10.0, 5.0, 0.06)
    assert [r.side for r in reps] == ["right"] * 4
    assert [r.drop_deg for r in reps] == pytest.approx(drops, abs=0.2)


def test_realignment_is_exact_for_large_turns():
    roll, pitch = np.array([3.0, -7.0]), np.array([25.0, 10.0])
    turn = yaw_rotation(-30.0)
    r_f, p_f = up_to_roll_pitch_deg(roll_pitch_to_up(roll, pitch) @ turn.T)
    m = Motion(np.arange(2.0), RATE_HZ, r_f, p_f, None, None, np.zeros(2, bool))
    r2, p2 = realigned_roll_pitch(m, 30.0)
    assert np.allclose(r2, roll, atol=1e-9) and np.allclose(p2, pitch, atol=1e-9)


def test_no_shift_no_correction():
    # A roll stream has no accelerometer: nothing to take the axis from.
    m, _ = _squat_set(10.0)
    assert shift_yaw_deg(Motion(m.t_s, m.rate_hz, m.roll_deg, m.pitch_deg, None, None, m.still)) == 0.0


def test_bump_edges_ignore_sway_on_a_slow_descent():
    t = np.arange(0.0, 12.0, 1.0 / RATE_HZ)
    pitch = 7.0 * _plateau(t, 3.0, 5.4, 5.7, 7.5)
    # A 0.5 deg wobble on the way down once stopped the edge half-way (a shallow step-down lost
    # 1-2 s and its descent, and was dropped).
    pitch += 0.5 * np.sin(2 * np.pi * 1.2 * t) * ((t > 3.5) & (t < 5.0))
    (b,) = pitch_bumps(pitch, RATE_HZ, 3.5, 1.0, 10.0)
    assert t[b.onset] == pytest.approx(3.0 + 0.9, abs=0.5)  # 10 % of 7 deg on a 2.4 s ramp
    assert t[b.offset] == pytest.approx(7.5 - 0.6, abs=0.4)


def test_bump_edge_stops_where_the_signal_turns_up_again():
    # Clamshell: the pelvis comes back to 0.15 deg, then drifts up before getting up; the rep ends
    # at the trough, not when the signal finally falls below 10 % of the bump.
    t = np.arange(0.0, 12.0, 1.0 / RATE_HZ)
    x = 1.5 * _plateau(t, 2.0, 3.0, 3.5, 4.7) + 0.15 * _ramp(t, 2.0, 4.7) + 0.4 * _ramp(t, 5.5, 8.0)
    x -= 2.0 * _ramp(t, 9.0, 10.0)
    b = pitch_bumps(x, RATE_HZ, 0.4, 0.8, 8.0)[0]
    assert 4.5 <= t[b.offset] <= 5.8


def test_session_yaw_ignores_side_lying():
    # A 25 deg hinge seen by a sensor turned 5 deg, and a longer clamshell set lying on the side.
    hinge = np.r_[np.zeros(100), np.full(400, 25.0)]
    up_hinge = roll_pitch_to_up(np.zeros_like(hinge), hinge)
    up_lying = roll_pitch_to_up(np.full(2000, -88.0), np.full(2000, 3.0))
    up_sensor = np.r_[up_hinge, up_lying] @ yaw_rotation(-5.0).T
    assert estimate_mount_yaw_deg(up_sensor) == pytest.approx(5.0, abs=0.01)


def test_clamshell_asymmetry_names_the_working_leg():
    reps = [Rep(k, float(k), k + 1.0, side, drop, 90, (), {}) for k, (side, drop) in
            enumerate([("left", 3.0), ("left", 3.4), ("right", 1.0), ("right", 1.2)])]
    s = summarize_set("clamshell", reps, Thresholds())
    assert s["asymmetry_text"] == "roll-backs are 2.1 deg larger with the left leg working"
    s = summarize_set("band-walk", reps, Thresholds())
    # band-walk reps without phases name the leading leg: the left-leading steps stood on the right
    assert "larger on right stance" in s["asymmetry_text"]


def test_a_reps_displacements_and_moves_are_its_own_whichever_reps_are_kept():
    # `single_leg_reps` reads them once over the candidate lowerings and hands the kept reps' to
    # `stance_sides`: a rep's reach is split by every upright lowering (the bounds), not by the
    # other kept reps, so the kept reps read alone must read the same.
    from hiplevel.exercises.lowering_reach import displacements
    from hiplevel.exercises.step_down import lateral_acc_g, shift_evidence

    m, _ = _squat_set(0.0)
    yaw = shift_yaw_deg(m)
    roll, pitch = realigned_roll_pitch(m, yaw)
    bumps = pitch_bumps(pitch, RATE_HZ, 6.0, 1.0, 10.0)
    assert len(bumps) == 4
    lat = lateral_acc_g(m, yaw, roll)
    every, moves = displacements(m, bumps, lat, bumps), shift_evidence(m, bumps, lat, 0.06, bumps)
    for kept in ([0, 2], [1, 2, 3], [3]):
        alone, part = displacements(m, [bumps[i] for i in kept], lat, bumps), every.of(kept)
        assert alone.spans == part.spans and alone.shifts == part.shifts
        assert all(np.array_equal(a, b) for w, v in zip(alone.windows, part.windows) for a, b in zip(w, v))
        assert shift_evidence(m, [bumps[i] for i in kept], lat, 0.06, bumps) == [moves[i] for i in kept]
