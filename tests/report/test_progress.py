"""Progress over weeks: the trend of an improving weak side, adherence and level changes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from report_synth import weekly_sessions

from hiplevel.report import ProgressSettings, compute_progress, load_progress, write_progress_report
from hiplevel.report.progress import adherence_figure, drop_figure
from hiplevel.store import SessionStore

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    s = SessionStore(tmp_path / "data")
    s.add_patient("P-7F3A")
    for inputs in weekly_sessions(weeks=6, first_drop_deg=10.0, last_drop_deg=4.0):
        s.save_session(inputs)
    return s


def test_improving_weak_side_shows_in_the_report(store: SessionStore, tmp_path: Path) -> None:
    html = write_progress_report(store, "P-7F3A", tmp_path / "out", figures=True)
    data = json.loads((html.parent / "P-7F3A-progress.json").read_text())
    assert data["weak_side"] == "right"
    weeks = data["weeks"]
    assert len(weeks) == 6 and all(w["sessions"] == 3 and w["adherent"] for w in weeks)
    right = [w["by_exercise"]["walking"]["right"] for w in weeks]
    left = [w["by_exercise"]["walking"]["left"] for w in weeks]
    assert all(b < a for a, b in zip(right, right[1:])), right  # the weak side improves every week
    assert right[0] - right[-1] > 4.0
    assert max(left) - min(left) < 1.0  # the good side stays where it was
    assert weeks[-1]["clean_ratio"] > weeks[0]["clean_ratio"]
    # each weekly step (~1.2 deg) is within the 4 deg smallest real change; the six-week change is not
    assert not any(w["real_change"]["walking"]["right"] for w in weeks)
    band = data["trend"]["band-walk/right"]
    assert band["real"] and band["change_deg"] < -4.0 and band["slope_deg_per_week"] < 0
    assert data["level_changes"] == [{"at": data["level_changes"][0]["at"], "exercise": "band-walk", "from": 2, "to": 3}]
    text = html.read_text()
    assert "beyond the 4° smallest real change" in text and "(weaker side)" in text
    assert (html.parent / "P-7F3A-progress-drops.png").exists()


def _rows(times: list[datetime]):
    sessions = [(f"S{i}", t, "complete") for i, t in enumerate(times)]
    reps = [{"session_id": f"S{i}", "exercise": "single-leg-stance", "level": 3, "side": side, "drop_deg": d, "flags": []}
            for i in range(len(times)) for side, d in (("left", 3.0), ("right", 9.0 - i))]
    return sessions, reps


def test_adherence_counts_sessions_and_rest() -> None:
    days = [0, 2, 4,          # week 1: 3 sessions, rests >= 24 h -> adherent
            7, 7.5, 9, 11,    # week 2: 4 sessions but one only 12 h after the previous -> not
            14,               # week 3: 1 session -> not
            ]                 # week 4..: none
    times = [T0 + timedelta(days=d) for d in days]
    d = compute_progress("P-1", *_rows(times))
    assert [w.n_sessions for w in d.weeks] == [3, 4, 1]
    assert [w.adherent for w in d.weeks] == [True, False, False]
    assert d.weeks[1].short_rests == 1
    assert d.sessions[4].rest_before_h == pytest.approx(12.0)


def test_smallest_real_change_is_a_setting() -> None:
    times = [T0 + timedelta(days=7 * w) for w in range(3)]  # right drop 9, 8, 7 deg
    strict = compute_progress("P-1", *_rows(times), ProgressSettings(smallest_real_change_deg=0.5))
    default = compute_progress("P-1", *_rows(times))
    ex = "single-leg-stance"
    assert strict.weeks[1].real_change[ex]["right"] and not default.weeks[1].real_change[ex]["right"]
    assert default.weeks[1].change_deg[ex]["right"] == pytest.approx(-1.0)


def test_the_week_under_way_is_not_judged_for_adherence() -> None:
    times = [T0 + timedelta(days=d) for d in (0, 2, 4, 7)]  # week 1 done, week 2 has one session so far
    d = compute_progress("P-1", *_rows(times), now=T0 + timedelta(days=8))
    assert [w.complete for w in d.weeks] == [True, False]
    assert d.weeks[0].adherent is True and d.weeks[1].adherent is None
    later = compute_progress("P-1", *_rows(times), now=T0 + timedelta(days=15))
    assert later.weeks[1].adherent is False  # once the week is over, one session is too few


def test_weekly_means_are_per_exercise_never_pooled() -> None:
    sessions = [("S0", T0, "complete")]
    reps = [{"session_id": "S0", "exercise": "walking", "level": None, "side": "right", "drop_deg": 6.0, "flags": []},
            {"session_id": "S0", "exercise": "band-walk", "level": 2, "side": "right", "drop_deg": 2.0, "flags": []}]
    w = compute_progress("P-1", sessions, reps).weeks[0]
    assert w.by_exercise == {"walking": {"left": None, "right": 6.0}, "band-walk": {"left": None, "right": 2.0}}
    assert not hasattr(w, "mean_drop_deg")  # no pooled walking + band-walk mean (4.0) anywhere


def test_band_walk_phases_count_for_both_legs() -> None:
    phases = [{"side": "left", "drop_deg": 1.0, "flags": []}, {"side": "right", "drop_deg": 8.0, "flags": ["pelvic_drop"]}]
    reps = [{"session_id": "S0", "exercise": "band-walk", "level": 2, "side": "right", "drop_deg": 8.0,
             "flags": ["pelvic_drop"], "phases": phases}]
    d = compute_progress("P-1", [("S0", T0, "complete")], reps)
    assert d.weeks[0].by_exercise["band-walk"] == {"left": 1.0, "right": 8.0}
    assert d.latest_finding.startswith("Right hip abductors weak: band walk: a drop of 8.0 deg on right stance")


def test_one_session_draws_sensible_charts(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "data")
    store.add_patient("P-7F3A")
    store.save_session(weekly_sessions(weeks=1, per_week=1)[0])
    html = write_progress_report(store, "P-7F3A", tmp_path / "out").read_text()
    assert "1 session in 1 week" in html and "1 sessions" not in html and "1 weeks" not in html
    assert "Right hip abductors weak" in html  # the latest session's finding
    data = load_progress(store, "P-7F3A")
    for fig in (drop_figure(data), adherence_figure(data)):
        for ax in fig.axes:
            lo, hi = ax.get_xlim()
            assert hi - lo >= 1.0, (ax.get_title(loc="left") or ax.get_title(), lo, hi)  # no -0.04..0.04 axis
    # every drop panel carries its exercise's limit and the published range
    for ax in drop_figure(data).axes:
        assert any(line.get_linestyle() == "--" for line in ax.lines), ax.get_title(loc="left")


def test_a_trend_that_rounds_to_no_change_says_stayed(tmp_path: Path) -> None:
    sessions = [("S0", T0, "complete"), ("S1", T0 + timedelta(days=42), "complete")]
    reps = [{"session_id": s, "exercise": "walking", "level": None, "side": side, "drop_deg": d, "flags": []}
            for s, side, d in (("S0", "left", 3.81), ("S1", "left", 3.79), ("S0", "right", 11.0), ("S1", "right", 8.0))]
    from hiplevel.report.progress import _headline
    text = _headline(compute_progress("P-1", sessions, reps))
    assert "left stance</span></b>: mean drop stayed at 3.8° from week 1 to week 7" in text
    assert "mean drop fell from 11.0° (week 1) to 8.0° (week 7)" in text
    assert "rose" not in text
