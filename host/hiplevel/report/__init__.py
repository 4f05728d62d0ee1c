"""Clinician reports: one self-contained HTML file per session, and progress over weeks
(docs/report.md)."""

from hiplevel.report.chromium import ChromiumError, find_chromium, print_to_pdf
from hiplevel.report.progress import load_progress, write_progress_report
from hiplevel.report.progress_data import ProgressData, ProgressSettings, compute_progress
from hiplevel.report.session import render_session, write_session_report

__all__ = [
    "ChromiumError",
    "ProgressData",
    "ProgressSettings",
    "compute_progress",
    "find_chromium",
    "load_progress",
    "print_to_pdf",
    "render_session",
    "write_progress_report",
    "write_session_report",
]
