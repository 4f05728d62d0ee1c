"""What the browser screen shows, as JSON: the terminal screen's words for the same `LiveState`
(`hiplevel.live_screen.view`, `hiplevel.scoring.words`), so both screens tell one story. Nothing
here decides a side, a drop or a colour of its own: the page only draws these words and places the
gauge's marker at `gauge.roll_deg`.

Tones name the terminal's colours (green / yellow / red) by meaning, for a colour-blind-safe page
palette: "good" (level, a good rep, connected), "warn" (off level, reconnecting), "alert" (past the
cue, a flagged rep, no data), "plain".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from hiplevel.constants import LEFT, RIGHT
from hiplevel.live_screen.state import LiveState
from hiplevel.live_screen.summary import LiveSummary
from hiplevel.live_screen.view import (
    GAUGE_RANGE_DEG,
    GREEN,
    RED,
    YELLOW,
    clock_words,
    cue_words,
    hip_low_words,
    leg_words,
    level_reading,
    link_words,
    rep_is_good,
    score_words,
)
from hiplevel.scoring.words import LEVEL_CUE, exercise_words, patient_words, rep_noun

RECENT_REPS: Final[int] = 5  # the last reps shown as a row, newest first
TONES: Final[dict[str | None, str]] = {GREEN: "good", YELLOW: "warn", RED: "alert", None: "plain"}
CONNECTING: Final[str] = "Connecting to the sensor..."
STOPPED_CONNECTING: Final[str] = "stopped before the sensor was connected"


@dataclass(frozen=True)
class CueSeen:
    """The last cue as the screen showed it when it fired: its number and the words of the hip
    that was low then ('Right hip 9.3 deg low')."""

    number: int
    words: str


def connecting_state() -> dict[str, Any]:
    """The page before the session has a state: the sensor is being opened."""
    return {"kind": "connecting", "link": {"words": CONNECTING, "tone": "plain", "state": "connecting"}}


def page_state(state: LiveState, last_cue: CueSeen | None = None) -> dict[str, Any]:
    """The live screen of `state` for the page (JSON-ready). last_cue: the last cue the view saw
    fire (the state forgets its side once the pelvis is back near level)."""
    sensor, sensor_colour = link_words(state)
    level, level_colour, _cueing = level_reading(state)  # the cue's own words are in `cue`
    link = state.link
    reps: dict[str, Any] = {
        "counted": state.reps_counted,
        "note": state.reps_note,
        "noun": rep_noun(state.exercise).capitalize(),
        "count": state.rep_count,
        "recent": [_rep(state, i) for i in range(state.rep_count - 1, max(-1, state.rep_count - 1 - RECENT_REPS), -1)],
    }
    return {
        "kind": "live",
        "exercise": exercise_words(state.exercise).capitalize(),
        "clock": clock_words(state.t_s),
        "battery": f"battery {link.battery_pct} %" if link.battery_pct is not None else "battery ?",
        "link": {"words": sensor, "tone": TONES[sensor_colour], "state": link.state},
        "instruction": state.message or LEVEL_CUE.capitalize(),
        "gauge": {
            "tared": state.tared,
            "roll_deg": round(state.roll_deg, 2) if state.tared else 0.0,
            "range_deg": GAUGE_RANGE_DEG,
            "threshold_deg": state.cue.threshold_deg,
            "words": level,
            "tone": TONES[level_colour],
        },
        "cue": {
            "active": state.cue_low_side is not None,
            "count": state.cues_fired,
            "last": None if last_cue is None else {"number": last_cue.number, "words": last_cue.words},
            "say": LEVEL_CUE.capitalize(),
            "how": cue_words(state),
        },
        "reps": reps,
        "legs": [{"head": f"On your {leg} leg", "words": leg_words(state, leg)} for leg in (LEFT, RIGHT)],
    }


def cue_seen(state: LiveState) -> CueSeen | None:
    """The cue that fired with this frame (drawn with the sample that cued), or None."""
    if state.cue_low_side is None or state.cues_fired == 0:
        return None
    return CueSeen(state.cues_fired, hip_low_words(state.roll_deg))


def _rep(state: LiveState, i: int) -> dict[str, Any]:
    rep = state.reps[i]
    return {"number": i + 1, "label": f"{rep_noun(state.exercise, 1).capitalize()} {i + 1}",
            "words": patient_words(state.exercise, rep), "score": score_words(rep),
            "tone": "good" if rep_is_good(rep) else "alert"}


def page_end(summary: LiveSummary | None, note: str = STOPPED_CONNECTING) -> dict[str, Any]:
    """The closing words: the same summary line and clinician's finding the terminal prints
    (`note` when the session gave no summary)."""
    if summary is None:
        return {"kind": "end", "summary": note, "finding": ""}
    return {"kind": "end", "summary": summary.line(), "finding": summary.finding}
