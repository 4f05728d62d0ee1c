"""The IMU CSV of the analysis interface: read and write, with errors that name the line.

Format: optional `#` comment lines and blank lines anywhere; one header line naming seven
columns: `t_s`, an accelerometer triple in g (`ax_g,ay_g,az_g`) or m/s^2 (`ax_ms2,...`) and a gyro
triple in deg/s (`gx_dps,...`) or rad/s (`gx_rps,...`), in any order; then one sample per line.
Body frame x forward, y left, z up. Time strictly increasing, median rate 50..200 Hz (jitter ok).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hiplevel.constants import CSV_ACC_G, CSV_ACC_MS2, CSV_GYR_DPS, CSV_GYR_RPS, CSV_TIME, STANDARD_GRAVITY_MS2
from hiplevel.errors import HiplevelError
from hiplevel.samples import ImuSeries

MIN_SAMPLES = 10
MIN_RATE_HZ = 50.0
MAX_RATE_HZ = 200.0
RATE_TOLERANCE = 0.02  # a nominal 50 Hz stream with a slow clock still reads as 50 Hz


class ImuCsvError(HiplevelError):
    """A malformed IMU CSV file. `line` is the 1-based line number (0 = the file as a whole)."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"line {line}" if line > 0 else "file"
        super().__init__(f"{path}: {where}: {reason}")


def _parse_header(path: str | Path, lineno: int, line: str) -> tuple[list[int], float, float]:
    """Column order (t, ax, ay, az, gx, gy, gz) and unit factors to g and deg/s."""
    names = [c.strip().lstrip("\ufeff") for c in line.split(",")]
    if len(names) != 7:
        raise ImuCsvError(path, lineno, f"bad header: expected 7 columns, found {len(names)} ({line.strip()!r})")
    if len(set(names)) != 7:
        raise ImuCsvError(path, lineno, "bad header: duplicate column names")
    if CSV_TIME not in names:
        raise ImuCsvError(path, lineno, f"bad header: no '{CSV_TIME}' column")
    acc = next(((cols, f) for cols, f in ((CSV_ACC_G, 1.0), (CSV_ACC_MS2, 1.0 / STANDARD_GRAVITY_MS2)) if set(cols) <= set(names)), None)
    gyr = next(((cols, f) for cols, f in ((CSV_GYR_DPS, 1.0), (CSV_GYR_RPS, float(np.degrees(1.0)))) if set(cols) <= set(names)), None)
    if acc is None:
        raise ImuCsvError(path, lineno, "bad header: need ax_g,ay_g,az_g or ax_ms2,ay_ms2,az_ms2 (one unit for all three)")
    if gyr is None:
        raise ImuCsvError(path, lineno, "bad header: need gx_dps,gy_dps,gz_dps or gx_rps,gy_rps,gz_rps (one unit for all three)")
    order = [names.index(CSV_TIME)] + [names.index(c) for c in acc[0]] + [names.index(c) for c in gyr[0]]
    return order, acc[1], gyr[1]


def read_imu_csv(path: str | Path) -> ImuSeries:
    """Read an IMU CSV into an ImuSeries (g, deg/s, body frame); ImuCsvError names the bad line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ImuCsvError(path, 0, f"not UTF-8 text ({exc.reason})") from exc
    rows = [(i + 1, ln) for i, ln in enumerate(text.splitlines()) if ln.strip() and not ln.lstrip().startswith("#")]
    if not rows:
        raise ImuCsvError(path, 0, "empty file: no header")
    order, acc_f, gyr_f = _parse_header(path, *rows[0])
    data = rows[1:]
    fields = [ln.split(",") for _, ln in data]
    for (lineno, ln), f in zip(data, fields):
        if len(f) != 7:
            raise ImuCsvError(path, lineno, f"wrong column count: expected 7, found {len(f)}")
    try:
        values = np.array(fields, dtype=float) if fields else np.empty((0, 7))
    except ValueError:
        for (lineno, _), f in zip(data, fields):
            for col, v in enumerate(f):
                try:
                    float(v)
                except ValueError:
                    raise ImuCsvError(path, lineno, f"non-numeric value {v.strip()!r} in column {col + 1}") from None
        raise
    bad = np.flatnonzero(~np.isfinite(values).all(axis=1))
    if len(bad):
        raise ImuCsvError(path, data[bad[0]][0], "non-numeric value (nan or inf)")
    if len(values) < MIN_SAMPLES:
        last = data[-1][0] if data else rows[0][0]
        raise ImuCsvError(path, last, f"too few samples: {len(values)} (need at least {MIN_SAMPLES})")
    values = values[:, order]
    t = values[:, 0]
    dt = np.diff(t)
    nonincr = np.flatnonzero(dt <= 0)
    if len(nonincr):
        k = nonincr[0] + 1
        raise ImuCsvError(path, data[k][0], f"time not increasing: {t[k]:g} s after {t[k - 1]:g} s")
    rate = 1.0 / float(np.median(dt))
    if not MIN_RATE_HZ * (1 - RATE_TOLERANCE) <= rate <= MAX_RATE_HZ * (1 + RATE_TOLERANCE):
        raise ImuCsvError(path, data[0][0], f"sample rate {rate:.1f} Hz outside {MIN_RATE_HZ:g}-{MAX_RATE_HZ:g} Hz")
    return ImuSeries(
        t_s=t.copy(), acc_g=values[:, 1:4] * acc_f, gyro_dps=values[:, 4:7] * gyr_f,
        meta={"source": str(path), "frame": "body"},
    )


def write_imu_csv(series: ImuSeries, path: str | Path, comment: str | None = None) -> Path:
    """Write an ImuSeries as IMU CSV (g, deg/s); optional `#` comment lines first."""
    path = Path(path)
    header = ",".join((CSV_TIME, *CSV_ACC_G, *CSV_GYR_DPS))
    table = np.column_stack([series.t_s, series.acc_g, series.gyro_dps])
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        if comment:
            for line in comment.splitlines():
                fh.write(f"# {line}\n")
        fh.write(header + "\n")
        np.savetxt(fh, table, delimiter=",", fmt=["%.6f"] + ["%.6f"] * 3 + ["%.5f"] * 3)
    return path
