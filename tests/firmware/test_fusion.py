"""Fusion and mounting on MicroPython against analytic truth."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def res():
    from .conftest import run_mp

    return run_mp("t_fusion.py")


def test_standard_mount_axes(res):
    # chip X up -> body +z, chip Y left -> body +y, chip Z backward -> body -x
    assert res["standard_chip_x_is_body"] == [0, 0, 1]
    assert res["standard_chip_y_is_body"] == [0, 1, 0]
    assert res["standard_chip_z_is_body"] == [-1, 0, 0]


def test_static_tilts_every_mount(res):
    errs = res["static_worst_err_deg"]
    assert set(errs) == {"standard", "usb_up", "usb_left", "usb_right", "inward", "flat"}
    for name, err in errs.items():
        assert err < 0.05, name


def test_custom_mount(res):
    name, roll, pitch = res["custom_mount"]
    assert name == "custom"
    assert roll == pytest.approx(7, abs=0.05) and pitch == pytest.approx(-3, abs=0.05)


def test_bad_mounts_rejected(res):
    assert res["bad_mounts"] == ["MountError"] * 4


def test_initialising_flag(res):
    assert res["init_at_start"] is True
    # at rest the accelerometer agrees with the estimate: the flag ends with the 2 s ramp...
    assert res["init_after_2_5s"] is False
    # ...mid-stride the ramp's estimate carries the person's accelerations: it stays set until
    # its error bound (8 deg, the cap) has decayed to 0.5 deg at the moving gain: ln(16)/0.35 s
    cleared = res["init_moving_cleared_at_s"]
    assert cleared is not None and 2.0 + 5.0 < cleared < 2.0 + 12.0


def test_constant_rotations(res):
    truth, est, worst = res["roll_rotation"]
    assert truth == pytest.approx(30.0)
    assert est == pytest.approx(truth, abs=0.2) and worst < 0.2
    truth, est = res["pitch_rotation"]
    assert est == pytest.approx(truth, abs=0.2)
    # 0.2 s at 50 deg/s = 10 deg from the gyro; the accel pulls back only a little
    assert 8.5 < res["gyro_short_term_roll"] < 10.1


def test_gyro_bias_estimated_while_still(res):
    bias, still, roll = res["bias_est"]
    assert still is True
    assert bias == pytest.approx([2.0, 0.0, -1.0], abs=0.05)
    assert abs(roll) < 0.2


def test_accel_gated_during_impacts(res):
    roll, ignored = res["impact"]
    assert ignored is True
    assert roll == pytest.approx(5.0, abs=0.05)
    # without the gate the same impact drags roll away: the gate is what holds it
    assert abs(res["impact_ungated_roll"] - 5.0) > 1.0


def test_sway_is_not_learnt_as_gyro_bias(res):
    # the bias comes from the gyro-vs-accelerometer tilt disagreement, not the mean gyro: the
    # earlier mean-gyro estimate followed the sway itself (~0.3 deg worse roll on the simulator)
    still, worst = res["sway_bias"]
    assert still is True
    assert worst < 0.1


def test_accel_gated_during_turns(res):
    roll, ignored = res["turn_roll"]
    assert ignored is True
    assert abs(roll) < 0.05  # read as gravity, 0.19 g lateral would pull toward ~11 deg


FAULTS_S = ((8.5, 10.5), (25.0, 27.0))  # 2 s I2C faults while walking
AFTER_FAULT_S = 12.0


@pytest.fixture(scope="module")
def walk_through_faults(tmp_path_factory):
    """The device's roll on a simulated walk with and without two 2 s IMU faults."""
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session, write_chip_stream

    from .conftest import run_mp

    tmp = tmp_path_factory.mktemp("fusion_fault")
    spec = SessionSpec([ExerciseSpec("walking", reps=60, sets=1, weak_side="right", drop_deg=8.0)], seed=3)
    chip = write_chip_stream(simulate_session(spec), tmp / "walk.chip")
    seconds = str(FAULTS_S[-1][1] + AFTER_FAULT_S)
    clean = run_mp("t_fusion_fault.py", str(chip), str(tmp), seconds)
    faulty = run_mp("t_fusion_fault.py", str(chip), str(tmp), seconds, *(str(x) for w in FAULTS_S for x in w))
    return clean, faulty


def test_fusion_init_stays_set_until_the_roll_has_reconverged_after_a_fault(walk_through_faults):
    # After a fault the filter starts again from the accelerometer mid-step; FUSION_INIT must
    # cover the whole time its roll still differs from what it would have been without the fault.
    clean, faulty = walk_through_faults
    reference = dict(zip(clean["t_ms"], clean["roll_cdeg"]))
    for start, end in FAULTS_S:
        flagged, unflagged_err = 0, []
        for t, roll, init in zip(faulty["t_ms"], faulty["roll_cdeg"], faulty["init"]):
            if not end * 1000 <= t < (end + AFTER_FAULT_S) * 1000 or t not in reference:
                continue
            if init:
                flagged += 1
            else:
                unflagged_err.append(abs(roll - reference[t]) / 100)
        assert flagged > 0 and unflagged_err, (start, flagged, len(unflagged_err))
        assert max(unflagged_err) <= 0.5, (start, max(unflagged_err))
