"""Session report content: the rep table agrees with the analysis JSON (sides from the analysed rep,
both band-walk phases), the finding and levels on page 1, per-exercise limits, the palette."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

import numpy as np
from report_synth import make_session, make_set

from hiplevel.constants import other_side
from hiplevel.report import write_session_report
from hiplevel.report.reps import drop_flag_deg, rep_views
from hiplevel.report.session_figures import roll_figure, side_figure
from hiplevel.report.style import FAULT_COLOUR, FAULT_HATCH, SIDE_COLOUR, SIDE_MARKER
from hiplevel.scoring import Rep
from hiplevel.scoring.words import session_finding
from hiplevel.store import SessionInputs, SessionMeta, SessionStore, SetReport, StoreError


class _Tables(HTMLParser):
    """Rows of every <table class="reptable set-N">, keyed by N."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[int, list[list[str]]] = {}
        self._set: int | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag == "table" and "reptable" in cls:
            self._set = int(re.search(r"set-(\d+)", cls).group(1))
            self.tables[self._set] = []
        elif self._set is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.tables[self._set].append(self._row)
            self._row = None
        elif tag == "table":
            self._set = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def report(tmp_path: Path):
    inputs = make_session()
    return inputs, write_session_report(inputs, tmp_path / "out", figures=True)


def _phases(exercise: str, rep: dict) -> list[dict]:
    """The single-support phases the analysis JSON states for a rep (itself when it has none)."""
    return rep.get("phases") or [{"stance": rep["side"], "drop_deg": rep["drop_deg"], "score": rep["score"],
                                  "flags": rep["flags"]}]


def test_rep_table_agrees_with_analysis_json(report) -> None:
    inputs, path = report
    parser = _Tables()
    parser.feed(path.read_text())
    assert sorted(parser.tables) == [s.set_index for s in inputs.sets]
    for s in inputs.sets:
        rows = iter(parser.tables[s.set_index])
        for number, rep in enumerate(s.analysis_json["reps"], start=1):
            for k, ph in enumerate(_phases(s.exercise, rep)):
                row = next(rows)
                if "phases" in rep:  # band walk: a Phase column, one row per phase
                    index, _, phase, stance, dropped, drop, score, flags = row
                    assert phase == ("lead swing" if k == 0 else "trail swing")
                    assert flags == (", ".join(f.replace("_", " ") for f in ph["flags"]) or "level")
                else:
                    index, _, stance, dropped, drop, score, flags = row
                    assert flags == (", ".join(f.replace("_", " ") for f in rep["flags"]) or "level")
                assert index == (str(number) if k == 0 else "")
                assert stance == ph["stance"]
                assert dropped == other_side(ph["stance"])
                assert float(drop) == pytest.approx(ph["drop_deg"], abs=0.051)
                assert float(score) == pytest.approx(ph["score"], abs=0.51)
        assert next(rows, None) is None


def test_report_is_self_contained_and_has_its_parts(report) -> None:
    inputs, path = report
    html = path.read_text()
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "external reference in the report"
    assert "<script" not in html
    assert html.count("data:image/svg+xml;base64,") == len(inputs.sets) + 1  # a roll panel per set + sides
    for needed in ("Can the patient progress?", "Left stance vs right stance", "Data quality", "Samples lost",
                   "37 of 12037", "Calibration", "78 %", "Cadence", "steps/min", "Hold time", "Sway"):
        assert needed in html, needed
    for key in [f"roll-{s.set_index}" for s in inputs.sets] + ["sides"]:
        assert (path.parent / f"S-TEST-0001-{key}.png").read_bytes()[:4] == b"\x89PNG"
        assert b"<svg" in (path.parent / f"S-TEST-0001-{key}.svg").read_bytes()[:400]


def test_page_one_states_the_finding_the_score_and_the_levels(report) -> None:
    inputs, path = report
    html = unescape(path.read_text())
    page_one = html[: html.index("Sets at a glance")]
    expected = session_finding([(s.exercise, [Rep.from_json(r) for r in s.reps]) for s in inputs.sets])
    assert expected.startswith("Right hip abductors weak:")
    assert expected in page_one
    assert "Score 0–100 per rep" in page_one
    assert "level 2 = weight-bearing with partial single-leg load" in page_one
    assert "level 3 = single leg under full body weight" in page_one


def test_clean_set_advises_progress(tmp_path: Path) -> None:
    inputs = make_session(weak_drop_deg=3.0)  # every rep below the 6 deg threshold
    html = write_session_report(inputs, tmp_path).read_text()
    assert "ready to progress" in html and "stay at level" not in html and "step back" not in html


def test_advice_without_the_analysis_advice_judges_each_leg(report) -> None:
    # The synthetic JSON has no advice: the scoring rule runs over the analysed reps. Every
    # right-stance phase of the band walk drops, every left one is level: step back for the right leg.
    inputs, path = report
    html = unescape(path.read_text())
    assert "step back (level 2)" in html
    assert "right-stance steps dropped beyond" in html and "for the right leg" in html


def test_side_that_dropped_comes_from_the_analysed_rep(tmp_path: Path) -> None:
    # A left-stance hold: the right side dropped 1.2 deg. Stepping down off the leg at the end swings
    # the trace 9 deg the other way inside the rep window: the largest roll anywhere in the rep says
    # "left", the analysis says "right". The report says what the analysis says.
    rng = np.random.default_rng(3)
    s = make_set("single-leg-stance", 1, 0.0, 1, rng=rng, weak_side=None, normal_drop_deg=1.2, rep_s=12.0,
                 stance="left")
    rep = s.reps[0]
    t, roll = s.t_s, s.roll_deg.copy()
    roll[(t > rep["end_s"] - 0.6) & (t < rep["end_s"] - 0.1)] = -9.0
    s = SetReport(**{**s.__dict__, "roll_deg": roll})
    (v,) = rep_views(s)
    assert v.stance_side == "left" and v.dropped_side == "right"
    assert v.sentence == f"right side dropped {rep['drop_deg']:.1f} deg during left stance"
    inputs = SessionInputs(SessionMeta(patient_id="P-1", session_id="S-1"), (s,))
    parser = _Tables()
    parser.feed(write_session_report(inputs, tmp_path).read_text())
    assert parser.tables[1][0][2:4] == ["left", "right"]


def test_band_walk_graph_marks_both_phases(report) -> None:
    inputs, path = report
    band = next(s for s in inputs.sets if s.exercise == "band-walk")
    svg = (path.parent / f"S-TEST-0001-roll-{band.set_index}.svg").read_text()
    for number, rep in enumerate(band.reps, start=1):
        assert len(rep["phases"]) == 2
        for k in (1, 2):
            assert f'id="phase-{band.set_index}-{number}-{k}"' in svg
            assert f'id="rep-{band.set_index}-{number}-{k}"' in svg  # each phase shaded on its own


def test_each_exercise_draws_its_own_limit(report) -> None:
    inputs, _ = report
    meta = SessionMeta(patient_id="P-1")  # no session-wide drop_flag_deg: the per-exercise defaults
    sets = [SetReport(**{**s.__dict__, "analysis_json": {**s.analysis_json, "summary": {}}}) for s in inputs.sets]
    limits = [drop_flag_deg(meta, s) for s in sets]
    assert limits == [7.0, 4.0, 4.0]  # walking, band walk, single-leg stance
    fig = side_figure([s.exercise for s in sets], [rep_views(s) for s in sets], limits)
    (ax,) = fig.axes
    dashed = sorted({float(line.get_xdata()[0]) for line in ax.lines if line.get_linestyle() == "--"})
    assert dashed == [4.0, 7.0]
    for s, lim in zip(sets, limits):
        title = roll_figure([s], [rep_views(s)], [lim], ()).axes[0].get_title(loc="left")
        assert f"limit ±{lim:.0f}°" in title


def test_palette_keeps_right_and_compensated_apart_in_grey() -> None:
    def grey(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i: i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert FAULT_COLOUR.lower() != SIDE_COLOUR["right"].lower() and FAULT_HATCH
    assert abs(grey(FAULT_COLOUR) - grey(SIDE_COLOUR["right"])) > 0.3
    assert SIDE_MARKER["left"] != SIDE_MARKER["right"]  # sides differ in shape, not colour alone


def test_data_quality_names_the_firmware(report, tmp_path: Path) -> None:
    _, path = report
    assert re.search(r"<td>Firmware</td><td>0\.3\.1</td>", path.read_text())
    store = SessionStore(tmp_path / "data")
    store.add_patient("P-1")
    sid = store.start_session(SessionMeta(patient_id="P-1", firmware=None))
    store.finish_session(sid, firmware="0.4.0")  # learnt from the device while recording
    assert store.get_session(sid).meta.firmware == "0.4.0"


def test_report_from_store_round_trip(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "data")
    store.add_patient("P-7F3A")
    sid = store.save_session(make_session(session_id=None))
    path = write_session_report(store, tmp_path / "out", sid)
    assert path.name == f"{sid}-report.html"
    with pytest.raises(StoreError):
        write_session_report(store, tmp_path / "out")
