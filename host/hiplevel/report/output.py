"""A report written out: its page, its figures as SVG and PNG beside it when asked, and the page
printed to PDF when asked (the session and the progress reports alike)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from matplotlib.figure import Figure

from hiplevel.report.chromium import print_to_pdf
from hiplevel.report.style import png_bytes, svg_bytes


def write_page(path: Path, html: str, figs: Mapping[str, Figure], figure_stem: str, *, figures: bool,
               pdf: bool) -> Path:
    """Write `html` to `path`; with `figures`, each figure of `figs` beside it as
    `<figure_stem>-<key>.svg` and `.png`; with `pdf`, the page printed to `path` with `.pdf`.
    Returns `path`."""
    path.write_text(html, encoding="utf-8")
    if figures:
        for key, fig in figs.items():
            (path.parent / f"{figure_stem}-{key}.svg").write_bytes(svg_bytes(fig))
            (path.parent / f"{figure_stem}-{key}.png").write_bytes(png_bytes(fig))
    if pdf:
        print_to_pdf(path, path.with_suffix(".pdf"))
    return path
