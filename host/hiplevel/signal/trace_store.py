"""Per-sample arrays of a long analysis kept out of the way: in memory up to a budget, then in
temporary files, read back by sample range. This is what lets the offline analysis make several
passes over a recording (fusion, the turn correction, the alignment, the detectors) while holding
only a chunk of it in memory at a time.

Each array is written in order (`append`, any piece sizes) under a key (segment, field) and stored
in blocks of `block` rows; `read(key, a, b)` returns rows [a, b) as one array (a copy).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hiplevel.signal.contiguous import contiguous

STORE_BLOCK = 16_384  # rows per stored block
_POSITIONAL = hasattr(os, "pwrite") and hasattr(os, "preadv")  # reads and writes at an offset (not Windows)
MAX_OPEN_FILES = 16  # spilled keys' files kept open at a time (a segment has 5 keys)
RAM_BUDGET_BYTES = 0 * 2**20  # blocks beyond this go to temporary files


class TraceStore:
    """Arrays by (segment, field), written in order and read by row range.

    ram_budget_bytes: bytes of blocks kept in memory; later blocks are written to a temporary
    directory (removed by `close`, also used as a context manager)."""

    def __init__(self, ram_budget_bytes: int = RAM_BUDGET_BYTES, block: int = STORE_BLOCK) -> None:
        self.block = int(block)
        self.ram_budget_bytes = int(ram_budget_bytes)
        self._ram_bytes = 0
        self._blocks: dict[tuple, list[np.ndarray | _Spilled]] = {}
        self._pending: dict[tuple, list[np.ndarray]] = {}
        self._rows: dict[tuple, int] = {}
        self._dir: Path | None = None
        self._file_bytes: dict[tuple, int] = {}  # bytes in each key's file so far
        self._fds: dict[tuple, int] = {}  # each spilled key's file, open from its first block to its drop
        self.spilled_bytes = 0

    def __enter__(self) -> TraceStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Forget everything and remove the temporary files."""
        self._blocks.clear()
        self._pending.clear()
        self._rows.clear()
        self._file_bytes.clear()
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def rows(self, key: tuple) -> int:
        """Rows written under key so far."""
        return self._rows.get(key, 0)

    def has(self, key: tuple) -> bool:
        return key in self._rows

    def append(self, key: tuple, arr: np.ndarray) -> None:
        """Add rows at the end of key's array."""
        arr = np.asarray(arr)
        pend = self._pending.setdefault(key, [])
        self._blocks.setdefault(key, [])
        pend.append(arr)
        self._rows[key] = self._rows.get(key, 0) + len(arr)
        n = sum(len(p) for p in pend)
        if n >= self.block:
            whole = np.concatenate(pend) if len(pend) > 1 else pend[0]
            cut = (n // self.block) * self.block
            for a in range(0, cut, self.block):
                self._keep(key, whole[a : a + self.block])
            self._pending[key] = [whole[cut:]] if cut < n else []

    def flush(self, key: tuple) -> None:
        """Store the last, partial block of key (after its last `append`)."""
        pend = self._pending.pop(key, [])
        if pend:
            self._keep(key, np.concatenate(pend) if len(pend) > 1 else pend[0])
        self._pending[key] = []

    def drop(self, key: tuple) -> None:
        """Forget key's array (before writing it again)."""
        fd = self._fds.pop(key, None)
        if fd is not None:
            os.close(fd)
        for b in self._blocks.pop(key, []):
            if isinstance(b, _Spilled):
                b.path.unlink(missing_ok=True)  # the key's one file (each of its spilled blocks names it)
            else:
                self._ram_bytes -= b.nbytes
        self._file_bytes.pop(key, None)
        self._pending.pop(key, None)
        self._rows.pop(key, None)

    def read(self, key: tuple, a: int, b: int) -> np.ndarray:
        """Rows [a, b) of key's array (written and flushed), as a new array."""
        blocks = self._blocks[key]
        a, b = max(0, a), min(b, self._rows[key])
        first, last = a // self.block, max(a, b - 1) // self.block
        ref = blocks[first]
        if first == last and not isinstance(ref, _Spilled):
            return np.array(ref[a - first * self.block : b - first * self.block])
        # Each block's rows go straight into the result: the rows of consecutive spilled blocks are
        # one stretch of the key's file (every block but the last is whole), read at once (no
        # whole block loaded, no concatenation).
        out = np.empty((max(b - a, 0), *ref.shape[1:]), ref.dtype)
        k = 0
        q = first
        while q <= last:
            blk = blocks[q]
            lo = max(a - q * self.block, 0)
            if isinstance(blk, _Spilled):
                r = q
                while r < last and isinstance(blocks[r + 1], _Spilled):
                    r += 1
                hi = min(b - r * self.block, blocks[r].shape[0])
                n = (r - q) * self.block + hi - lo
                if n > 0:
                    blk.read_rows(lo, lo + n, out[k : k + n], self._fd(key, blk.path) if _POSITIONAL else None)
                    k += n
                q = r + 1
                continue
            hi = min(b - q * self.block, blk.shape[0])
            if hi > lo:
                out[k : k + hi - lo] = blk[lo:hi]
                k += hi - lo
            q += 1
        return out

    def _fd(self, key: tuple, path: Path) -> int:
        """key's file, open for reading and writing at offsets (at most MAX_OPEN_FILES stay open:
        a recording with many gaps has many keys; the longest open is closed first)."""
        fd = self._fds.get(key)
        if fd is None:
            if len(self._fds) >= MAX_OPEN_FILES:
                os.close(self._fds.pop(next(iter(self._fds))))
            fd = self._fds[key] = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        return fd

    def _keep(self, key: tuple, arr: np.ndarray) -> None:
        arr = contiguous(arr)
        if self._ram_bytes + arr.nbytes <= self.ram_budget_bytes:
            self._blocks[key].append(arr)
            self._ram_bytes += arr.nbytes
            return
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="hiplevel-analysis-"))
        # One file per key, its blocks one after the other (a file per block cost a file created,
        # opened and removed for every 16,384 rows). Raw bytes, the dtype, shape and offset kept
        # here: np.load parses a header on every read (a quarter of the store's time over the
        # many reads of a long analysis).
        path = self._dir / f"{'-'.join(map(str, key))}.bin"
        offset = self._file_bytes.get(key, 0)
        if _POSITIONAL:
            # The key's file stays open (a Python file opened per block and per read cost more
            # than its bytes: ~700 opens for the hour's passes): written and read at offsets.
            fd = self._fd(key, path)
            view = memoryview(arr).cast("B")
            done = 0
            while done < len(view):
                done += os.pwrite(fd, view[done:], offset + done)
        else:
            with open(path, "ab") as fh:
                arr.tofile(fh)
        self._file_bytes[key] = offset + arr.nbytes
        self.spilled_bytes += arr.nbytes
        self._blocks[key].append(_Spilled(path, arr.dtype, arr.shape, offset))


@dataclass(frozen=True)
class _Spilled:
    """A block written to a temporary file (its key's), from byte `offset` on."""

    path: Path
    dtype: np.dtype
    shape: tuple[int, ...]
    offset: int = 0

    def read_rows(self, lo: int, hi: int, dst: np.ndarray, fd: int | None = None) -> None:
        """Rows [lo, hi) from the block's start into dst (C-contiguous, hi - lo rows; past the
        block's end: the next blocks' rows, written after it in the same file); fd: the file's
        open descriptor, when the store holds one."""
        row = dst.itemsize * int(np.prod(self.shape[1:], dtype=np.int64))
        start = self.offset + lo * row
        view = memoryview(dst).cast("B")
        if fd is not None:
            got = 0
            while got < len(view):
                n = os.preadv(fd, [view[got:]], start + got)
                if n <= 0:
                    break
                got += n
        else:
            with open(self.path, "rb") as fh:
                fh.seek(start)
                got = fh.readinto(view)
        if got != (hi - lo) * row:
            raise OSError(f"{self.path}: {got} of {(hi - lo) * row} bytes read")
