"""Writes docs/benchmarks.md and the README summary row from the rows of one run (never by hand)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from bench.rows import MISS, NA, PASS, Row

ROOT = Path(__file__).resolve().parents[1]
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def _cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def table(rows: Sequence[Row]) -> str:
    """Markdown table of rows (one section)."""
    out = ["| metric | data | hiplevel | peer | target | result | note |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append("| " + " | ".join(_cell(x) for x in (r.metric, r.data, r.hiplevel, r.peer, r.target, r.status, r.note)) + " |")
    return "\n".join(out)


def text_table(rows: Sequence[Row]) -> str:
    """Plain-text table for the terminal, grouped by section."""
    lines: list[str] = []
    for section in dict.fromkeys(r.section for r in rows):
        lines += ["", section]
        for r in (x for x in rows if x.section == section):
            t = f"  [{r.status or '-':4s}] {r.metric}: {r.hiplevel}"
            if r.peer:
                t += f"  | peer {r.peer}"
            if r.target:
                t += f"  | target {r.target}"
            lines.append(t)
            lines.append(f"         {r.data}" + (f"  ({r.note})" if r.note else ""))
    return "\n".join(lines)


def tally(rows: Sequence[Row]) -> dict[str, int]:
    """Counts of PASS, MISS and n/a."""
    return {k: sum(r.status == k for r in rows) for k in (PASS, MISS, NA)}


def markdown(rows: Sequence[Row], env: dict[str, str], run_info: dict[str, str]) -> str:
    """The whole docs/benchmarks.md."""
    t = tally(rows)
    head = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`) from one run; do not edit by hand, run it again.",
        "",
        "| | |",
        "|---|---|",
    ]
    head += [f"| {k} | {_cell(v)} |" for k, v in {**env, **run_info}.items()]
    head += ["", f"Targets: {t[PASS]} PASS, {t[MISS]} MISS, {t[NA]} not measurable (n/a).", ""]
    body: list[str] = []
    for section in dict.fromkeys(r.section for r in rows):
        body += [f"## {section}", "", table([r for r in rows if r.section == section]), ""]
    misses = [r for r in rows if r.status == MISS]
    if misses:
        body += ["## Targets missed", ""]
        body += [f"- {r.section.split('.')[0]}. {r.metric} ({r.data}): {r.hiplevel} vs target {r.target}"
                 + (f"; {r.note}" if r.note else "") for r in misses]
        body.append("")
    return "\n".join(head + body)


def _pick(rows: Sequence[Row], metric_start: str, data_start: str = "") -> Row | None:
    for r in rows:
        if r.metric.startswith(metric_start) and r.data.startswith(data_start):
            return r
    return None


def summary_row(rows: Sequence[Row], env: dict[str, str]) -> str:
    """The one-line README summary (a small markdown table) from the run's rows."""
    def val(metric: str, data: str = "") -> str:
        r = _pick(rows, metric, data)
        return "n/a" if r is None else f"{r.hiplevel} ({r.status or '-'})"

    t = tally(rows)
    cells = {
        "date": env["date"],
        "walking side (sim)": val("side accuracy", "walking"),
        "walking drop RMSE (sim)": val("drop error RMSE", "walking"),
        "device roll RMSE (sim)": val("device fusion (firmware on MicroPython): roll RMSE"),
        "real steps sensitivity (INDIP)": val("step sensitivity", "mobgap-lowback vs INDIP"),
        "offline speed": val("analysis alone"),
        "live p99 (packet to score)": val("live latency, packet to rep score"),
        "1 h of faults: lost counted / uncounted": val("samples lost: counted / uncounted"),
        "targets": f"{t[PASS]} pass / {t[MISS]} miss / {t[NA]} n/a",
    }
    return "\n".join([
        "| " + " | ".join(cells) + " |",
        "|" + "---|" * len(cells),
        "| " + " | ".join(_cell(v) for v in cells.values()) + " |",
        "",
        "Full table: [docs/benchmarks.md](docs/benchmarks.md) (written by `make bench`).",
    ])


def _unescape(cell: str) -> str:
    return cell.replace("\\|", "|")


def parse_markdown(text: str) -> tuple[list[Row], dict[str, str]]:
    """The rows and header fields of a docs/benchmarks.md written by `markdown` (for `--merge`)."""
    rows: list[Row] = []
    head: dict[str, str] = {}
    section = None
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if not line.startswith("| ") or line.startswith("| metric |") or line.startswith("|---"):
            continue
        cells = [_unescape(c.strip()) for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if section is None and len(cells) == 2 and cells[0]:
            head[cells[0]] = cells[1]
        elif section is not None and section != "Targets missed" and len(cells) == 7:
            rows.append(Row(section, *cells))
    return rows, head


def merged(new: Sequence[Row], old: Sequence[Row]) -> list[Row]:
    """The old rows with every section the new run measured replaced by its new rows, in section order."""
    ran = {r.section for r in new}
    out = [r for r in old if r.section not in ran] + list(new)
    order = sorted(dict.fromkeys(r.section for r in out), key=lambda s: (int(s.split(".")[0]) if s.split(".")[0].isdigit() else 99, s))
    return [r for sec in order for r in out if r.section == sec]


def write(rows: Sequence[Row], env: dict[str, str], run_info: dict[str, str], root: Path = ROOT) -> None:
    """Write docs/benchmarks.md and replace the README block between the bench markers (added at
    the end of README.md when missing)."""
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs/benchmarks.md").write_text(markdown(rows, env, run_info))
    readme = root / "README.md"
    text = readme.read_text() if readme.exists() else ""
    block = f"{README_START}\n{summary_row(rows, env)}\n{README_END}"
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text)
