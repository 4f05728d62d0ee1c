"""The reports in a real headless Chromium: no console errors, no requests leaving the file, the
figures rendered (non-blank where the page puts them), the band-walk graph marking both phases, the
same side words in the HTML, the JSON and CSV export and the patient's words, and a PDF whose pages
carry numbers and the patient id, with no heading stranded at a page foot and no mostly blank page."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from cdp import open_page
from PIL import Image
from report_synth import make_session, weekly_sessions

from hiplevel.cli.main import main as cli_main
from hiplevel.report import write_progress_report, write_session_report
from hiplevel.scoring import Rep
from hiplevel.scoring.words import patient_words, support_phases
from hiplevel.store import SessionStore

SHOTS = Path(__file__).resolve().parents[2] / "out"
# A rendered plot has axes, text and lines: well above a blank or flat-colour region (0-255 grey SD).
MIN_PLOT_GREY_SD = 20.0
MIN_PLOT_INK_FRACTION = 0.03
# Every PDF page but the last is filled at least this far down (no two-thirds-blank page).
MIN_PAGE_FILL = 0.5
# The rows of every rep table as the browser lays them out: set, then the cells of each row.
REP_ROWS_JS = (
    "JSON.stringify([...document.querySelectorAll('table.reptable')].map(t => ["
    " +t.className.match(/set-(\\d+)/)[1],"
    " [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))]))"
)


def _check_page(html: Path, shot_name: str, n_figures: int, evaluate: dict[str, str] | None = None):
    page = open_page(html, evaluate=evaluate)
    assert page.console_errors == []
    external = [u for u in page.requests if not u.startswith(("file:", "data:"))]
    assert external == []
    assert len(page.figures) == n_figures
    img = np.asarray(Image.open(io.BytesIO(page.screenshot_png)).convert("L"), dtype=float)
    assert img.shape[0] >= page.height_px * 0.95
    for f in page.figures:
        assert f["loaded"] and f["w"] > 300 and f["h"] > 150, f
        region = img[int(f["y"]): int(f["y"] + f["h"]), int(f["x"]): int(f["x"] + f["w"])]
        assert region.std() > MIN_PLOT_GREY_SD, f
        assert (region < 200).mean() > MIN_PLOT_INK_FRACTION, f
    # a margin strip beside the figures stays blank: the check can tell plots from page
    margin = img[:, : int(min(f["x"] for f in page.figures)) - 5]
    assert margin[int(page.figures[0]["y"]): int(page.figures[0]["y"] + page.figures[0]["h"])].std() < 5.0
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / shot_name).write_bytes(page.screenshot_png)
    return page


def _pdf_pages(pdf: Path) -> list[str]:
    """Text of each PDF page, laid out (pdftotext)."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def _page_fill(pdf: Path, tmp: Path) -> list[float]:
    """How far down each page its content reaches (0-1 of the height, the foot's margin excluded)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "30", str(pdf), str(tmp / "pg")], check=True)
    fills = []
    for f in sorted(tmp.glob("pg-*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
        a = np.asarray(Image.open(f), dtype=float)
        body = a[: int(a.shape[0] * (297 - 16) / 297)]  # above the 16 mm foot margin (page numbers)
        rows = np.flatnonzero((body < 200).any(axis=1))
        fills.append((rows[-1] + 1) / a.shape[0] if len(rows) else 0.0)
    return fills


def _check_pdf(pdf: Path, patient_id: str, html: str, tmp: Path) -> None:
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("poppler-utils not installed (make test installs it as root via tools/ensure-test-tools)")
    pages = _pdf_pages(pdf)
    assert len(pages) >= 2
    headings = {re.sub(r"\s+", " ", h).strip() for h in re.findall(r"<h[23]>(.*?)</h[23]>", html)}
    for n, text in enumerate(pages, start=1):
        assert re.search(rf"page {n} of {len(pages)}", text), f"page {n} has no page number"
        assert f"Patient {patient_id}" in text, f"page {n} has no patient id"
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and "page " not in ln]
        if n < len(pages):
            assert re.sub(r"\s+", " ", lines[-1]) not in headings, f"heading {lines[-1]!r} stranded at the foot of page {n}"
    fills = _page_fill(pdf, tmp)
    assert all(f >= MIN_PAGE_FILL for f in fills[:-1]), fills


def test_session_report_renders_in_chromium(chromium: str, tmp_path: Path) -> None:
    inputs = make_session()
    html = write_session_report(inputs, tmp_path, pdf=True)
    page = _check_page(html, "session-report.png", n_figures=len(inputs.sets) + 1)
    # the band-walk panel marks both single-support phases of every step
    band = next(s for s in inputs.sets if s.exercise == "band-walk")
    ids = set(page.figures[band.set_index - 1]["ids"])
    for number in range(1, len(band.reps) + 1):
        assert {f"phase-{band.set_index}-{number}-1", f"phase-{band.set_index}-{number}-2"} <= ids
    pdf = html.with_suffix(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    _check_pdf(pdf, inputs.meta.patient_id, html.read_text(), tmp_path)


def test_progress_report_renders_in_chromium(chromium: str, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "data")
    store.add_patient("P-7F3A")
    for s in weekly_sessions():
        store.save_session(s)
    html = write_progress_report(store, "P-7F3A", tmp_path / "out", pdf=True)
    _check_page(html, "progress-report.png", n_figures=2)
    _check_pdf(html.with_suffix(".pdf"), "P-7F3A", html.read_text(), tmp_path)


def test_same_side_words_in_html_json_csv_and_live_words(chromium: str, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "data")
    store.add_patient("P-7F3A")
    sid = store.save_session(make_session(session_id=None))
    html = write_session_report(store, tmp_path / "out", sid)
    shown = {}  # (set, rep number, phase k) -> (stance leg, side that dropped), as the browser shows it
    for set_index, rows in open_page(html, evaluate={"rows": REP_ROWS_JS}).values["rows"]:
        number, k = 0, 0
        for cells in rows:
            number, k = (int(cells[0]), 1) if cells[0] else (number, k + 1)
            shown[(set_index, number, k)] = tuple(cells[-5:-3])
    js, cs = store.export_patient("P-7F3A", tmp_path / "export")
    exported, csv_rows = {}, {}
    for st in json.loads(js.read_text())["sessions"][0]["sets"]:
        for number, r in enumerate(st["reps"], start=1):
            for k, p in enumerate(r.get("phases") or [{"stance": r["side"], "side_dropped": r["side_dropped"]}], 1):
                exported[(st["set_index"], number, k)] = (p["stance"], p["side_dropped"])
            assert r["description"].startswith(f"{r['side_dropped']} side dropped") and f"during {r['side']} stance" in r["description"]
    for row in csv.DictReader(cs.open()):
        key = (int(row["set_index"]), int(row["rep_index"]))
        if row["phase1_stance"]:
            for k in (1, 2):
                csv_rows[(*key, k)] = (row[f"phase{k}_stance"], row[f"phase{k}_side_dropped"])
        else:
            csv_rows[(*key, 1)] = (row["side"], row["side_dropped"])
    assert len(shown) > 40 and shown == exported
    # the CSV numbers reps by the analysis' own index; the page and the JSON count 1.. in each set
    by_index = {}
    for s in store.load_session(sid).sets:
        for number, r in enumerate(s.reps, start=1):
            by_index[(s.set_index, r["index"])] = number
            rep = Rep.from_json(r)
            # the patient's words on the live screen name the same legs
            worse = min(support_phases(s.exercise, rep), key=lambda p: (p.score, -abs(p.drop_deg)))
            assert patient_words(s.exercise, rep).startswith(f"on your {worse.stance} leg")
    assert {(si, by_index[(si, ri)], k): v for (si, ri, k), v in csv_rows.items()} == shown
    band = [v for (si, _, k), v in shown.items() if si == 2]
    assert {v[0] for v in band} == {"left", "right"}  # band walk: both legs tested in every step


def test_report_pdf_prints_its_path(chromium: str, tmp_path: Path, capsys) -> None:
    with SessionStore(tmp_path / "data") as store:
        store.add_patient("P-7F3A")
        sid = store.save_session(make_session(session_id=None))
    assert cli_main(["report", sid, "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "out"), "--pdf"]) == 0
    out = capsys.readouterr().out
    m = re.search(r"^pdf: (.+\.pdf)$", out, re.M)
    assert m, out
    assert Path(m.group(1)).read_bytes()[:5] == b"%PDF-"


def test_harness_catches_errors_and_external_requests(chromium: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><script>console.error("boom")</script>'
                   '<img src="http://127.0.0.1:9/missing.png" width="400" height="300"></body></html>')
    page = open_page(bad)
    assert any("boom" in e for e in page.console_errors)
    assert any(u.startswith("http://127.0.0.1:9") for u in page.requests)
    assert page.figures and not page.figures[0]["loaded"]
