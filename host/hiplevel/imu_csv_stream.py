"""The IMU CSV read block by block (bounded memory): the text in pieces, each piece of lines parsed
by numpy's C parser (or line by line where it does not parse cleanly, naming each bad line), and
the sample times repaired in windows (`timeline.repair_times`, the file's own period).

A window ends only where the times run cleanly in order for `CARRY_S` on both sides, so no repair
(an out-of-order sample, a repeated or corrupted timestamp: all shorter than
`timeline.OUT_OF_ORDER_MAX_S`) reaches across it and each window is repaired as the whole file
would be; a clock jump back shifts everything after it, which carries over to the next windows.
"""

from __future__ import annotations

import codecs
import gzip
import io
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from hiplevel.signal.timeline import (MAX_CLOCK_JUMPS, TimeFix, TimelineError, TimelineSettings, nominal_period_s,
                                      repair_times)

PIECE_BYTES = 2**20  # text read at a time
EMIT_ROWS = 16_384  # samples repaired and handed on at a time
CARRY_S = 2.0  # clean, in-order time on both sides of a window's end
_GZIP_MAGIC = b"\x1f\x8b"


class TextError(Exception):
    """The file's bytes are not the text they claim to be: the reason, and the line (0: the file)."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


def text_pieces(path, piece: int = PIECE_BYTES) -> Iterator[bytes]:
    """UTF-8 bytes of the file in pieces: gunzipped, a UTF-8 BOM removed, UTF-16 (with its BOM)
    converted. TextError for a damaged gzip or bad UTF-16."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    opener = gzip.open if magic == _GZIP_MAGIC else open
    decoder = None
    first = True
    try:
        with opener(path, "rb") as fh:
            while True:
                raw = fh.read(piece)
                eof = not raw
                if first:
                    first = False
                    if raw.startswith(b"\xef\xbb\xbf"):
                        raw = raw[3:]
                    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                        decoder = codecs.getincrementaldecoder("utf-16")()
                if decoder is not None:
                    try:
                        raw = decoder.decode(raw, final=eof).encode("utf-8")
                    except UnicodeDecodeError as exc:
                        raise TextError(f"not UTF-16 text after its byte order mark ({exc.reason})") from None
                if raw:
                    yield raw
                if eof:
                    return
    except (OSError, EOFError, zlib.error) as exc:
        if magic != _GZIP_MAGIC:
            raise
        raise TextError(f"damaged gzip file ({exc})") from None


def line_chunks(pieces: Iterator[bytes]) -> Iterator[tuple[bytes, int]]:
    """(bytes of whole lines, 1-based number of the first) from text pieces; the last chunk may
    end without a newline."""
    carry, line = b"", 1
    for p in pieces:
        buf = carry + p
        cut = buf.rfind(b"\n") + 1
        if cut:
            yield buf[:cut], line
            line += buf.count(b"\n", 0, cut)
        carry = buf[cut:]
    if carry:
        yield carry, line


@dataclass(frozen=True)
class Layout:
    """What the header says: where the data start and how to read them."""

    header_line: int  # 1-based
    sep: str
    decimal: str
    n_cols: int
    order: list[int]  # column of t, ax, ay, az, gx, gy, gz
    acc_factor: float  # to g
    gyro_factor: float  # to deg/s
    units: dict


def parse_chunk(chunk: bytes, first_line: int, lay: Layout) -> tuple[np.ndarray, np.ndarray, list[tuple[int, str]]]:
    """(values (m, 7): t, ax, ay, az, gx, gy, gz in the file's units; the line of each row; bad
    lines [(line, reason)]) of whole lines. numpy's C parser reads clean lines; anything it does
    not take cleanly is read line by line (`parse_lines`)."""
    text = chunk.replace(b",", b".") if lay.decimal == "," else chunk
    vals = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # a chunk of comments only: "no data"
            arr = np.loadtxt(io.BytesIO(text), delimiter=lay.sep, comments="#", ndmin=2, dtype=np.float64)
        if arr.shape[1] == lay.n_cols or not len(arr):
            vals = arr[:, lay.order] if len(arr) else np.zeros((0, 7))
    except ValueError:
        vals = _usecols(text, lay)
    if vals is None or not np.isfinite(vals).all():
        return parse_lines(chunk, first_line, lay)
    n_lines = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
    if len(vals) == n_lines:
        return vals, first_line + np.arange(len(vals)), []
    return vals, data_line_numbers(chunk, first_line), []


def _usecols(text: bytes, lay: Layout) -> np.ndarray | None:
    """The wanted columns when other columns are not numbers (a label), provided every data line
    has the header's number of fields."""
    lines = [ln.split(b"#", 1)[0].strip() for ln in text.split(b"\n")]
    sep = lay.sep.encode()
    if any(ln and ln.count(sep) != lay.n_cols - 1 for ln in lines):
        return None
    try:
        return np.loadtxt(io.BytesIO(text), delimiter=lay.sep, comments="#", ndmin=2, dtype=np.float64,
                          usecols=lay.order).reshape(-1, 7)
    except ValueError:
        return None


def data_line_numbers(chunk: bytes, first_line: int) -> np.ndarray:
    """Line number of each data row of a chunk (rows skip blank and comment lines)."""
    keep = [i for i, ln in enumerate(chunk.split(b"\n")) if ln.split(b"#", 1)[0].strip()]
    return first_line + np.asarray(keep, dtype=np.int64)


def parse_lines(chunk: bytes, first_line: int, lay: Layout) -> tuple[np.ndarray, np.ndarray, list[tuple[int, str]]]:
    """Line by line (the slow, exact path): good rows, their line numbers and the bad lines.
    UnicodeDecodeError is raised as TextError naming the line in its message's first word."""
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextError(f"not UTF-8 text ({exc.reason})", first_line + chunk[: exc.start].count(b"\n")) from None
    rows: list[list[float]] = []
    lines: list[int] = []
    bad: list[tuple[int, str]] = []
    cols = lay.order
    for i, ln in enumerate(text.split("\n")):
        content = ln.split("#", 1)[0].strip()
        if not content:
            continue
        lineno = first_line + i
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
    return np.asarray(rows, dtype=np.float64).reshape(-1, 7), np.asarray(lines, dtype=np.int64), bad


def _is_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Fix:
    """A repair found in one window: the TimeFix (first = row in the file's data) and its line."""

    fix: TimeFix
    line: int


class WindowRepair:
    """Sample times repaired in windows (see the module docstring). push() raw rows (times as
    given, values, lines); take(final) returns (times, values, breaks) ready to hand on."""

    def __init__(self, period_s: float, settings: TimelineSettings | None = None) -> None:
        self.period = period_s
        self.settings = settings or TimelineSettings()
        self.carry = max(2, int(round(CARRY_S / period_s)))
        self._given: list[np.ndarray] = []
        self._v: list[np.ndarray] = []
        self._lines: list[np.ndarray] = []
        self._n = 0
        self.row0 = 0  # file data row of the first buffered row
        self.shift = 0.0  # clock jumps so far: added to the times of later rows
        self.jumps = 0
        self.first_jump: tuple[int, float] | None = None
        self.fixes: list[Fix] = []

    def __len__(self) -> int:
        return self._n

    def push(self, t: np.ndarray, v: np.ndarray, lines: np.ndarray) -> None:
        self._given.append(t)
        self._v.append(v)
        self._lines.append(lines)
        self._n += len(t)

    def take(self, final: bool) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]] | None:
        if not self._n:
            return None
        given = np.concatenate(self._given)
        t = given + self.shift
        j = self._clean_end(t[: EMIT_ROWS + self.carry])
        if j is None and len(t) > EMIT_ROWS + self.carry:
            j = self._clean_end(t)  # a messy stretch: the window grows past it
        if final and (j is None or len(t) <= EMIT_ROWS + self.carry):
            j = len(t)
        if j is None:
            return None
        v, lines = np.concatenate(self._v), np.concatenate(self._lines)
        self._count_jumps(t[:j], given)
        fix = repair_times(t[:j], self.settings, period_s=self.period)
        for f in fix.fixes:
            self.fixes.append(Fix(TimeFix(f.kind, f.count, f.first + self.row0, float(given[f.first]), f.shift_s),
                                  int(lines[f.first])))
            if f.kind == "clock_back":
                self.shift += f.shift_s
        # Copies: a view would keep the whole window's array alive as long as the block.
        out = (fix.t_s, v[:j][fix.keep] if fix.changed else v[:j].copy(), tuple(fix.breaks))
        self._given, self._v, self._lines = [given[j:].copy()], [v[j:].copy()], [lines[j:].copy()]
        self._n -= j
        self.row0 += j
        return out

    def _clean_end(self, t: np.ndarray) -> int | None:
        """The last row j (<= len - carry) with clean steps (forward) for `carry` rows on both
        sides; None when there is none."""
        c = self.carry
        if len(t) < 2 * c + 2:
            return None
        bad = np.diff(t) <= 0
        if not bad.any():
            return len(t) - c
        cum = np.concatenate([[0], np.cumsum(bad)])
        j = np.arange(c, len(t) - c + 1)
        ok = cum[np.minimum(j + c - 1, len(bad))] - cum[j - c] == 0
        return int(j[ok][-1]) if ok.any() else None

    def _count_jumps(self, t: np.ndarray, given: np.ndarray) -> None:
        """TimelineError once the jumps back of all windows pass MAX_CLOCK_JUMPS (`repair_times`
        counts those of one window)."""
        back = np.flatnonzero(np.diff(t) < -self.settings.out_of_order_max_s)
        if len(back) and self.first_jump is None:
            self.first_jump = (self.row0 + int(back[0]) + 1, float(given[int(back[0]) + 1]))
        self.jumps += len(back)
        if self.jumps > MAX_CLOCK_JUMPS and self.first_jump is not None:
            row, t0 = self.first_jump
            raise TimelineError(f"the sample times jump back {self.jumps} times (first at sample {row + 1}, t = {t0:g} s): "
                                "they are not one clock")


def merged_fixes(fixes: list[Fix], rows: int) -> list[Fix]:
    """One fix per kind over all windows (counts added, the first place kept), clock jumps each
    on their own and counting the samples after them to the end of the file (`rows` in all), in
    file order (as `repair_times` of the whole file reports them)."""
    out: dict = {}
    for f in fixes:
        if f.fix.kind == "clock_back":
            f = Fix(TimeFix(f.fix.kind, rows - f.fix.first, f.fix.first, f.fix.first_t_s, f.fix.shift_s), f.line)
        key = f.fix.kind if f.fix.kind != "clock_back" else ("clock_back", f.fix.first)
        old = out.get(key)
        if old is None:
            out[key] = f
        else:
            first = old if old.fix.first <= f.fix.first else f
            out[key] = Fix(TimeFix(f.fix.kind, old.fix.count + f.fix.count, first.fix.first, first.fix.first_t_s,
                                   first.fix.shift_s), first.line)
    return sorted(out.values(), key=lambda f: f.fix.first)


__all__ = ["CARRY_S", "EMIT_ROWS", "Fix", "Layout", "TextError", "WindowRepair", "line_chunks", "merged_fixes",
           "nominal_period_s", "parse_chunk", "parse_lines", "text_pieces"]
