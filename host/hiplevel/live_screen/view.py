"""What the patient reads while moving: the live screen in words they use (no "stance", no flag
names, no link jargon), a level gauge, the score out of 100.

`render(state, style)` gives the screen as lines that fit `style.width` (80) columns, coloured when
`style.color`. Two views draw it: `TerminalView` redraws one frame in place on a terminal (cursor
home, no flicker, bell on a cue); `PlainView` writes one plain line per event (piped into a file or
a log: no escape codes at all). Side words come from `hiplevel.scoring.words` (docs/sides.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Protocol, TextIO

from hiplevel.constants import LEFT, RIGHT, Side, side_dropped
from hiplevel.live_screen.state import LiveState
from hiplevel.scoring.reps import FLAG_SCORE, Rep
from hiplevel.scoring.words import LEVEL_CUE, exercise_words, patient_words, rep_noun

SCREEN_WIDTH: Final[int] = 80
GAUGE_RANGE_DEG: Final[float] = 12.0
GAUGE_WIDTH_CHARS: Final[int] = 47  # odd, so level sits on a character
LEVEL_DEG: Final[float] = 1.0  # below this the pelvis reads "level"
WEAK_SIGNAL_DBM: Final[int] = -85  # BLE below this drops packets: ask the patient to come closer
CLEAR_SCREEN = "\x1b[H\x1b[2J"
# Frames overwrite the previous one in place (home, erase each line's rest, erase below) instead of
# clearing the screen first, which flickers at 20 frames/s.
CURSOR_HOME = "\x1b[H"
ERASE_LINE_END = "\x1b[K"
ERASE_BELOW = "\x1b[J"
HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"
BELL = "\a"
# SGR colours: green = level / a good rep, yellow = off level, red = past the cue / a flagged rep.
BOLD, GREEN, YELLOW, RED, DIM, RESET = "1", "32", "33", "31", "2", "0"
SGR_RE = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Style:
    """How to draw: `color` adds SGR colour codes (terminals that have colour); width in columns."""

    color: bool = False
    width: int = SCREEN_WIDTH

    def paint(self, text: str, *codes: str) -> str:
        if not self.color or not codes:
            return text
        return f"\x1b[{';'.join(codes)}m{text}\x1b[{RESET}m"


def visible_len(line: str) -> int:
    """Columns a line takes on screen (colour codes take none)."""
    return len(SGR_RE.sub("", line))


def gauge(roll_deg: float, threshold_deg: float, width: int = GAUGE_WIDTH_CHARS) -> str:
    """A horizontal level gauge: the marker 'O' moves toward the side that is lower; '|' is level,
    '!' marks the cue each side. Negative roll (left side lower) moves the marker left."""
    half = width // 2
    cells = ["-"] * width
    cells[half] = "|"
    for sign in (-1, 1):
        pos = half + sign * round(threshold_deg / GAUGE_RANGE_DEG * half)
        if 0 <= pos < width:
            cells[pos] = "!"
    clipped = max(-GAUGE_RANGE_DEG, min(GAUGE_RANGE_DEG, roll_deg))
    cells[half + round(clipped / GAUGE_RANGE_DEG * half)] = "O"
    return "[" + "".join(cells) + "]"


def level_words(state: LiveState) -> tuple[str, str | None]:
    """The pelvis now, in words, and its colour: 'Level', 'Right hip 5.1 deg low', or with the cue
    'Right hip 7.5 deg low: keep your hip bones level!' (from a cue until back near level)."""
    words, colour, cueing = level_reading(state)
    return (f"{words}: {LEVEL_CUE}!" if cueing else words), colour


def level_reading(state: LiveState) -> tuple[str, str | None, bool]:
    """The pelvis now without the cue's words: ('Level' or 'Right hip 5.1 deg low', its colour,
    whether the cue is on), for a screen that shows the cue apart."""
    if not state.tared:
        return "", None, False
    roll = state.roll_deg
    if abs(roll) < LEVEL_DEG and state.cue_low_side is None:
        return "Level", GREEN, False
    if state.cue_low_side is not None:
        return hip_low_words(roll), RED, True
    return hip_low_words(roll), (RED if abs(roll) >= state.cue.threshold_deg else YELLOW), False


def hip_low_words(roll_deg: float) -> str:
    """'Right hip 5.1 deg low' for a neutral-relative roll, deg (negative = left side lower)."""
    low = LEFT if roll_deg < 0 else RIGHT
    return f"{low.capitalize()} hip {abs(roll_deg):.1f} deg low"


def link_words(state: LiveState) -> tuple[str, str | None]:
    """The sensor's state for the patient, and its colour."""
    link = state.link
    if link.state == "reconnecting":
        return "Reconnecting to the sensor... keep going", YELLOW
    if link.state == "no data":
        return "No data from the sensor: is it on and close by?", RED
    if link.state == "connecting":
        return "Connecting to the sensor...", None
    if link.rssi_dbm is not None and link.rssi_dbm < WEAK_SIGNAL_DBM:
        return "Sensor connected, weak signal: come closer to the computer", YELLOW
    return "Sensor connected", GREEN


def cue_words(state: LiveState) -> str:
    """What cues the patient and how many so far."""
    cue = state.cue
    how = {(True, True): "Beep and buzz", (True, False): "Beep", (False, True): "Buzz",
           (False, False): "Show it"}[(cue.sound, cue.haptic)]
    buzzed = f" ({state.haptic_pulses} buzzes)" if cue.haptic else ""
    now = " - buzzing" if state.haptic_firing else ""
    return f"{how} when a hip drops {cue.threshold_deg:.0f} deg: {state.cues_fired} cues so far{buzzed}{now}"


def clock_words(t_s: float) -> str:
    """Session time as m:ss."""
    t = max(0, int(t_s))
    return f"{t // 60}:{t % 60:02d}"


def render(state: LiveState, style: Style = Style()) -> list[str]:
    """The whole screen as lines, each at most `style.width` columns."""
    p = style.paint
    link = state.link
    battery = f"battery {link.battery_pct} %" if link.battery_pct is not None else "battery ?"
    title = f"hiplevel  {exercise_words(state.exercise)}"
    right = f"{clock_words(state.t_s)}   {battery}"
    header = p(title, BOLD) + " " * max(1, style.width - len(title) - len(right)) + right
    sensor, sensor_colour = link_words(state)
    level, level_colour = level_words(state)
    lines = [
        header,
        p(sensor, *((sensor_colour,) if sensor_colour else ())),
        "",
        "  " + p(state.message or LEVEL_CUE.capitalize(), BOLD),
        "",
        "  left hip low " + _gauge_painted(state, style) + " right hip low",
        "  " + p(level, *((level_colour,) if level_colour else ())),
        "",
    ]
    lines += _rep_lines(state, style)
    lines += ["", "  " + cue_words(state), "  " + p("Press q to stop", DIM)]
    return [_fit(line, style.width) for line in lines]


def _gauge_painted(state: LiveState, style: Style) -> str:
    text = gauge(state.roll_deg if state.tared else 0.0, state.cue.threshold_deg)
    if not style.color or not state.tared:
        return text
    _, colour = level_words(state)
    i = text.index("O")
    return text[:i] + style.paint("O", BOLD, colour or GREEN) + text[i + 1:]


def _rep_lines(state: LiveState, style: Style) -> list[str]:
    """Rep count, the last rep in the patient's words with its score, and each leg's figures."""
    noun = rep_noun(state.exercise).capitalize()
    if not state.reps_counted:
        return [f"  {noun}: not counted live" + (f" ({state.reps_note})" if state.reps_note else "")]
    rep = state.last_rep
    if rep is None:
        lines = [f"  {noun}: 0", ""]
    else:
        colour = GREEN if rep_is_good(rep) else RED
        last = f"last {rep_noun(state.exercise, 1)}"
        lines = [f"  {noun}: {state.rep_count}    {last}: " + style.paint(score_words(rep), BOLD, colour),
                 "  " + style.paint(patient_words(state.exercise, rep), colour)]
    for leg in (LEFT, RIGHT):
        lines.append(f"  On your {leg} leg:".ljust(21) + leg_words(state, leg))
    return lines


def rep_is_good(rep: Rep) -> bool:
    """A rep the screen shows as good (green): scored at or above the flag score."""
    return rep.score >= FLAG_SCORE


def score_words(rep: Rep) -> str:
    """'score 87/100'."""
    return f"score {rep.score:.0f}/100"


def leg_words(state: LiveState, leg: Side) -> str:
    """One tested leg's figures so far: '12 steps, right hip dropped 9.1 deg on average (most
    10.4)', or 'no steps yet'."""
    s = state.legs[leg]
    if not s.phases:
        return f"no {rep_noun(state.exercise)} yet"
    mean, worst = s.mean_drop_deg, s.worst_drop_deg
    what = "dropped" if mean >= 0 else "rose"
    return (f"{s.phases} {rep_noun(state.exercise, s.phases)}, {side_dropped(leg)} hip {what} "
            f"{abs(mean):.1f} deg on average (most {worst:.1f})")


def _fit(line: str, width: int) -> str:
    """Cut a line to `width` columns (colour codes kept whole)."""
    if visible_len(line) <= width:
        return line
    out, cols, i = [], 0, 0
    while i < len(line) and cols < width:
        m = SGR_RE.match(line, i)
        if m:
            out.append(m.group())
            i = m.end()
            continue
        out.append(line[i])
        cols += 1
        i += 1
    return "".join(out) + (f"\x1b[{RESET}m" if SGR_RE.search(line) else "")


class TerminalView:
    """Frames on a terminal: each redraws the screen in place; a cue rings the bell. `footer`:
    lines drawn under every frame (e.g. where the browser screen is)."""

    def __init__(self, out: TextIO, style: Style = Style(), footer: tuple[str, ...] = ()) -> None:
        self.out, self.style, self.footer = out, style, footer

    def begin(self) -> None:
        self.out.write(CLEAR_SCREEN + HIDE_CURSOR)

    def draw(self, state: LiveState, bell: bool = False) -> None:
        self.out.write(frame(state, bell, self.style, self.footer))
        self.out.flush()

    def end(self, state: LiveState) -> None:
        self.draw(state)
        self.out.write(SHOW_CURSOR)
        self.out.flush()


def frame(state: LiveState, bell: bool = False, style: Style = Style(), footer: tuple[str, ...] = ()) -> str:
    """One terminal frame: home, draw over the previous frame (then `footer`), optionally ring."""
    lines = render(state, style) + [_fit(line, style.width) for line in footer]
    body = "".join(line + ERASE_LINE_END + "\r\n" for line in lines)
    return CURSOR_HOME + body + ERASE_BELOW + (BELL if bell else "")


class PlainView:
    """One plain line per event (an instruction, the sensor's state, a rep, a cue), for output that
    is not a terminal: a file, a pipe, a log. No escape codes."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._message = ""
        self._link = ""
        self._reps = 0
        self._cues = 0

    def begin(self) -> None:
        pass

    def draw(self, state: LiveState, bell: bool = False) -> None:
        lines = []
        sensor, _ = link_words(state)
        if sensor != self._link and state.link.state != "connecting":  # the command said so already
            self._link = sensor
            lines.append(sensor)
        if state.message and state.message != self._message:
            lines.append(state.message)
        self._message = state.message
        noun = rep_noun(state.exercise, 1)
        for i in range(self._reps, state.rep_count):
            rep = state.reps[i]
            lines.append(f"{noun} {i + 1}: {patient_words(state.exercise, rep)} ({score_words(rep)})")
        self._reps = state.rep_count
        if state.cues_fired > self._cues and state.cue_low_side is not None:
            lines.append(f"cue: {state.cue_low_side} hip {abs(state.roll_deg):.1f} deg low, {LEVEL_CUE}")
        self._cues = state.cues_fired
        if lines:
            self.out.write("".join(f"{clock_words(state.t_s):>5}  {line}\n" for line in lines))
            self.out.flush()

    def end(self, state: LiveState) -> None:
        self.draw(state)


class View(Protocol):
    """Where the live screen goes: a terminal, plain lines (this module) or the browser (`browser`)."""

    def begin(self) -> None: ...

    def draw(self, state: LiveState, bell: bool = False) -> None: ...

    def end(self, state: LiveState) -> None: ...


class Unread:
    """The view once the screen's reader has gone: nothing more is drawn."""

    def begin(self) -> None:
        pass

    def draw(self, state: LiveState, bell: bool = False) -> None:
        pass

    def end(self, state: LiveState) -> None:
        pass
