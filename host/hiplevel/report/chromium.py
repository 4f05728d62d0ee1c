"""Headless Chromium: print a report to PDF (the same engine the tests render reports with)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from hiplevel.errors import HiplevelError

CHROMIUM_NAMES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags that keep Chromium from touching the network or a user profile while rendering a file.
HEADLESS_FLAGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--mute-audio",
)
PDF_TIMEOUT_S: float = 120.0


class ChromiumError(HiplevelError):
    """Chromium is missing or could not render the report."""


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable on PATH, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_to_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Render `html_path` to `pdf_path` with headless Chromium (A4, print CSS); returns pdf_path."""
    exe = find_chromium()
    if exe is None:
        raise ChromiumError("PDF needs Chromium: install it (Debian: apt-get install chromium) or open the HTML and print")
    with tempfile.TemporaryDirectory(prefix="hiplevel-chromium-") as profile:
        cmd = [exe, *HEADLESS_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False)
    if proc.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise ChromiumError(f"Chromium could not print {html_path} (exit {proc.returncode}): {proc.stderr[-400:]}")
    return pdf_path
