"""Section 5 of the benchmark: hiplevel and mobgap on the same dev-split files, one matching rule."""

from __future__ import annotations

import numpy as np
import pytest

from bench.dev_split import (G_MS2, Tally, ambiguous_truth, in_long_double_support, match, mobgap_sensor_frame,
                             reps_from_contacts, segment_of)
from bench.realdata import gunzip_into, shared_data_dir


def test_our_body_frame_becomes_mobgaps_sensor_frame():
    # Standing upright, moving forward and to the left, turning left (yaw), at 50 Hz.
    t = np.arange(100) / 50.0
    acc = np.tile([0.1, 0.2, 1.0], (100, 1))  # g: forward, left, up
    gyro = np.tile([1.0, 2.0, 30.0], (100, 1))  # deg/s: roll, pitch, yaw
    grid, x = mobgap_sensor_frame(t, acc, gyro)
    assert np.allclose(np.diff(grid), 0.01) and grid[-1] <= t[-1] + 1e-9 and len(grid) == 199
    # mobgap: x up, y right, z forward; m/s^2 and deg/s.
    assert np.allclose(x[0, :3], [G_MS2, -0.2 * G_MS2, 0.1 * G_MS2])
    assert np.allclose(x[0, 3:], [30.0, -2.0, 1.0])
    # A proper rotation: the right-handed triple stays right-handed.
    ex, ey, ez = (mobgap_sensor_frame(t, np.tile(v, (100, 1)), gyro)[1][0, :3] for v in np.eye(3))
    assert np.allclose(np.cross(ex, ey), ez * G_MS2)


def test_steps_run_from_contact_to_contact_within_a_gait_sequence():
    ic = np.array([1.0, 1.5, 2.0, 10.0, 10.6, 11.1])
    reps = reps_from_contacts(ic, ["left", "right", "left", "right", "left", "right"], [0, 0, 0, 1, 1, 1])
    assert [(r["start_s"], r["end_s"], r["side"]) for r in reps] == [
        (1.0, 1.5, "left"), (1.5, 2.0, "right"), (10.0, 10.6, "right"), (10.6, 11.1, "left")]


def test_matching_is_one_to_one_by_centre_like_score_reps():
    truth = [{"start_s": 0.0, "end_s": 1.0, "side": "left"}, {"start_s": 1.0, "end_s": 2.0, "side": "right"}]
    found = [{"start_s": 0.2, "end_s": 0.6, "side": "left"}, {"start_s": 0.3, "end_s": 0.7, "side": "left"},
             {"start_s": 1.4, "end_s": 1.8, "side": "left"}, {"start_s": 5.0, "end_s": 5.5, "side": "right"}]
    assert match(truth, found) == (2, 2, 1)
    t = Tally()
    t.add({"reps": None, "static": [[0.0, 10.0]], "walking": []}, [{"start_s": 4.0, "end_s": 4.5, "side": "left"},
                                                                  {"start_s": 0.1, "end_s": 0.5, "side": "left"}])
    assert t.static_fp == 1 and t.static_per_h == pytest.approx(360.0)


def test_misses_and_extras_are_counted_by_course_segment():
    # A course: walk 2-20 s, U-turn 10-12 s. One straight step found, the turn step missed and a
    # pivot found beside it, the step after the walk missed; an extra shuffle after the walk.
    course = {"walk_s": [2.0, 20.0], "uturn_s": [10.0, 12.0]}
    truth = {**course, "reps": [{"start_s": 5.0, "end_s": 5.4, "side": "left"},
                                {"start_s": 11.0, "end_s": 11.3, "side": "right"},
                                {"start_s": 24.0, "end_s": 24.4, "side": "left"}]}
    found = [{"start_s": 4.9, "end_s": 5.5, "side": "left"}, {"start_s": 12.1, "end_s": 12.6, "side": "left"},
             {"start_s": 30.0, "end_s": 30.5, "side": "right"}]
    t = Tally()
    t.add(truth, found)
    assert t.segments == {"straight": [1, 0, 0, 0, 0, 0], "U-turn": [1, 1, 1, 0, 0, 0], "after the walk": [1, 1, 1, 0, 0, 0]}
    assert t.by_segment() == "straight 0 missed, 0 extra; U-turn 1 missed, 1 extra; after the walk 1 missed, 1 extra"
    # The step into or out of the turn (within 0.5 s of it) is a turn step; before the walk, an edge.
    assert segment_of(truth, 9.6) == "U-turn" and segment_of(truth, 9.4) == "straight"
    assert segment_of(truth, 1.9) == "before the walk"
    # A set without a course (stroke-dev's treadmill) has no segments.
    t = Tally()
    t.add({"reps": truth["reps"]}, found)
    assert t.segments == {} and t.by_segment() == "" and segment_of({"reps": []}, 5.0) is None


def test_an_extra_over_a_missed_step_of_its_side_is_counted_as_off_in_time():
    # After the walk (2-20 s): a slow step whose single support (the truth, 24.3-24.55 s) comes
    # late after a long double support; the rep runs contact to contact (23.7-24.55 s), so its
    # centre (24.125 s) lies outside the truth span: a miss and an extra that are one step found
    # off in time. An extra of the other side over it, or one over no missed step, is a plain extra.
    course = {"walk_s": [2.0, 20.0], "uturn_s": [10.0, 12.0]}
    truth = {**course, "reps": [{"start_s": 24.3, "end_s": 24.55, "side": "left"},
                                {"start_s": 26.0, "end_s": 26.4, "side": "right"}]}
    found = [{"start_s": 23.7, "end_s": 24.55, "side": "left"}, {"start_s": 24.55, "end_s": 24.9, "side": "right"},
             {"start_s": 25.9, "end_s": 26.5, "side": "right"}, {"start_s": 30.0, "end_s": 30.5, "side": "left"}]
    t = Tally()
    t.add(truth, found)
    assert t.segments == {"after the walk": [2, 1, 3, 1, 0, 1]}
    assert t.by_segment() == "after the walk 1 missed, 3 extra (1 off in time, 1 in a long double support)"


def test_a_miss_in_ambiguous_truth_is_counted_as_such():
    # In the U-turn (10-12 s) the truth has two single supports that overlap (both feet in swing at
    # once, 10.0-10.4 and 10.3-10.6 s) and after the walk (2-20 s) the right foot standing twice in a
    # row (the left one swinging twice: a pivot); the pelvis shows one step in each. A missed step
    # alternating cleanly with its neighbours (the straight, 5.0 s) is a plain miss.
    truth = {"walk_s": [2.0, 20.0], "uturn_s": [10.0, 12.0],
             "reps": _steps((5.0, 5.4, "left"), (5.6, 6.0, "right"), (10.0, 10.4, "left"), (10.3, 10.6, "right"),
                            (24.0, 24.4, "right"), (25.0, 25.4, "right"))}
    t = Tally()
    t.add(truth, _steps((5.5, 6.1, "right"), (10.1, 10.5, "left"), (24.0, 24.5, "right")))
    assert t.segments == {"straight": [2, 1, 0, 0, 0, 0], "U-turn": [2, 1, 0, 0, 1, 0], "after the walk": [2, 1, 0, 0, 1, 0]}
    assert t.by_segment() == ("straight 1 missed, 0 extra; U-turn 1 missed (1 in ambiguous truth), 0 extra; "
                              "after the walk 1 missed (1 in ambiguous truth), 0 extra")
    assert [ambiguous_truth(truth["reps"], i) for i in range(6)] == [False, False, True, True, True, True]
    # Two stances of one foot far apart (two walks) are no pivot.
    far = _steps((1.0, 1.4, "left"), (4.0, 4.4, "left"))
    assert not ambiguous_truth(far, 0) and not ambiguous_truth(far, 1)


def test_an_extra_in_a_long_double_support_of_the_truth_is_counted_as_such():
    # In the U-turn (10-12 s) the right foot stands twice with 1.1 s between its single supports
    # (the left foot turning on the floor without a swing the foot sensors count: a pivot); the
    # pelvis shows a left step there (10.6-11.1 s). A step between single supports 0.15 s apart (a
    # walking step's double support) is a plain extra, and so is one before the first single support.
    truth = {"walk_s": [2.0, 20.0], "uturn_s": [10.0, 12.0],
             "reps": _steps((9.0, 9.4, "left"), (9.55, 10.0, "right"), (11.1, 11.5, "right"), (11.65, 12.0, "left"))}
    found = _steps((9.0, 9.4, "left"), (9.55, 10.0, "right"), (10.6, 11.1, "left"), (11.1, 11.5, "right"),
                   (11.45, 11.6, "left"), (11.65, 12.0, "left"), (1.0, 1.5, "right"))
    t = Tally()
    t.add(truth, found)
    assert t.segments["U-turn"] == [3, 0, 2, 0, 0, 1]
    assert t.by_segment() == ("before the walk 0 missed, 1 extra; straight 0 missed, 0 extra; "
                              "U-turn 0 missed, 2 extra (1 in a long double support)")
    assert in_long_double_support(truth["reps"], 10.5) and not in_long_double_support(truth["reps"], 11.52)
    assert not in_long_double_support(truth["reps"], 1.25) and not in_long_double_support(truth["reps"], 13.0)
    # Single supports 2.2 s or more apart are standing between two walks.
    assert not in_long_double_support(_steps((1.0, 1.4, "left"), (3.6, 4.0, "right")), 2.5)


def _steps(*spans: tuple[float, float, str]) -> list[dict]:
    """Truth or found reps from (start_s, end_s, side)."""
    return [{"start_s": a, "end_s": b, "side": side} for a, b, side in spans]


def test_mobgap_runs_on_a_dev_file_in_our_frame(tmp_path):
    pytest.importorskip("mobgap", reason="mobgap is the bench extra (pip install -e '.[bench]')")
    data = shared_data_dir()
    path = None if data is None else data / "ipol-dev" / "ipol_1-1.csv.gz"
    if path is None or not path.is_file():
        pytest.skip("../shared/data/ipol-dev is absent (a fresh clone has no shared data)")
    from bench.dev_split import load_truth, mobgap_reps
    from hiplevel.imu_csv import read_imu_csv

    plain = gunzip_into(path, tmp_path)
    truth = load_truth(path)
    m, extra, side = match(truth["reps"], mobgap_reps(read_imu_csv(plain), "healthy"))
    # A wrong axis (gravity not on mobgap's x) finds no gait at all; a wrong forward axis the wrong feet.
    assert m >= 0.9 * len(truth["reps"]) and side >= 0.9 * m
