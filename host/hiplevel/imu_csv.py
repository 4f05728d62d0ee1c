"""The IMU CSV of the analysis interface: read and write, with errors that name the line.

Format (docs/analysis.md, "Input"): optional `#` comment lines and blank lines anywhere; one header
line naming `t_s` (seconds), an accelerometer triple in g (`ax_g,ay_g,az_g`) or m/s^2
(`ax_ms2,...`) and a gyro triple in deg/s (`gx_dps,...`) or rad/s (`gx_rps,...`), in any order,
other columns ignored; then one sample per line. Separators `,`, `;` (with decimal commas) or tab;
UTF-8 with or without a BOM, or UTF-16 with a BOM; plain or gzip-compressed (`.csv.gz`).
Body frame x forward, y left, z up. Median rate 50..200 Hz (jitter ok).

Messy times are repaired, not rejected (`hiplevel.signal.timeline.repair_times`): repeated,
out-of-order and corrupted timestamps and clock jumps; each repair is reported in the series'
`meta["warnings"]` (how many samples, first line). Up to 1 % of the data lines (and a torn last
line) may be malformed: they are skipped and reported too; more, and the file is rejected naming
the first bad line.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hiplevel.constants import CSV_ACC_G, CSV_ACC_MS2, CSV_GYR_DPS, CSV_GYR_RPS, CSV_TIME, STANDARD_GRAVITY_MS2
from hiplevel.errors import HiplevelError
from hiplevel.samples import ImuSeries
from hiplevel.signal.timeline import TimelineError, nominal_period_s, repair_times

MIN_SAMPLES = 10
MIN_RATE_HZ = 50.0
MAX_RATE_HZ = 200.0
RATE_TOLERANCE = 0.02  # a nominal 50 Hz stream with a slow clock still reads as 50 Hz
MAX_BAD_LINE_FRACTION = 0.01  # malformed data lines skipped with a warning; more reject the file
EXPECTED_HEADER = ",".join((CSV_TIME, *CSV_ACC_G, *CSV_GYR_DPS))
HEADER_HELP = (f"expected a header line like {EXPECTED_HEADER} (accelerometer ax_g,ay_g,az_g in g or "
               "ax_ms2,ay_ms2,az_ms2 in m/s^2; gyroscope gx_dps,gy_dps,gz_dps in deg/s or gx_rps,gy_rps,gz_rps "
               "in rad/s; t_s in seconds; any column order, separated by ',' or ';')")
_GZIP_MAGIC = b"\x1f\x8b"
_SEPARATORS = (",", ";", "\t")


class ImuCsvError(HiplevelError):
    """A malformed IMU CSV file. `line` is the 1-based line number (0 = the file as a whole)."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"line {line}" if line > 0 else "file"
        super().__init__(f"{path}: {where}: {reason}")


@dataclass(frozen=True)
class _Layout:
    """What the header says: where the data start and how to read them."""

    header_line: int  # 1-based
    body_offset: int  # byte offset of the line after the header
    sep: str
    decimal: str
    n_cols: int
    order: list[int]  # column of t, ax, ay, az, gx, gy, gz
    acc_factor: float  # to g
    gyro_factor: float  # to deg/s
    units: dict


def read_imu_csv(path: str | Path) -> ImuSeries:
    """Read an IMU CSV (plain or gzip) into an ImuSeries (g, deg/s, body frame, times repaired);
    ImuCsvError names the bad line. Repairs and skipped lines are listed in `meta["warnings"]`
    (sentences) and `meta["repairs"]` (kind, samples, first_line, first_t_s)."""
    raw = _text_bytes(path, Path(path).read_bytes())
    layout = _find_header(path, raw)
    values, lines, skipped = _parse_body(path, raw, layout)
    try:
        fix = repair_times(values[:, 0])
    except TimelineError as exc:
        raise ImuCsvError(path, 0, str(exc)) from None
    if lines is None and (len(values) < MIN_SAMPLES or fix.changed):
        lines = _data_line_numbers(raw, layout)
    if len(values) < MIN_SAMPLES and skipped:  # the bad line is what the person needs to see
        raise ImuCsvError(path, skipped[0][0], f"{skipped[0][1]} (and only {len(values)} good samples)")
    if len(values) < MIN_SAMPLES:
        last = int(lines[-1]) if lines is not None and len(lines) else layout.header_line
        raise ImuCsvError(path, last, f"too few samples: {len(values)} (need at least {MIN_SAMPLES})")
    warnings: list[str] = []
    repairs: list[dict] = []
    if skipped:
        shown = ", ".join(str(n) for n, _ in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        warnings.append(f"{len(skipped)} malformed line(s) skipped ({skipped[0][1]}): line {shown}")
        repairs.append({"kind": "malformed_line", "samples": len(skipped), "first_line": skipped[0][0],
                        "first_t_s": None})
    for f in fix.fixes:
        line = int(lines[f.first])
        warnings.append(f.describe(f"line {line}, t_s = {f.first_t_s:g}"))
        repairs.append({"kind": f.kind, "samples": f.count, "first_line": line, "first_t_s": f.first_t_s})
    if fix.changed:
        values = values[fix.keep]
    t = fix.t_s
    period = nominal_period_s(t)
    rate = 1.0 / period if period > 0 else float("nan")
    if not MIN_RATE_HZ * (1 - RATE_TOLERANCE) <= rate <= MAX_RATE_HZ * (1 + RATE_TOLERANCE):
        hint = ": t_s must be in seconds (these steps look like milliseconds)" if \
            MIN_RATE_HZ <= rate * 1000 <= MAX_RATE_HZ else ""
        first_line = int(lines[0]) if lines is not None else int(_data_line_numbers(raw, layout)[0])
        raise ImuCsvError(path, first_line, f"sample rate {rate:.1f} Hz outside {MIN_RATE_HZ:g}-{MAX_RATE_HZ:g} Hz{hint}")
    meta = {"source": str(path), "frame": "body", "units": layout.units, "warnings": warnings, "repairs": repairs,
            "breaks": fix.breaks}
    return ImuSeries(t_s=t, acc_g=values[:, 1:4] * layout.acc_factor, gyro_dps=values[:, 4:7] * layout.gyro_factor,
                     meta=meta)


def _text_bytes(path: str | Path, raw: bytes) -> bytes:
    """UTF-8 bytes of the file: gunzipped, BOM removed, UTF-16 converted."""
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ImuCsvError(path, 0, f"damaged gzip file ({exc})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImuCsvError(path, 0, f"not UTF-16 text after its byte order mark ({exc.reason})") from None
    return raw


def _norm(name: str) -> str:
    return name.strip().strip("\"'").strip().lower()


def _find_header(path: str | Path, raw: bytes) -> _Layout:
    pos, lineno = 0, 0
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        end = len(raw) if end < 0 else end
        lineno += 1
        line_b, pos_next = raw[pos:end], end + 1
        stripped = line_b.strip()
        if stripped and not stripped.startswith(b"#"):
            try:
                line = line_b.decode("utf-8").rstrip("\r")
            except UnicodeDecodeError as exc:
                raise ImuCsvError(path, lineno, f"not UTF-8 text ({exc.reason}); {HEADER_HELP}") from None
            return _layout(path, lineno, pos_next, line, raw)
        pos = pos_next
    raise ImuCsvError(path, 0, f"empty file: no header; {HEADER_HELP}")


def _layout(path: str | Path, lineno: int, body_offset: int, line: str, raw: bytes) -> _Layout:
    """Column order and unit factors from the header line; the separator is the one that splits it
    into names that include t_s."""
    sep = max(_SEPARATORS, key=lambda s: (CSV_TIME in [_norm(c) for c in line.split(s)], line.count(s)))
    names = [_norm(c) for c in line.split(sep)]
    if CSV_TIME not in names and not any(c in names for c in (*CSV_ACC_G, *CSV_ACC_MS2, *CSV_GYR_DPS, *CSV_GYR_RPS)):
        raise ImuCsvError(path, lineno, f"not an IMU CSV: the header is {line.strip()[:120]!r}; {HEADER_HELP}")
    if len(names) < 7:
        raise ImuCsvError(path, lineno, f"bad header: expected 7 columns, found {len(names)} ({line.strip()!r}); {HEADER_HELP}")
    dup = sorted({n for n in names if names.count(n) > 1 and n})
    if dup:
        raise ImuCsvError(path, lineno, f"bad header: duplicate column names ({', '.join(dup)})")
    if CSV_TIME not in names:
        raise ImuCsvError(path, lineno, f"bad header: no '{CSV_TIME}' column; {HEADER_HELP}")
    acc = next(((cols, f, u) for cols, f, u in ((CSV_ACC_G, 1.0, "g"), (CSV_ACC_MS2, 1.0 / STANDARD_GRAVITY_MS2, "m/s^2"))
                if set(cols) <= set(names)), None)
    gyr = next(((cols, f, u) for cols, f, u in ((CSV_GYR_DPS, 1.0, "deg/s"), (CSV_GYR_RPS, float(np.degrees(1.0)), "rad/s"))
                if set(cols) <= set(names)), None)
    if acc is None:
        raise ImuCsvError(path, lineno, "bad header: need ax_g,ay_g,az_g or ax_ms2,ay_ms2,az_ms2 (one unit for all three); "
                          + HEADER_HELP)
    if gyr is None:
        raise ImuCsvError(path, lineno, "bad header: need gx_dps,gy_dps,gz_dps or gx_rps,gy_rps,gz_rps (one unit for all "
                          "three); " + HEADER_HELP)
    order = [names.index(CSV_TIME)] + [names.index(c) for c in acc[0]] + [names.index(c) for c in gyr[0]]
    decimal = "."
    if sep != ",":
        nl = raw.find(b"\n", body_offset)
        first = raw[body_offset: nl if nl >= 0 else len(raw)]
        decimal = "," if b"," in first and b"." not in first else "."
    units = {"acc": acc[2], "gyro": gyr[2], "columns": [names[i] for i in order]}
    return _Layout(lineno, body_offset, sep, decimal, len(names), order, acc[1], gyr[1], units)


def _parse_body(path: str | Path, raw: bytes, lay: _Layout) -> tuple[np.ndarray, np.ndarray | None, list[tuple[int, str]]]:
    """(values (N, 7) float: t, ax, ay, az, gx, gy, gz as in the file's units; line number of each
    row or None when not worked out yet; skipped [(line, reason)]). pandas' C parser reads a clean
    file; anything it does not take cleanly goes through `_parse_lines`, which names each bad line."""
    import pandas as pd

    body = raw[lay.body_offset:]
    # Each option costs parse time on an hour of data: only the ones this file needs.
    extra: dict = {"comment": "#"} if b"#" in body else {}
    if lay.sep != ",":
        extra |= {"sep": lay.sep, "decimal": lay.decimal}
    try:
        frame = pd.read_csv(io.BytesIO(body), header=None, engine="c", **extra)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return _parse_lines(path, raw, lay)
    if frame.shape[1] != lay.n_cols or any(frame.dtypes[c].kind not in "fi" for c in lay.order):
        return _parse_lines(path, raw, lay)  # a column that did not read as numbers
    values = frame[lay.order].to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        return _parse_lines(path, raw, lay)
    return values, None, []


def _data_line_numbers(raw: bytes, lay: _Layout) -> np.ndarray:
    """1-based file line of each data row (rows skip blank and comment lines)."""
    text = raw[lay.body_offset:].decode("utf-8", errors="replace")
    keep = [i for i, ln in enumerate(text.split("\n")) if ln.split("#", 1)[0].strip()]
    return lay.header_line + 1 + np.asarray(keep, dtype=np.int64)


def _parse_lines(path: str | Path, raw: bytes, lay: _Layout) -> tuple[np.ndarray, np.ndarray, list[tuple[int, str]]]:
    """Line by line (the slow, exact path): good rows, their line numbers and the bad lines."""
    try:
        text = raw[lay.body_offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = lay.header_line + 1 + raw[lay.body_offset: lay.body_offset + exc.start].count(b"\n")
        raise ImuCsvError(path, bad_line, f"not UTF-8 text ({exc.reason})") from None
    rows: list[list[float]] = []
    lines: list[int] = []
    bad: list[tuple[int, str]] = []
    cols = lay.order
    all_lines = text.split("\n")
    for i, ln in enumerate(all_lines):
        content = ln.split("#", 1)[0].strip()
        if not content:
            continue
        lineno = lay.header_line + 1 + i
        fields = content.split(lay.sep)
        if len(fields) != lay.n_cols:
            bad.append((lineno, f"wrong column count: expected {lay.n_cols}, found {len(fields)}"))
            continue
        try:
            row = [float(fields[c].strip().replace(lay.decimal, ".")) for c in cols]
        except ValueError:
            col = next(c for c in cols if not _is_float(fields[c].strip().replace(lay.decimal, ".")))
            bad.append((lineno, f"non-numeric value {fields[col].strip()!r} in column {col + 1}"))
            continue
        if not all(np.isfinite(row)):
            bad.append((lineno, "non-numeric value (nan or inf)"))
            continue
        rows.append(row)
        lines.append(lineno)
    last_data = max([*lines, *(n for n, _ in bad)], default=0)
    torn_tail = len(bad) == 1 and bad[0][0] == last_data
    if bad and not torn_tail and len(bad) > MAX_BAD_LINE_FRACTION * (len(rows) + len(bad)):
        line, reason = bad[0]
        more = f" (and {len(bad) - 1} more bad lines)" if len(bad) > 1 else ""
        raise ImuCsvError(path, line, reason + more)
    values = np.asarray(rows, dtype=np.float64).reshape(-1, len(cols))
    return values, np.asarray(lines, dtype=np.int64), bad


def _is_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def write_imu_csv(series: ImuSeries, path: str | Path, comment: str | None = None) -> Path:
    """Write an ImuSeries as IMU CSV (g, deg/s); optional `#` comment lines first; gzip-compressed
    when the name ends in `.gz`."""
    path = Path(path)
    header = ",".join((CSV_TIME, *CSV_ACC_G, *CSV_GYR_DPS))
    table = np.column_stack([series.t_s, series.acc_g, series.gyro_dps])
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8", newline="\n") as fh:
        if comment:
            for line in comment.splitlines():
                fh.write(f"# {line}\n")
        fh.write(header + "\n")
        np.savetxt(fh, table, delimiter=",", fmt=["%.6f"] + ["%.6f"] * 3 + ["%.5f"] * 3)
    return path
