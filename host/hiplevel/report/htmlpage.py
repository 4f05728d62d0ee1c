"""The HTML page both reports share: one self-contained file (figures embedded as data URIs, no
scripts, no external requests) with print CSS for a clean A4 PDF."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

CSS = """
:root { --left:#0072B2; --right:#D55E00; --ok:#009E73; --warn:#b8a200; --ink:#1a1a1a; --muted:#5a5a5a; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1040px; padding: 18px 24px 40px; }
h1 { font-size: 22px; margin: 0 0 2px; } h2 { font-size: 17px; margin: 26px 0 8px;
     border-bottom: 2px solid #ddd; padding-bottom: 3px; } h3 { font-size: 14px; margin: 16px 0 6px; }
.sub { color: var(--muted); margin: 0 0 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { border: 1px solid #ddd; border-left: 6px solid var(--muted); border-radius: 4px; padding: 8px 12px;
        flex: 1 1 300px; }
.card.go { border-left-color: var(--ok); } .card.stay { border-left-color: var(--warn); border-left-style: double; }
.card.back { border-left-color: var(--right); border-left-style: dashed; }
.finding { border: 2px solid var(--ink); border-radius: 4px; padding: 8px 12px; margin: 8px 0 12px; font-size: 15px; }
.finding b { display: block; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.note { color: var(--muted); font-size: 12px; margin: 4px 0; }
.card b.verdict { font-size: 16px; display: block; }
.card .why { color: var(--muted); }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 9px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.fault td { background: #fbf6c8; } tr.fault td:first-child { border-left: 3px solid var(--warn); }
tr.phase2 td { border-top: 0; }
.left { color: var(--left); font-weight: 600; } .right { color: var(--right); font-weight: 600; }
.bad { color: #a04000; font-weight: 600; } .good { color: #006b4f; font-weight: 600; }
figure { margin: 8px 0 14px; } figure img { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 12px; }
.kv td:first-child { color: var(--muted); }
.keep { break-inside: avoid; }
footer { margin-top: 30px; color: var(--muted); font-size: 11px; }
@page { size: A4; margin: 12mm 12mm 16mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  h2, h3 { break-after: avoid; } figure, .card, .finding, table.kv { break-inside: avoid; }
  tr { break-inside: avoid; } thead { display: table-header-group; } a { color: inherit; text-decoration: none; }
}
"""


def _css_string(text: str) -> str:
    """Text as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def running_footer_css(left: str) -> str:
    """Print CSS putting `left` (who and what) and 'page N of M' at the foot of every PDF page."""
    return ("@page { @bottom-left { content: " + _css_string(left) + "; font: 9px sans-serif; color: #555; }"
            " @bottom-right { content: \"page \" counter(page) \" of \" counter(pages); font: 9px sans-serif;"
            " color: #555; } }")


def page(title: str, subtitle: str, body: Iterable[str], footer: str, running: str = "") -> str:
    """A complete HTML document; running: the line printed at the foot of every PDF page (with
    the page number), e.g. the patient id."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        # No scripts and no network at all: the report must open offline and stay inert.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{CSS}{running_footer_css(running or title)}</style></head><body>"
        f"<h1>{escape(title)}</h1><p class=\"sub\">{escape(subtitle)}</p>"
        + "".join(body)
        + f"<footer>{escape(footer)}</footer></body></html>\n"
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, cls: str = "",
          row_classes: Iterable[str] | None = None, numeric: Sequence[bool] | None = None) -> str:
    """An HTML table; cells that are `Raw` are inserted as HTML, everything else escaped."""
    numeric = numeric or [False] * len(headers)
    rc = list(row_classes) if row_classes is not None else None
    out = [f"<table class=\"{cls}\"><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        klass = f" class=\"{rc[i]}\"" if rc and rc[i] else ""
        cells = "".join(
            ("<td class=\"num\">" if n else "<td>") + (c if isinstance(c, Raw) else escape(str(c))) + "</td>"
            for c, n in zip(row, numeric)
        )
        out.append(f"<tr{klass}>{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


class Raw(str):
    """Text already in HTML (built by this package from escaped parts)."""


def side_word(side: str) -> Raw:
    """A side in words, coloured the same as in the figures."""
    return Raw(f"<span class=\"{escape(side)}\">{escape(side)}</span>")


def figure(uri: str, alt: str, caption: str, max_width_px: int | None = None) -> str:
    """An embedded figure with its caption (max_width_px keeps small figures at their size)."""
    style = f" style=\"max-width:{max_width_px}px\"" if max_width_px else ""
    return (f"<figure{style}><img src=\"{uri}\" alt=\"{escape(alt)}\">"
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def fmt(x: float | None, unit: str = "°", digits: int = 1) -> str:
    """A number with its unit, or an en dash when missing."""
    return "–" if x is None else f"{x:.{digits}f}{unit}"
