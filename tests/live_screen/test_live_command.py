"""`hiplevel live` options, the simulated patient it asks for, and the summary line (pure)."""

import math

import pytest

from hiplevel.cli.common import EXIT_USAGE, CliError
from hiplevel.cli.main import build_parser
from hiplevel.errors import HiplevelError
from hiplevel.live_screen.command import default_threshold_deg, options_from_args
from hiplevel.live_screen.connect import VIRTUAL_SPEED_ENV, virtual_patient, virtual_speed
from hiplevel.live_screen.state import LiveState
from hiplevel.live_screen.summary import LiveSummary
from hiplevel.live_screen.timing import LatencySummary
from hiplevel.protocol import StreamMode
from hiplevel.scoring import Thresholds


def parse(*argv: str):
    return build_parser().parse_args(["live", *argv])


def test_default_cue_threshold_is_the_exercise_flag_threshold():
    th = Thresholds()
    assert default_threshold_deg("walking") == th.drop_flag_deg_walking
    assert default_threshold_deg("band-walk") == th.drop_flag_deg_exercise
    assert default_threshold_deg("single-leg-squat") == th.drop_flag_deg_squat
    opts = options_from_args(parse("--exercise", "band-walk"))
    assert opts.cue.threshold_deg == th.drop_flag_deg_exercise
    assert opts.cue.sound and opts.cue.haptic and opts.seconds is None


def test_switches_and_explicit_threshold():
    opts = options_from_args(parse("--threshold-deg", "5.5", "--no-sound", "--no-haptic", "--seconds", "30"))
    assert (opts.cue.threshold_deg, opts.cue.sound, opts.cue.haptic, opts.seconds) == (5.5, False, False, 30.0)


@pytest.mark.parametrize("argv", [("--threshold-deg", "0"), ("--threshold-deg", "-3"), ("--threshold-deg", "45"),
                                  ("--seconds", "0"), ("--virtual", "--port", "/dev/ttyUSB0")])
def test_bad_options_are_usage_errors_in_words(argv):
    with pytest.raises(CliError) as err:
        options_from_args(parse(*argv))
    assert err.value.exit_code == EXIT_USAGE
    assert "--" in str(err.value)


def test_simulated_patient_has_a_weak_left_side_beyond_the_cue_and_enough_reps():
    spec = virtual_patient("walking", seconds=30.0, threshold_deg=7.0)
    ex = spec.exercises[0]
    assert ex.name == "walking" and ex.weak_side == "left"
    assert ex.drop_deg > 7.0
    assert ex.reps * 60.0 / 110.0 >= 30.0  # enough steps to fill the session
    assert spec.standing_s >= 5.0  # connecting and the tare happen while the patient stands
    hold = virtual_patient("single-leg-stance", seconds=None, threshold_deg=4.0).exercises[0]
    assert hold.hold_s == 10.0 and hold.reps >= 2
    with pytest.raises(HiplevelError, match="cannot do clamshell"):
        virtual_patient("clamshell", seconds=10.0, threshold_deg=4.0)


def test_virtual_speed_from_the_environment(monkeypatch):
    monkeypatch.delenv(VIRTUAL_SPEED_ENV, raising=False)
    assert virtual_speed() == 1.0
    monkeypatch.setenv(VIRTUAL_SPEED_ENV, "8")
    assert virtual_speed() == 8.0
    for bad in ("fast", "0", "500"):
        monkeypatch.setenv(VIRTUAL_SPEED_ENV, bad)
        with pytest.raises(HiplevelError, match=VIRTUAL_SPEED_ENV):
            virtual_speed()


def test_summary_line_in_words():
    state = LiveState("walking")
    state.on_rep("left", 10.0, 20.0, ["pelvic_drop"])
    state.on_rep("left", 8.0, 40.0, ["pelvic_drop"])
    state.on_rep("right", 3.0, 100.0, [])
    state.cues_fired = 2
    state.on_device_flags(True)
    line = LiveSummary.of(state, 61.7, 0.25, LatencySummary(40, 1.23, 9.87, 12.0), "time up", StreamMode.RAW).line()
    assert line == ("live walking 62 s (time up): 3 reps (left stance 2, mean drop 9.0 deg; right stance 1, "
                    "mean drop 3.0 deg), 2 cues (1 sensor buzzes), live loss 0.2 %, latency median 1.2 ms, p99 9.9 ms")
    empty = LiveSummary.of(LiveState("band-walk"), 3.0, 0.0, LatencySummary(0, math.nan, math.nan, math.nan),
                           "stopped", StreamMode.ROLL).line()
    assert "0 reps (left stance 0; right stance 0)" in empty and "latency not measured" in empty
