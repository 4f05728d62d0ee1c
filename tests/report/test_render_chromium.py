"""The reports in a real headless Chromium: no console errors, no requests leaving the file, the
figures rendered (non-blank where the page puts them), and a PDF printed."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from cdp import open_page
from PIL import Image
from report_synth import make_session, weekly_sessions

from hiplevel.report import write_progress_report, write_session_report
from hiplevel.store import SessionStore

SHOTS = Path(__file__).resolve().parents[2] / "out"
# A rendered plot has axes, text and lines: well above a blank or flat-colour region (0-255 grey SD).
MIN_PLOT_GREY_SD = 20.0
MIN_PLOT_INK_FRACTION = 0.03


def _check_page(html: Path, shot_name: str, n_figures: int) -> None:
    page = open_page(html)
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


def test_session_report_renders_in_chromium(chromium: str, tmp_path: Path) -> None:
    html = write_session_report(make_session(), tmp_path, pdf=True)
    _check_page(html, "session-report.png", n_figures=2)
    pdf = html.with_suffix(".pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 20_000


def test_progress_report_renders_in_chromium(chromium: str, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "data")
    store.add_patient("P-7F3A")
    for s in weekly_sessions():
        store.save_session(s)
    html = write_progress_report(store, "P-7F3A", tmp_path / "out")
    _check_page(html, "progress-report.png", n_figures=2)


def test_harness_catches_errors_and_external_requests(chromium: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><script>console.error("boom")</script>'
                   '<img src="http://127.0.0.1:9/missing.png" width="400" height="300"></body></html>')
    page = open_page(bad)
    assert any("boom" in e for e in page.console_errors)
    assert any(u.startswith("http://127.0.0.1:9") for u in page.requests)
    assert page.figures and not page.figures[0]["loaded"]
