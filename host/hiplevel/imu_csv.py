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
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from hiplevel.constants import CSV_ACC_G, CSV_ACC_MS2, CSV_GYR_DPS, CSV_GYR_RPS, CSV_TIME, STANDARD_GRAVITY_MS2
from hiplevel.errors import HiplevelError
from hiplevel.imu_csv_stream import Layout, TextError, line_chunks, parse_chunk, text_pieces
from hiplevel.samples import ImuSeries
from hiplevel.signal.long_trace import RawBlock
from hiplevel.signal import window_repair
from hiplevel.signal.timeline import PERIOD_PROBE_SAMPLES, TimeFix, TimelineError, nominal_period_s, repair_times
from hiplevel.signal.window_repair import WindowRepair, merged_fixes

MIN_SAMPLES = 10
MIN_RATE_HZ = 50.0
MAX_RATE_HZ = 200.0
RATE_TOLERANCE = 0.02  # a nominal 50 Hz stream with a slow clock still reads as 50 Hz
MAX_BAD_LINE_FRACTION = 0.01  # malformed data lines skipped with a warning; more reject the file
EXPECTED_HEADER = ",".join((CSV_TIME, *CSV_ACC_G, *CSV_GYR_DPS))
HEADER_HELP = (f"expected a header line like {EXPECTED_HEADER} (accelerometer ax_g,ay_g,az_g in g or "
               "ax_ms2,ay_ms2,az_ms2 in m/s^2; gyroscope gx_dps,gy_dps,gz_dps in deg/s or gx_rps,gy_rps,gz_rps "
               "in rad/s; t_s in seconds; any column order, separated by ',' or ';')")
_SEPARATORS = (",", ";", "\t")


class ImuCsvError(HiplevelError):
    """A malformed IMU CSV file. `line` is the 1-based line number (0 = the file as a whole)."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"line {line}" if line > 0 else "file"
        super().__init__(f"{path}: {where}: {reason}")


def read_imu_csv(path: str | Path) -> ImuSeries:
    """Read an IMU CSV (plain or gzip) into an ImuSeries (g, deg/s, body frame, times repaired);
    ImuCsvError names the bad line. Repairs and skipped lines are listed in `meta["warnings"]`
    (sentences) and `meta["repairs"]` (kind, samples, first_line, first_t_s). The same samples as
    `csv_source(path)` hands on block by block."""
    src = csv_source(path)
    blocks = list(src.blocks())
    t = np.concatenate([b.t_s for b in blocks])
    values = np.concatenate([b.values for b in blocks])
    breaks, n = [], 0
    for b in blocks:
        breaks += [n + x for x in b.breaks]
        n += len(b.t_s)
    meta = {**src.meta, "breaks": tuple(breaks)}
    return ImuSeries(t_s=t, acc_g=values[:, :3], gyro_dps=values[:, 3:6], meta=meta)


def csv_source(path: str | Path) -> CsvSource:
    """The IMU CSV as a `long_trace.SampleSource`: read block by block when analysed (memory: a
    few MB whatever the file's length). Header errors are raised here, the others while reading."""
    return CsvSource(path)


class CsvSource:
    """An IMU CSV read block by block (`csv_source`). After `blocks()` is exhausted: `warnings`,
    `repairs`, `time_fixes`, `samples` and `meta` (as `read_imu_csv` puts in the series)."""

    kind = "imu"

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.layout = _find_header(path)
        self.units = self.layout.units
        self.warnings: list[str] = []
        self.repairs: list[dict] = []
        self.time_fixes: tuple[TimeFix, ...] = ()
        self.samples = 0
        self._last_line = 0

    @property
    def meta(self) -> dict:
        return {"source": str(self.path), "frame": "body", "units": self.units, "warnings": self.warnings,
                "repairs": self.repairs}

    def blocks(self) -> Iterator[RawBlock]:
        """Repaired samples (g, deg/s) in blocks of about EMIT_ROWS; ImuCsvError as `read_imu_csv`."""
        lay, path = self.layout, self.path
        repair: WindowRepair | None = None
        probe: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        bad: list[tuple[int, str]] = []
        n_probe = 0
        for vals, lines, skipped in self._parsed():
            bad += skipped
            self._last_line = max(self._last_line, int(lines[-1]) if len(lines) else 0, skipped[-1][0] if skipped else 0)
            if not len(vals):
                continue
            t, v = vals[:, 0].copy(), _in_g_and_dps(vals, lay)
            del vals
            if repair is None:
                probe.append((t, v, lines))
                n_probe += len(t)
                if n_probe <= PERIOD_PROBE_SAMPLES:
                    continue
                repair = self._start(probe, bad, final=False)
                probe = []
            else:
                repair.push(t, v, lines)
            while len(repair) >= window_repair.EMIT_ROWS:
                got = self._take(repair, False)
                if got is None:
                    break
                yield got
        if repair is None:
            repair = self._start(probe, bad, final=True)
        while (got := self._take(repair, True)) is not None:
            yield got
        _check_bad_lines(path, bad, self.samples, self._last_line)
        self._report(repair, bad)

    def _parsed(self):
        lay = self.layout
        try:
            for chunk, first in line_chunks(text_pieces(self.path)):
                if first <= lay.header_line:  # the header and what comes before it
                    skip = 0
                    for _ in range(lay.header_line - first + 1):
                        skip = chunk.find(b"\n", skip) + 1
                        if skip == 0:
                            break
                    if skip == 0:
                        continue
                    chunk, first = chunk[skip:], lay.header_line + 1
                if chunk:
                    yield parse_chunk(chunk, first, lay)
        except TextError as exc:
            raise ImuCsvError(self.path, exc.line, exc.reason) from None

    def _start(self, probe, bad: list[tuple[int, str]], final: bool) -> WindowRepair:
        """The file's period from its first samples; the checks `read_imu_csv` makes before any
        sample is handed on (a short file: all of them, in the same order)."""
        path = self.path
        t = np.concatenate([p[0] for p in probe]) if probe else np.zeros(0)
        lines = np.concatenate([p[2] for p in probe]) if probe else np.zeros(0, np.int64)
        if final:
            _check_bad_lines(path, bad, len(t), self._last_line)
        period = nominal_period_s(t)
        if final:
            try:
                repair_times(t, period_s=period)
            except TimelineError as exc:
                raise ImuCsvError(path, 0, str(exc)) from None
            if len(t) < MIN_SAMPLES and bad:  # the bad line is what the person needs to see
                raise ImuCsvError(path, bad[0][0], f"{bad[0][1]} (and only {len(t)} good samples)")
            if len(t) < MIN_SAMPLES:
                last = int(lines[-1]) if len(lines) else self.layout.header_line
                raise ImuCsvError(path, last, f"too few samples: {len(t)} (need at least {MIN_SAMPLES})")
        rate = 1.0 / period if period > 0 else float("nan")
        if not MIN_RATE_HZ * (1 - RATE_TOLERANCE) <= rate <= MAX_RATE_HZ * (1 + RATE_TOLERANCE):
            hint = ": t_s must be in seconds (these steps look like milliseconds)" if \
                MIN_RATE_HZ <= rate * 1000 <= MAX_RATE_HZ else ""
            raise ImuCsvError(path, int(lines[0]), f"sample rate {rate:.1f} Hz outside {MIN_RATE_HZ:g}-{MAX_RATE_HZ:g} Hz{hint}")
        repair = WindowRepair(period)
        for p in probe:
            repair.push(*p)
        return repair

    def _take(self, repair: WindowRepair, final: bool) -> RawBlock | None:
        try:
            got = repair.take(final)
        except TimelineError as exc:
            raise ImuCsvError(self.path, 0, str(exc)) from None
        if got is None:
            return None
        t, v, breaks = got
        self.samples += len(t)
        return RawBlock(t, v, breaks)

    def _report(self, repair: WindowRepair, bad: list[tuple[int, str]]) -> None:
        warnings, repairs = [], []
        if bad:
            shown = ", ".join(str(n) for n, _ in bad[:5]) + (" ..." if len(bad) > 5 else "")
            warnings.append(f"{len(bad)} malformed line(s) skipped ({bad[0][1]}): line {shown}")
            repairs.append({"kind": "malformed_line", "samples": len(bad), "first_line": bad[0][0], "first_t_s": None})
        fixes = merged_fixes(repair.fixes, repair.row0)
        for f in fixes:
            warnings.append(f.fix.describe(f"line {f.line}, t_s = {f.fix.first_t_s:g}"))
            repairs.append({"kind": f.fix.kind, "samples": f.fix.count, "first_line": f.line, "first_t_s": f.fix.first_t_s})
        self.warnings, self.repairs = warnings, repairs
        self.time_fixes = tuple(f.fix for f in fixes)


def _in_g_and_dps(vals: np.ndarray, lay: Layout) -> np.ndarray:
    """Columns 1-6 of parsed rows in g and deg/s; a file in those units is not multiplied by 1 (the
    same bits: x * 1.0 is x), its columns handed on as they are (the repair copies them)."""
    if lay.acc_factor == 1.0 and lay.gyro_factor == 1.0:
        return vals[:, 1:7]
    return np.column_stack([vals[:, 1:4] * lay.acc_factor, vals[:, 4:7] * lay.gyro_factor])


def _check_bad_lines(path: str | Path, bad: list[tuple[int, str]], good: int, last_line: int) -> None:
    """Up to MAX_BAD_LINE_FRACTION of the data lines (or one torn last line) may be malformed."""
    if not bad:
        return
    torn_tail = len(bad) == 1 and bad[0][0] == last_line
    if len(bad) > MAX_BAD_LINE_FRACTION * (good + len(bad)) and not torn_tail:
        line, reason = bad[0]
        more = f" (and {len(bad) - 1} more bad lines)" if len(bad) > 1 else ""
        raise ImuCsvError(path, line, reason + more)


def _find_header(path: str | Path) -> Layout:
    """The header line (the first that is neither blank nor a comment) and the first line after it."""
    lineno = 0
    header: tuple[int, str] | None = None
    try:
        for chunk, first in line_chunks(text_pieces(path, 2**16)):
            for i, line_b in enumerate(chunk.split(b"\n")[: chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)]):
                lineno = first + i
                if header is not None:
                    return _layout(path, header[0], header[1], line_b)
                stripped = line_b.strip()
                if stripped and not stripped.startswith(b"#"):
                    try:
                        header = (lineno, line_b.decode("utf-8").rstrip("\r"))
                    except UnicodeDecodeError as exc:
                        raise ImuCsvError(path, lineno, f"not UTF-8 text ({exc.reason}); {HEADER_HELP}") from None
    except TextError as exc:
        raise ImuCsvError(path, exc.line, exc.reason) from None
    if header is not None:
        return _layout(path, header[0], header[1], b"")
    raise ImuCsvError(path, 0, f"empty file: no header; {HEADER_HELP}")


def _norm(name: str) -> str:
    return name.strip().strip("\"'").strip().lower()


def _layout(path: str | Path, lineno: int, line: str, first_data: bytes) -> Layout:
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
        decimal = "," if b"," in first_data and b"." not in first_data else "."
    units = {"acc": acc[2], "gyro": gyr[2], "columns": [names[i] for i in order]}
    return Layout(lineno, sep, decimal, len(names), order, acc[1], gyr[1], units)


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
