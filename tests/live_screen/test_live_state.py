"""Live cue logic and the screen, pure: no terminal, no link. The screen speaks the patient's words
(docs/sides.md: the leg they stand on, the hip that dropped), fits 80 columns, gives the score out
of 100, and is coloured only when asked."""

import io
import re

from hiplevel.live_screen.state import CueSettings, LiveState
from hiplevel.live_screen.view import (
    CURSOR_HOME,
    ERASE_BELOW,
    SCREEN_WIDTH,
    PlainView,
    Style,
    frame,
    gauge,
    render,
    visible_len,
)
from hiplevel.scoring import Rep
from hiplevel.scoring.reps import Phase

JARGON = ("stance", "pelvic_drop", "hip_hike", "link:", "streaming", "raw", "dBm", "roll", "deg low  <<")


def rep(side: str, drop_deg: float, score: float, flags: tuple[str, ...] = (), phases=()) -> Rep:
    return Rep(0, 0.0, 0.6, side, drop_deg, score, flags, phases=tuple(phases))


def ready(exercise: str = "walking", threshold_deg: float = 6.0) -> LiveState:
    """A state past the tare and the first rep: cues are allowed."""
    s = LiveState(exercise, cue=CueSettings(threshold_deg=threshold_deg))
    s.tared = True
    s.on_rep(rep("right", 2.0, 100.0))
    return s


def test_cue_fires_once_per_crossing_and_rearms_after_return_to_level():
    s = ready()
    fired = [s.on_sample(t * 0.01, roll) for t, roll in enumerate([0, -3, -6.5, -8, -7, -2, 0, 1, 6.2])]
    # first crossing at -6.5 fires; staying beyond does not; after coming back near level
    # (|roll| < 3) the next crossing, on the other side, fires again once the 1 s spacing allows.
    assert fired[2] is True
    assert sum(fired[:8]) == 1
    s2 = ready()
    seq = [(0.0, -7.0), (0.5, 0.0), (2.0, 7.0)]
    assert [s2.on_sample(t, r) for t, r in seq] == [True, False, True]
    assert s2.cues_fired == 2


def test_no_cue_before_a_neutral_and_a_first_rep():
    s = LiveState("walking", cue=CueSettings(threshold_deg=6.0))
    assert not s.on_sample(0.0, -9.0)  # no neutral yet: the gauge means nothing
    s.tared = True
    assert not s.on_sample(2.0, 0.0) and not s.on_sample(3.5, -9.0)  # stepping into the exercise
    s.on_rep(rep("left", 9.0, 20.0, ("pelvic_drop",)))
    assert not s.on_sample(4.0, 0.0) and s.on_sample(5.5, -9.0)
    assert s.cues_fired == 1
    # Where reps are not counted live, the neutral alone allows cues.
    hold = LiveState("clamshell", cue=CueSettings(threshold_deg=4.0))
    hold.reps_counted, hold.tared = False, True
    assert hold.on_sample(1.0, 5.0)


def test_gauge_marker_moves_toward_the_lower_side():
    level = gauge(0.0, 6.0)
    left_low = gauge(-5.0, 6.0)
    right_low = gauge(5.0, 6.0)
    assert level.index("O") == len(level) // 2
    assert left_low.index("O") < level.index("O") < right_low.index("O")
    # beyond the range the marker stays on the gauge
    assert gauge(-40.0, 6.0).index("O") == 1


def test_the_screen_speaks_the_patients_words_and_the_score_out_of_100():
    s = ready()
    s.on_rep(rep("left", 7.2, 54.0, ("pelvic_drop",)))
    s.on_rep(rep("right", -2.6, 70.0, ("hip_hike",)))
    s.on_rep(rep("left", 8.1, 41.0, ("pelvic_drop",)))
    s.on_sample(10.0, 7.5)  # right side low, past the cue
    text = "\n".join(render(s))
    assert "Steps: 4    last step: score 41/100" in text
    # the leg they stood on, the hip that dropped (the other one): the report's words
    assert "on your left leg: right hip dropped 8 deg, keep your hip bones level" in text
    assert "On your left leg:  2 steps, right hip dropped 7.7 deg on average (most 8.1)" in text
    assert "On your right leg: 2 steps, left hip rose 0.3 deg on average (most 2.0)" in text
    assert "Right hip 7.5 deg low: keep your hip bones level!" in text
    assert "Beep and buzz when a hip drops 6 deg: 1 cues so far (0 buzzes)" in text
    for word in JARGON:
        assert word not in text, word


def test_a_band_walk_step_counts_for_both_legs():
    s = LiveState("band-walk")
    s.on_rep(rep("right", 6.0, 30.0, ("pelvic_drop",), phases=[
        Phase("right", 0.0, 0.5, 6.0, 30.0, ("pelvic_drop",)), Phase("left", 0.5, 1.0, 1.0, 100.0)]))
    assert (s.legs["right"].phases, s.legs["left"].phases) == (1, 1)
    text = "\n".join(render(s))
    assert "on your right leg: left hip dropped 6 deg" in text and "Steps: 1" in text


def test_every_line_fits_80_columns_in_the_longest_case():
    s = LiveState("single-leg-squat", cue=CueSettings(threshold_deg=10.0))
    s.tared, s.haptic_firing, s.haptic_pulses, s.cues_fired = True, True, 123, 456
    s.link.battery_pct, s.t_s = 100, 5999.0
    s.message = "Hold still: the sensor is moving..."
    for i in range(300):
        s.on_rep(rep("left" if i % 2 else "right", 18.44 + i, 0.0, ("pelvic_drop",)))
    s.on_sample(6000.0, -11.9)
    s.link.state, s.link.rssi_dbm = "connected", -95
    for style in (Style(), Style(color=True)):
        lines = render(s, style)
        assert max(visible_len(ln) for ln in lines) <= SCREEN_WIDTH, max(lines, key=visible_len)
    assert "weak signal" in "\n".join(render(s))


def test_colour_only_when_asked():
    s = ready()
    s.on_sample(5.0, -7.0)
    plain, coloured = "\n".join(render(s)), "\n".join(render(s, Style(color=True)))
    assert "\x1b" not in plain
    assert "\x1b[1;31mO\x1b[0m" in coloured  # the marker is red past the cue
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_sensor_buzzes_are_counted_once_per_start_of_the_haptic_flag():
    s = LiveState("walking")
    for flag in [False, True, True, False, True, False, False]:
        s.on_device_flags(flag)
    assert s.haptic_pulses == 2 and not s.haptic_firing
    s.on_device_flags(True)
    assert "(3 buzzes) - buzzing" in "\n".join(render(s))


def test_frame_redraws_in_place_and_rings_only_when_asked():
    s = LiveState("walking")
    s.message = "Stand tall and still... 3 s"
    quiet, ringing = frame(s), frame(s, bell=True)
    assert quiet.startswith(CURSOR_HOME) and quiet.endswith(ERASE_BELOW) and "\a" not in quiet
    assert ringing == quiet + "\a"
    assert "Stand tall and still... 3 s" in quiet and "Keep your hip bones level" not in quiet


def test_plain_view_writes_one_line_per_event_and_no_escape_codes():
    out = io.StringIO()
    view = PlainView(out)
    s = LiveState("walking")
    s.message = "Stand tall and still... 3 s"
    view.draw(s)
    view.draw(s)  # nothing new: nothing written
    s.link.state, s.tared, s.message = "connected", True, ""
    s.on_rep(rep("left", 9.0, 20.0, ("pelvic_drop",)))
    s.on_sample(3.0, 8.0)
    view.draw(s, bell=True)
    text = out.getvalue()
    assert "\x1b" not in text and "\a" not in text and "\r" not in text
    assert [ln.split("  ", 1)[1] for ln in text.splitlines()] == [
        "Stand tall and still... 3 s", "Sensor connected",
        "step 1: on your left leg: right hip dropped 9 deg, keep your hip bones level (score 20/100)",
        "cue: right hip 8.0 deg low, keep your hip bones level"]
