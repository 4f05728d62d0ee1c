"""`hiplevel live --virtual` end to end in a real pseudo-terminal: the real firmware on MicroPython
with a simulated patient (weak left side: on left-stance steps the right side drops ~10 deg, past
the 7 deg walking cue), reached over virtual BLE; the screen is read back frame by frame."""

from __future__ import annotations

import os
import re

import pytest

from ptyrun import PtyRun, run_in_pty

pytestmark = pytest.mark.slow

SPEED = "8"  # session seconds per wall second: a 24 s session takes 3 s
SUMMARY_RE = re.compile(
    r"live walking (\d+) s \((?P<reason>[^)]+)\): (?P<reps>\d+) reps .*?"
    r"(?P<cues>\d+) cues \((?P<buzzes>\d+) sensor buzzes\), "
    r"live loss (?P<loss>[\d.]+) %, latency median (?P<median>[\d.]+) ms, p99 (?P<p99>[\d.]+) ms")


def _env() -> dict[str, str]:
    env = dict(os.environ, HIPLEVEL_VIRTUAL_SPEED=SPEED, TERM="xterm", HIPLEVEL_VIRTUAL_SEED="1")
    env.pop("COLUMNS", None)
    return env


def _gauge_offsets(run: PtyRun) -> list[int]:
    """Marker position relative to level (chars; negative = toward 'left side low') per frame."""
    out = []
    for f in run.frames:
        line = f.line("left side low [")
        if line:
            gauge = line[line.index("[") : line.index("]") + 1]
            out.append(gauge.index("O") - len(gauge) // 2)
    return out


def _reps(run: PtyRun) -> list[int]:
    return [int(m.group(1)) for f in run.frames if (m := re.search(r"^reps: (\d+)", f.text, re.M))]


@pytest.fixture(scope="module")
def walking() -> PtyRun:
    return run_in_pty(["live", "--virtual", "--exercise", "walking", "--seconds", "24"], _env())


def test_stand_still_then_the_gauge_moves_to_both_sides(walking: PtyRun) -> None:
    assert walking.exit_code == 0, walking.tail
    assert any("Stand tall and still" in f.text for f in walking.frames[:40])
    offsets = _gauge_offsets(walking)
    assert len(offsets) > 50
    # Walking rocks the pelvis both ways: the marker leaves level toward each side.
    assert min(offsets) <= -2 and max(offsets) >= 2
    assert "link: streaming raw (virtual hiplevel-1a2b)" in walking.frames[-1].text


def test_rep_counter_counts_steps_and_names_the_weak_side(walking: PtyRun) -> None:
    reps = _reps(walking)
    assert reps == sorted(reps), "the rep counter went backwards"
    # ~14 s of walking after standing and the tare at ~110 steps/min: well over ten steps.
    assert reps[-1] >= 10
    final = walking.frames[-1]
    left, right = final.line(" left stance:"), final.line("right stance:")
    drop = lambda line: float(re.search(r"mean drop\s+([\d.]+)", line).group(1))  # noqa: E731
    # Left stance is the weak side: the right side drops further on those steps.
    assert drop(left) > drop(right) + 3.0


def test_bell_rings_on_each_cue_and_only_for_the_weak_side_drop(walking: PtyRun) -> None:
    bells = [f for f in walking.frames if f.bell]
    cues = int(re.search(r"cues so far: (\d+)", walking.frames[-1].text).group(1))
    assert cues >= 3
    assert len(bells) == cues  # one ring per cue (cues are >= 1 s apart, so never in one frame)
    for f in bells:
        level = f.line("pelvis:")
        assert "right side" in level and "keep your hip bones level" in level, level


def test_the_sensor_buzzes_on_the_weak_side_drops(walking: PtyRun) -> None:
    # The device's own haptic cue (SET_HAPTIC after the tare) reports itself in the HAPTIC flag.
    buzz = re.search(r"sensor buzzes: (\d+)", walking.frames[-1].text)
    assert buzz and int(buzz.group(1)) >= 3
    buzzing = [f for f in walking.frames if "[sensor buzzing]" in f.text]
    assert buzzing
    assert all("right side" in f.line("pelvis:") for f in buzzing)


def test_summary_line_has_reps_cues_and_latency(walking: PtyRun) -> None:
    m = SUMMARY_RE.search(walking.tail)
    assert m, walking.tail
    assert m["reason"] == "time up"
    assert int(m["reps"]) == _reps(walking)[-1]
    assert int(m["cues"]) == len([f for f in walking.frames if f.bell])
    assert float(m["loss"]) == 0.0
    assert 0.0 < float(m["median"]) <= float(m["p99"])


def test_no_sound_never_rings_and_ctrl_c_ends_with_the_summary() -> None:
    # Ctrl-C is typed once the first cue has been counted (the session would run 40 s).
    run = run_in_pty(["live", "--virtual", "--seconds", "40", "--no-sound", "--no-haptic"], _env(),
                     keys=[("cues so far: 1", b"\x03")])
    assert run.exit_code == 0, run.tail
    assert "\a" not in run.output
    assert "sound off, haptic off" in run.frames[-1].text
    assert "sensor buzzes: 0" in run.frames[-1].text  # SET_HAPTIC disabled the device's cue
    m = SUMMARY_RE.search(run.tail)
    assert m and m["reason"] == "stopped" and int(m["cues"]) >= 1 and m["buzzes"] == "0"
    assert int(m.group(1)) < 40
