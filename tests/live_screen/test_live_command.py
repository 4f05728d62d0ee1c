"""`hiplevel live` options, the simulated patient it asks for, and the summary line (pure)."""

import math

import pytest

from hiplevel.cli.common import EXIT_USAGE, CliError
from hiplevel.cli.main import build_parser
from hiplevel.errors import HiplevelError
from hiplevel.live_screen.command import default_threshold_deg, options_from_args
from hiplevel.live_screen.connect import VIRTUAL_SPEED_ENV, VIRTUAL_WAITS_AT_S, virtual_patient, virtual_speed
from hiplevel.live_screen.state import LiveState
from hiplevel.live_screen.summary import LiveSummary
from hiplevel.live_screen.timing import LatencySummary
from hiplevel.protocol import StreamMode
from hiplevel.scoring import Rep, Thresholds
from hiplevel.scoring.words import set_finding


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
    assert ex.reps * 0.58 >= 30.0  # enough steps to fill the session
    # the patient stands, and waits inside that standing for the screen's "Go!"
    assert 0.0 < VIRTUAL_WAITS_AT_S < spec.standing_s
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


def test_summary_line_and_finding_in_words():
    state = LiveState("walking")
    state.on_rep(Rep(0, 0.0, 0.6, "left", 10.0, 20.0, ("pelvic_drop",)))
    state.on_rep(Rep(1, 0.6, 1.2, "left", 8.0, 40.0, ("pelvic_drop",)))
    state.on_rep(Rep(2, 1.2, 1.8, "right", 3.0, 100.0))
    state.cues_fired = 2
    state.on_device_flags(True)
    summary = LiveSummary.of(state, 61.7, 0.25, LatencySummary(40, 1.23, 9.87, 12.0), "time up", StreamMode.RAW)
    assert summary.line() == (
        "live walking 62 s (time up): 3 steps (on the left leg 2, right hip dropped 9.0 deg on average; "
        "on the right leg 1, left hip dropped 3.0 deg on average), 2 cues (1 sensor buzzes), live loss 0.2 %, "
        "latency median 1.2 ms, p99 9.9 ms")
    # The finding in the clinician's words, the same sentence as the session report's.
    assert summary.lines()[1] == "finding: " + set_finding("walking", state.reps)
    assert summary.lines()[1].startswith("finding: left hip abductors: drops of 8.0-10.0 deg on left stance")
    empty = LiveSummary.of(LiveState("band-walk"), 3.0, 0.0, LatencySummary(0, math.nan, math.nan, math.nan),
                           "stopped", StreamMode.ROLL)
    assert "0 steps (on the left leg 0; on the right leg 0)" in empty.line() and "latency not measured" in empty.line()
    assert empty.lines() == [empty.line()]
