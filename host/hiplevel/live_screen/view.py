"""Text rendering of the live view: a level gauge of the pelvis and the rep panel.

Plain text lines (no curses) so the same frames go to a terminal, a test's pseudo-terminal or a log.
"""

from __future__ import annotations

from hiplevel.constants import LEFT, RIGHT, other_side
from hiplevel.live_screen.state import LiveState

GAUGE_RANGE_DEG = 12.0
GAUGE_WIDTH_CHARS = 49  # odd, so level sits on a character
CLEAR_SCREEN = "\x1b[H\x1b[2J"
# Frames overwrite the previous one in place (home, erase each line's rest, erase below) instead of
# clearing the screen first, which flickers at 20 frames/s.
CURSOR_HOME = "\x1b[H"
ERASE_LINE_END = "\x1b[K"
ERASE_BELOW = "\x1b[J"
HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"
BELL = "\a"


def gauge(roll_deg: float, threshold_deg: float, width: int = GAUGE_WIDTH_CHARS) -> str:
    """A horizontal level gauge: the marker moves toward the side that is lower.

    Negative roll (left side lower) moves the marker left. '!' marks the cue threshold each side.
    """
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


def describe_level(roll_deg: float, threshold_deg: float) -> str:
    """The pelvis position in words for the patient."""
    if abs(roll_deg) < 1.0:
        return "level"
    low = LEFT if roll_deg < 0 else RIGHT
    words = f"{low} side {abs(roll_deg):.1f} deg low"
    return words + ("  << keep your hip bones level" if abs(roll_deg) >= threshold_deg else "")


def render(state: LiveState) -> list[str]:
    """The whole screen as lines."""
    link = state.link
    battery = f"{link.battery_pct} %" if link.battery_pct is not None else "?"
    rssi = f"{link.rssi_dbm} dBm" if link.rssi_dbm is not None else "-"
    lines = [
        f"hiplevel live - {state.exercise}    t {state.t_s:6.1f} s",
        f"link: {link.state}   loss {link.loss_pct:.1f} %   battery {battery}   signal {rssi}",
        "",
        state.message or "Keep your hip bones level",
        "left side low " + gauge(state.roll_deg, state.cue.threshold_deg) + " right side low",
        f"pelvis: {describe_level(state.roll_deg, state.cue.threshold_deg)}",
        "",
        f"reps: {state.rep_count}" + (f"  ({state.reps_note})" if state.reps_note else ""),
    ]
    rep = state.last_rep
    if rep is None:
        lines.append("last rep: -")
    else:
        dropped = other_side(rep["side"])
        what = (
            f"{dropped} side dropped {rep['drop_deg']:.1f} deg"
            if rep["drop_deg"] >= 0
            else f"{dropped} side hiked {-rep['drop_deg']:.1f} deg"
        )
        flags = ("  [" + ", ".join(rep["flags"]) + "]") if rep["flags"] else ""
        lines.append(f"last rep: {rep['side']} stance, {what}, score {rep['score']:.0f}{flags}")
    for side in (LEFT, RIGHT):
        s = state.stats[side]
        if s.reps:
            lines.append(
                f"{side:>5} stance: {s.reps:3d} reps, mean drop {s.mean_drop_deg:4.1f} deg, worst {s.worst_drop_deg:4.1f} deg"
            )
        else:
            lines.append(f"{side:>5} stance:   0 reps")
    cue = []
    cue.append("sound on" if state.cue.sound else "sound off")
    cue.append("haptic on" if state.cue.haptic else "haptic off")
    buzz = "  [sensor buzzing]" if state.haptic_firing else ""
    lines.append(
        f"cue at {state.cue.threshold_deg:.1f} deg ({', '.join(cue)}); cues so far: {state.cues_fired}, "
        f"sensor buzzes: {state.haptic_pulses}{buzz}"
    )
    lines.append("Ctrl-C or q to stop")
    return lines


def frame(state: LiveState, bell: bool = False) -> str:
    """One terminal frame: home, draw over the previous frame, optionally ring."""
    body = "".join(line + ERASE_LINE_END + "\r\n" for line in render(state))
    return CURSOR_HOME + body + ERASE_BELOW + (BELL if bell else "")
