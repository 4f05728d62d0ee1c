"""Clamshell simulation: side-lying pose, roll-back truth, weak working leg, flags."""

import numpy as np
import pytest

from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session


@pytest.fixture(scope="module")
def sim():
    return simulate_session(SessionSpec(
        [ExerciseSpec("clamshell", reps=5, sets=2, weak_side="left", drop_deg=8.0)],
        rate_hz=100.0, seed=71, rest_s=5.0, mount_offset_deg=(2.0, -1.0, 3.0)))


def test_reps_sides_and_weak_leg(sim):
    assert [r.side for r in sim.reps] == ["left"] * 5 + ["right"] * 5  # working leg alternates per set
    weak = [r.drop_deg for r in sim.reps if r.side == "left"]
    normal = [r.drop_deg for r in sim.reps if r.side == "right"]
    assert np.mean(weak) == pytest.approx(8.0, abs=1.5)
    assert 0.5 < np.mean(normal) < 2.0 and max(normal) < min(weak)
    assert all(r.flags == ("pelvis_roll_back",) for r in sim.reps if r.drop_deg > 4.0)
    assert all(r.flags == () for r in sim.reps if r.drop_deg <= 4.0)


def test_side_lying_pose_gravity_along_body_y(sim):
    tr, kin = sim.truth_1k, sim.kinematic_1k
    for r in sim.reps:
        i = int(0.5 * (r.start_s + r.end_s) * 1000)
        # Working leg on top: right side up = roll near -90 deg; gravity (specific force) along -/+ y.
        expect = -90.0 if r.side == "right" else 90.0
        assert abs(tr.roll_deg[i] - expect) < 12.0
        f = kin.acc_g[i]
        assert abs(f[1]) > 0.95 and np.sign(f[1]) == (-1 if r.side == "right" else 1)
    # Each set starts and ends standing.
    for s in sim.sets:
        assert abs(tr.roll_deg[int(s.start_s * 1000)] - s.neutral_roll_deg) < 2.0
        assert abs(tr.roll_deg[int(s.end_s * 1000) - 1] - s.neutral_roll_deg) < 3.0


def test_rollback_is_rotation_about_long_axis(sim):
    """Roll-back = front of the pelvis turning up = a body-z rotation: the gyro z rate carries it
    (negative with the right leg on top), and the true roll-back is minus the pitch change."""
    tr, w = sim.truth_1k, sim.kinematic_1k.gyro_dps
    for r in sim.reps:
        a, b = int(r.start_s * 1000), int(r.end_s * 1000)
        peak = a + int(np.argmin(tr.pitch_deg[a:b]))
        turned_z = np.sum(w[a:peak, 2]) / 1000.0  # deg about body z from rep start to the peak
        turned_xy = np.abs(np.sum(w[a:peak, :2], axis=0)) / 1000.0
        rise = tr.pitch_deg[a] - tr.pitch_deg[peak]
        assert abs(turned_z) == pytest.approx(rise, rel=0.05, abs=0.05)
        assert np.sign(turned_z) == (-1 if r.side == "right" else 1)
        # Lying with the long axis a few deg off horizontal mixes sin(tilt) of it into body y.
        assert np.all(turned_xy < 0.2 + 0.15 * rise)
