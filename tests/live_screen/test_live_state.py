"""Live cue logic and view, pure: no terminal, no link."""

from hiplevel.live_screen.state import CueSettings, LiveState
from hiplevel.live_screen.view import gauge, render


def test_cue_fires_once_per_crossing_and_rearms_after_return_to_level():
    s = LiveState("walking", cue=CueSettings(threshold_deg=6.0))
    fired = [s.on_sample(t * 0.01, roll) for t, roll in enumerate([0, -3, -6.5, -8, -7, -2, 0, 1, 6.2])]
    # first crossing at -6.5 fires; staying beyond does not; after coming back near level
    # (|roll| < 3) the next crossing, on the other side, fires again once the 1 s spacing allows.
    assert fired[2] is True
    assert sum(fired[:8]) == 1
    s2 = LiveState("walking", cue=CueSettings(threshold_deg=6.0))
    seq = [(0.0, -7.0), (0.5, 0.0), (2.0, 7.0)]
    assert [s2.on_sample(t, r) for t, r in seq] == [True, False, True]
    assert s2.cues_fired == 2


def test_gauge_marker_moves_toward_the_lower_side():
    level = gauge(0.0, 6.0)
    left_low = gauge(-5.0, 6.0)
    right_low = gauge(5.0, 6.0)
    assert level.index("O") == len(level) // 2
    assert left_low.index("O") < level.index("O") < right_low.index("O")
    # beyond the range the marker stays on the gauge
    assert gauge(-40.0, 6.0).index("O") == 1


def test_rep_panel_names_the_side_that_dropped_in_words():
    s = LiveState("walking")
    s.on_rep("right", 7.2, 54.0, ["pelvic_drop"])
    s.on_rep("left", -2.0, 70.0, ["hip_hike"])
    text = "\n".join(render(s))
    assert "reps: 2" in text
    assert "left stance, right side hiked 2.0 deg" in text
    assert "right stance:   1 reps, mean drop  7.2 deg" in text


def test_sensor_buzzes_are_counted_once_per_start_of_the_haptic_flag():
    s = LiveState("walking")
    for flag in [False, True, True, False, True, False, False]:
        s.on_device_flags(flag)
    assert s.haptic_pulses == 2 and not s.haptic_firing
    s.on_device_flags(True)
    assert "sensor buzzes: 3  [sensor buzzing]" in "\n".join(render(s))


def test_frame_redraws_in_place_and_rings_only_when_asked():
    from hiplevel.live_screen.view import CURSOR_HOME, ERASE_BELOW, frame

    s = LiveState("walking")
    s.message = "Stand tall and still... 3 s"
    quiet, ringing = frame(s), frame(s, bell=True)
    assert quiet.startswith(CURSOR_HOME) and quiet.endswith(ERASE_BELOW) and "\a" not in quiet
    assert ringing == quiet + "\a"
    assert "Stand tall and still... 3 s" in quiet and "Keep your hip bones level" not in quiet
