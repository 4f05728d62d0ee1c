"""Metrics, air figures and the report writer of the benchmark suite (pure, known answers)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.metrics import agreement, in_windows, match_events, pearson_r  # noqa: E402
from bench.report import README_END, README_START, markdown, summary_row, write  # noqa: E402
from bench.rows import MISS, PASS, Row, at_least, at_most  # noqa: E402
from bench.speed import air_figures  # noqa: E402


def test_match_events_one_to_one_closest_first():
    ref = np.array([1.0, 2.0, 3.0])
    det = np.array([1.05, 1.1, 2.3, 5.0])  # two near the first, one too far from 2.0 at 0.25 s
    m = match_events(det, ref, 0.25)
    assert m.pairs == [(0, 0)]
    assert m.tp == 1 and m.n_detected == 4 and m.n_reference == 3
    assert m.sensitivity == pytest.approx(1 / 3) and m.precision == pytest.approx(1 / 4)
    assert m.dt_s == pytest.approx([0.05])


def test_match_events_timing_error_sign():
    m = match_events(np.array([0.9, 2.2]), np.array([1.0, 2.0]), 0.25)
    assert m.dt_s == pytest.approx([-0.1, 0.2])


def test_in_windows_margin():
    mask = in_windows(np.array([0.7, 1.0, 2.0, 2.3]), [(1.0, 2.0)], margin_s=0.25)
    assert mask.tolist() == [False, True, True, False]


def test_agreement_bland_altman():
    e = np.array([1.0, -1.0, 1.0, -1.0])
    a = agreement(e)
    assert a.rmse == pytest.approx(1.0) and a.bias == pytest.approx(0.0)
    sd = np.std(e, ddof=1)
    assert a.loa_low == pytest.approx(-1.96 * sd) and a.loa_high == pytest.approx(1.96 * sd)
    assert np.isnan(agreement(np.array([])).rmse)


def test_pearson_r_ignores_nan():
    a = np.array([1.0, 2.0, 3.0, np.nan])
    assert pearson_r(a, 2 * a + 1) == pytest.approx(1.0)


def test_judges():
    assert at_least(0.99, 0.99) == PASS and at_least(0.98, 0.99) == MISS
    assert at_most(0.7, 0.7) == PASS and at_most(0.71, 0.7) == MISS


@pytest.mark.parametrize(("rate", "mtu", "size", "n", "per_s", "att"), [
    (100, 23, 4, 2, 50.0, 10.0),   # 20-byte packet: header + 2 roll samples
    (200, 23, 4, 2, 100.0, 10.0),
    (100, 185, 4, 5, 20.0, 6.4),   # capped at 50 ms of data
    (200, 185, 12, 10, 20.0, 13.2),
])
def test_air_figures_from_protocol(rate, mtu, size, n, per_s, att):
    got = air_figures(rate, mtu, size)
    assert got[0] == n and got[1] == pytest.approx(per_s) and got[2] == pytest.approx(att)


def test_raw_does_not_fit_default_mtu():
    assert air_figures(100, 23, 12)[0] == 0


def _rows():
    return [Row("1. S", "side accuracy", "walking: x", "100.0 %", target=">= 99 %", status=PASS),
            Row("4. T", "offline analysis speed", "1 h", "900x", target=">= 1000x", status=MISS, note="slow | pipe")]


def test_markdown_lists_misses_and_escapes_pipes():
    md = markdown(_rows(), {"date": "d", "machine": "m"}, {"base seed": "1"})
    assert "## 1. S" in md and "## 4. T" in md
    assert "1 PASS, 1 MISS" in md
    assert "slow \\| pipe" in md
    assert "## Targets missed" in md and "offline analysis speed" in md.split("## Targets missed")[1]


def test_write_replaces_only_the_marked_block(tmp_path):
    (tmp_path / "README.md").write_text("# Title\n\nkeep me\n")
    write(_rows(), {"date": "D1", "machine": "m"}, {}, root=tmp_path)
    first = (tmp_path / "README.md").read_text()
    assert first.startswith("# Title\n\nkeep me\n") and README_START in first and "D1" in first
    write(_rows(), {"date": "D2", "machine": "m"}, {}, root=tmp_path)
    second = (tmp_path / "README.md").read_text()
    assert second.count(README_START) == 1 and second.count(README_END) == 1
    assert "D2" in second and "D1" not in second and "keep me" in second
    assert (tmp_path / "docs/benchmarks.md").read_text().startswith("# Benchmarks")


def test_the_readme_summary_shows_the_speed_of_the_analysis_alone():
    rows = [Row("4. T", "analysis alone (signal, detectors, scoring), 1 h", "1 h", "968x real time", target=">= 10,000x",
                status=MISS)]
    assert "968x real time (MISS)" in summary_row(rows, {"date": "d"})


def test_the_live_latency_bench_runs_on_todays_live_screen_interfaces():
    """The bench feeds reps to the live screen's state as `hiplevel live` does (a crash here once
    stopped `make bench` at section 4)."""
    from bench import speed

    rows = speed._latency_rows(True)
    by_metric = {r.metric: r for r in rows}
    assert "live latency, packet arrival to cue decision" in by_metric
    score = by_metric["live latency, packet to rep score"]
    assert score.status in ("PASS", "MISS") and "median" in score.hiplevel


def test_a_merge_run_replaces_only_the_sections_it_ran():
    from bench.report import merged, parse_markdown

    md = markdown(_rows(), {"date": "d", "machine": "m"}, {"base seed": "1"})
    rows, head = parse_markdown(md)
    assert rows == _rows() and head == {"date": "d", "machine": "m", "base seed": "1"}
    rerun = [Row("4. T", "offline analysis speed", "1 h", "1200x", target=">= 1000x", status=PASS)]
    out = merged(rerun, rows)
    assert [r.section for r in out] == ["1. S", "4. T"]
    assert out[0] == _rows()[0] and out[1].hiplevel == "1200x"
    assert "0 MISS" in markdown(out, head, {})
