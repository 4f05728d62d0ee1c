"""Session report content: the rep table agrees with the analysis JSON, the file is self-contained."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hiplevel.constants import other_side
from hiplevel.constants import tested_leg as leg_tested_by
from report_synth import make_session

from hiplevel.report import write_session_report
from hiplevel.report.reps import rep_views
from hiplevel.store import SessionStore, StoreError


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


def test_rep_table_agrees_with_analysis_json(report) -> None:
    inputs, path = report
    parser = _Tables()
    parser.feed(path.read_text())
    assert sorted(parser.tables) == [s.set_index for s in inputs.sets]
    for s in inputs.sets:
        rows = parser.tables[s.set_index]
        reps = s.analysis_json["reps"]
        assert len(rows) == len(reps)
        for number, (row, rep) in enumerate(zip(rows, reps), start=1):
            index, _, stance, dropped, drop, score, flags = row
            assert int(index) == number
            assert stance == leg_tested_by(s.exercise, rep["side"])
            assert float(drop) == pytest.approx(rep["drop_deg"], abs=0.051)
            assert float(score) == pytest.approx(rep["score"], abs=0.51)
            assert flags == (", ".join(rep["flags"]) or "level")
            # the synthetic unsupported side drops: the dropped side is the other leg
            assert dropped == other_side(stance)


def test_report_is_self_contained_and_has_its_parts(report) -> None:
    inputs, path = report
    html = path.read_text()
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "external reference in the report"
    assert "<script" not in html
    assert html.count("data:image/svg+xml;base64,") == 2
    for needed in ("Can the patient progress?", "Left stance vs right stance", "Data quality", "Samples lost",
                   "37 of 12037", "Calibration", "78 %", "Cadence", "steps/min", "Hold time", "Sway"):
        assert needed in html, needed
    # advice follows the rule: progress only when no rep of the set is compensated
    n_bad = sum(1 for r in inputs.sets[1].reps if r["flags"])
    assert f"{n_bad} of {len(inputs.sets[1].reps)} reps compensated" in html
    assert "stay at level 2" in html  # fallback rule when the analysis gives no advice
    for key in ("roll", "sides"):
        assert (path.parent / f"S-TEST-0001-{key}.png").read_bytes()[:4] == b"\x89PNG"
        assert b"<svg" in (path.parent / f"S-TEST-0001-{key}.svg").read_bytes()[:400]


def test_clean_set_advises_progress(tmp_path: Path) -> None:
    inputs = make_session(weak_drop_deg=3.0)  # every rep below the 6 deg threshold
    html = write_session_report(inputs, tmp_path).read_text()
    assert "ready to progress" in html and "stay at level" not in html


def test_dropped_side_read_from_trace() -> None:
    s = make_session().sets[1]
    assert s.exercise == "band-walk"  # rep side = leading leg, which is the side that drops
    for v, rep in zip(rep_views(s), s.reps):
        assert v.dropped_side == rep["side"] and v.stance_side == other_side(rep["side"])
        assert v.start_s == pytest.approx(s.start_s + rep["start_s"])


def test_report_from_store_round_trip(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "data")
    store.add_patient("P-7F3A")
    sid = store.save_session(make_session(session_id=None))
    path = write_session_report(store, tmp_path / "out", sid)
    assert path.name == f"{sid}-report.html"
    with pytest.raises(StoreError):
        write_session_report(store, tmp_path / "out")
