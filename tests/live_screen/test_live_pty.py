"""`hiplevel live --virtual` end to end in a real pseudo-terminal: the real firmware on MicroPython
with a simulated patient (weak left side: standing on the left leg, the right hip drops ~10 deg, past
the 7 deg walking cue), reached over virtual BLE; the screen is read back frame by frame.

Nothing here depends on how fast the machine is: the simulated patient waits for the screen's
"Go!", and every frame is judged by what it shows, not by when it came."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from ptyrun import PtyRun, run_in_pty

pytestmark = pytest.mark.slow

SPEED = "8"  # session seconds per wall second: a 24 s session takes 3 s
SUMMARY_RE = re.compile(
    r"live walking (\d+) s \((?P<reason>[^)]+)\): (?P<reps>\d+) steps .*?"
    r"(?P<cues>\d+) cues \((?P<buzzes>\d+) sensor buzzes\), "
    r"live loss (?P<loss>[\d.]+) %, latency median (?P<median>[\d.]+) ms, p99 (?P<p99>[\d.]+) ms")
SGR_RE = re.compile(r"\x1b\[[0-9;]*m")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, HIPLEVEL_VIRTUAL_SPEED=SPEED, TERM="xterm", HIPLEVEL_VIRTUAL_SEED="1", **extra)
    for name in ("COLUMNS", "NO_COLOR"):
        if name not in extra:
            env.pop(name, None)
    return env


def _gauge_offsets(run: PtyRun) -> list[int]:
    """Marker position relative to level (chars; negative = toward 'left hip low') per frame."""
    out = []
    for f in run.frames:
        line = f.line("  left hip low [")
        if line:
            gauge = line[line.index("[") : line.index("]") + 1]
            out.append(gauge.index("O") - len(gauge) // 2)
    return out


def _steps(text: str) -> int | None:
    m = re.search(r"^  Steps: (\d+)", text, re.M)
    return int(m.group(1)) if m else None


def _screen(text: str) -> str:
    """A frame's screen without what was printed after it (the last frame carries the summary)."""
    return text.split("Press q to stop", 1)[0]


def _tail(run: PtyRun) -> str:
    """The closing lines, unwrapped (on a terminal they are wrapped to 80 columns)."""
    return run.tail.replace("\n  ", " ")


STEPS = 16  # the walking session is stopped (q) once the screen has counted this many steps


@pytest.fixture(scope="module")
def walking() -> PtyRun:
    return run_in_pty(["live", "--virtual", "--exercise", "walking"], _env(), keys=[(f"Steps: {STEPS} ", b"q")])


def test_stand_still_go_then_the_gauge_moves_to_both_sides(walking: PtyRun) -> None:
    assert walking.exit_code == 0, walking.tail
    texts = [f.text for f in walking.frames]
    stand = next(i for i, t in enumerate(texts) if "Stand tall and still... 3 s" in t)
    go = next(i for i, t in enumerate(texts) if "Go! Keep your hip bones level" in t)
    assert stand < go
    offsets = _gauge_offsets(walking)
    # Walking rocks the pelvis both ways: the marker leaves level toward each side.
    assert min(offsets) <= -2 and max(offsets) >= 2
    assert "Sensor connected" in texts[-1]


def test_rep_counter_counts_steps_and_names_the_weak_side_in_the_patients_words(walking: PtyRun) -> None:
    steps = [n for f in walking.frames if (n := _steps(f.text)) is not None]
    assert steps == sorted(steps), "the step counter went backwards"
    assert steps[-1] >= STEPS
    final = walking.frames[-1]
    mean = lambda line: float(re.search(r"dropped ([\d.]+) deg on average", line).group(1))  # noqa: E731
    # Standing on the weak left leg, the right hip drops further.
    left, right = final.line("  On your left leg:"), final.line("  On your right leg:")
    assert "right hip dropped" in left and "left hip dropped" in right
    assert mean(left) > mean(right) + 3.0
    assert any("on your left leg: right hip dropped" in f.text for f in walking.frames)


def test_the_screen_fits_80_columns_and_has_no_jargon(walking: PtyRun) -> None:
    for f in walking.frames:
        assert max(len(ln) for ln in f.lines) <= 80, max(f.lines, key=len)
        for word in ("stance", "[pelvic_drop]", "link:", "streaming raw", "dBm"):
            assert word not in _screen(f.text), word
    assert re.search(r"last step: score \d+/100", walking.frames[-1].text)


def test_no_colour_when_no_color_is_set() -> None:
    run = run_in_pty(["live", "--virtual", "--seconds", "10", "--no-sound", "--no-haptic"], _env(NO_COLOR="1"))
    assert run.exit_code == 0, run.tail
    assert not SGR_RE.search(run.output), "NO_COLOR asks for no colour"


def test_walking_is_drawn_in_colour(walking: PtyRun) -> None:
    assert "\x1b[32mSensor connected\x1b[0m" in walking.output
    assert "\x1b[1;31mO\x1b[0m" in walking.output  # the gauge marker past the cue


def test_bell_rings_on_each_cue_after_the_first_step_and_only_for_the_weak_side(walking: PtyRun) -> None:
    bells = [f for f in walking.frames if f.bell]
    cues = int(re.search(r"(\d+) cues so far", walking.frames[-1].text).group(1))
    assert cues >= 3
    assert len(bells) == cues  # one ring per cue (cues are >= 1 s apart, so never in one frame)
    for f in bells:
        # the frame that rings is drawn at the sample that cued: it shows the cue
        assert re.search(r"^  Right hip [\d.]+ deg low: keep your hip bones level!$", f.text, re.M), f.text
        assert (_steps(f.text) or 0) >= 1  # no cue before the first step


def test_the_sensor_buzzes_only_once_the_exercise_has_begun(walking: PtyRun) -> None:
    # The device's own haptic cue (SET_HAPTIC after the first step) reports itself in the HAPTIC flag.
    buzzes = re.search(r"\((\d+) buzzes\)", walking.frames[-1].text)
    assert buzzes and int(buzzes.group(1)) >= 3
    buzzing = [f for f in walking.frames if "- buzzing" in f.text]
    assert buzzing
    assert all((_steps(f.text) or 0) >= 1 for f in buzzing)


def test_summary_line_and_finding(walking: PtyRun) -> None:
    tail = _tail(walking)
    m = SUMMARY_RE.search(tail)
    assert m, tail
    assert m["reason"] == "stopped"
    assert int(m["reps"]) == _steps(walking.frames[-1].text)
    assert int(m["cues"]) == len([f for f in walking.frames if f.bell])
    assert float(m["loss"]) == 0.0
    assert 0.0 < float(m["median"]) <= float(m["p99"])
    assert "finding: left hip abductors: drops of " in tail and "on left stance" in tail and "(weak)" in tail
    assert max(len(ln) for ln in walking.tail.splitlines()) <= 80


def test_no_sound_never_rings_and_ctrl_c_ends_with_the_summary() -> None:
    # Ctrl-C is typed once the first cue has been counted (the session would run 40 s).
    run = run_in_pty(["live", "--virtual", "--seconds", "40", "--no-sound", "--no-haptic"], _env(),
                     keys=[(": 1 cues so far", b"\x03")])
    assert run.exit_code == 0, run.tail
    assert "\a" not in run.output
    last = _screen(run.frames[-1].text)
    assert "Show it when a hip drops 7 deg: " in last and "buzzes" not in last
    m = SUMMARY_RE.search(_tail(run))
    assert m and m["reason"] == "stopped" and int(m["cues"]) >= 1 and m["buzzes"] == "0"
    assert int(m.group(1)) < 40


def test_a_reader_that_goes_away_ends_the_session_quietly() -> None:
    # `hiplevel live | head -3`: the screen's reader leaves; the session ends as `q` would, no traceback.
    proc = subprocess.Popen([sys.executable, "-m", "hiplevel", "live", "--virtual", "--seconds", "600"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=_env())
    assert proc.stdout is not None and proc.stderr is not None
    for _ in range(3):
        assert proc.stdout.readline()
    proc.stdout.close()
    try:
        code = proc.wait(timeout=300)  # a backstop: the session ends at its next frame
    finally:
        proc.kill()
    err = proc.stderr.read().decode()
    assert code == 141, err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_piped_output_is_plain_lines_without_escape_codes() -> None:
    proc = subprocess.run([sys.executable, "-m", "hiplevel", "live", "--virtual", "--seconds", "12"],
                          capture_output=True, text=True, env=_env(), stdin=subprocess.DEVNULL, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "\x1b" not in out and "\a" not in out and "\r" not in out
    lines = out.splitlines()
    assert lines[0] == "Connecting to the sensor..."
    assert any(ln.endswith("Stand tall and still... 3 s") for ln in lines)
    assert any(ln.endswith("Go! Keep your hip bones level") for ln in lines)
    for ln in lines[1:-2]:
        assert re.match(r"^ *\d+:\d\d  \S", ln), ln  # session time, then the event
    steps = [ln for ln in lines if re.match(r"^ *\d+:\d\d  step \d+: ", ln)]
    for ln in steps:
        assert re.search(r"  step \d+: on your (left|right) leg: .*\(score \d+/100\)$", ln), ln
    m = SUMMARY_RE.search(lines[-2])
    assert m and m["reason"] == "time up" and int(m["reps"]) == len(steps)
    assert lines[-1].startswith("finding: ") or int(m["reps"]) == 0


def test_a_slow_connect_does_not_eat_the_sessions_seconds() -> None:
    """At 50 virtual s per wall s, connecting (a MicroPython process, the BLE handshake) takes
    tens of virtual seconds: the held device's clock, the session's, starts with the stream, so
    a 12 s walking session still stands 3 s, goes and counts steps on any machine."""
    env = _env()
    env["HIPLEVEL_VIRTUAL_SPEED"] = "50"
    proc = subprocess.run([sys.executable, "-m", "hiplevel", "live", "--virtual", "--seconds", "12"],
                          capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # Each countdown line's session time (whole seconds gone) and the whole seconds it shows left
    # (counted on the samples received: the two clocks may round a second apart) add up to the 3 s
    # stand whichever frames a busy machine happened to print (at 50x a frame may span a virtual
    # second, so the "3 s" frame itself may never show): a connect that ate the session's tens of
    # virtual seconds would add them.
    counts = [re.match(r"^ *(\d+):(\d\d)  Stand tall and still\.\.\. (\d+) s$", ln) for ln in lines]
    counts = [60 * int(c[1]) + int(c[2]) + int(c[3]) for c in counts if c]
    assert counts and all(2 <= c <= 4 for c in counts), proc.stdout
    steps = [ln for ln in lines if re.match(r"^ *\d+:\d\d  step \d+: ", ln)]
    m = next((SUMMARY_RE.search(ln) for ln in lines if SUMMARY_RE.search(ln)), None)
    assert m and m["reason"] == "time up" and int(m["reps"]) == len(steps) > 0, proc.stdout
