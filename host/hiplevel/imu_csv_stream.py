"""The IMU CSV read block by block (bounded memory): the text in pieces, each piece of lines parsed
by numpy's C parser (or line by line where it does not parse cleanly, naming each bad line); the
sample times are then repaired in windows (`signal.window_repair`).
"""

from __future__ import annotations

import codecs
import gzip
import io
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from locale import localeconv

import numpy as np

from hiplevel._native import csv_kernel

PIECE_BYTES = 2**20  # text read at a time
_IN_ORDER = list(range(7))  # Layout.order of t, ax, ay, az, gx, gy, gz as the only columns, in order
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
    kernel = csv_kernel()
    newlines = kernel.newlines if kernel is not None else _newlines
    carry, line = b"", 1
    for p in pieces:
        buf = carry + p
        cut = buf.rfind(b"\n") + 1
        if cut:
            yield buf[:cut], line
            line += newlines(buf, cut)
        carry = buf[cut:]
    if carry:
        yield carry, line


def _newlines(buf: bytes, stop: int) -> int:
    """The newlines in buf[:stop] (the compiled kernel's `newlines` counts them faster)."""
    return buf.count(b"\n", 0, stop)


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
    vals = _compiled(text, lay)
    if vals is not None:  # clean lines of plain numbers: the compiled kernel's values are loadtxt's
        return vals, first_line + np.arange(len(vals)), []
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


def _compiled(text: bytes, lay: Layout) -> np.ndarray | None:
    """The wanted columns of `text` by the optional compiled parser (`hiplevel._native`), when it
    is built and every line is n_cols plain numbers (no blank or comment line, no bad field; the
    values: strtod's, correctly rounded as loadtxt's); None otherwise (then loadtxt as before).
    A file of just the seven columns in their order is read as it is (a read-only array over the
    kernel's bytes: the readers copy what they keep)."""
    kernel = csv_kernel()
    if kernel is None or len(lay.sep) != 1 or localeconv()["decimal_point"] != ".":
        return None
    got = kernel.parse(text, lay.n_cols, lay.sep)
    if got is None:
        return None
    vals = np.frombuffer(got, dtype=np.float64).reshape(-1, lay.n_cols)
    if lay.n_cols != 7 or lay.order != _IN_ORDER:  # other columns, or another order: the wanted ones (a copy)
        vals = vals[:, lay.order]
    return vals if np.isfinite(vals).all() else None


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


__all__ = ["Layout", "TextError", "line_chunks", "parse_chunk", "parse_lines", "text_pieces"]
