"""Incremental, crash-safe writer of recordings (docs/recording.md).

Every record is written as it happens; the file is flushed and fsync'ed whenever `flush_interval_s`
has passed since the last sync (checked on each write and by `maybe_flush`, which `record_link` calls
while the link is idle), so a crash or power cut loses at most about that interval plus one write.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hiplevel import __version__
from hiplevel.errors import RecordingError
from hiplevel.link.base import Link, Received, host_now_s
from hiplevel.protocol import Channel
from hiplevel.recording.format import RecordKind, encode_header, encode_record

DEFAULT_FLUSH_INTERVAL_S = 0.5

# Event types written by the host (docs/recording.md lists their fields).
EVENT_META = "meta"
EVENT_EXERCISE = "exercise"
EVENT_SET_START = "set_start"
EVENT_SET_END = "set_end"
EVENT_LINK = "link"
EVENT_NOTE = "note"


class RecordingWriter:
    """Append-only writer of one recording file.

    path: file to create (must not exist). header: metadata known at the start (device, firmware,
    calibration, patient_id, session_id, ...); anything learnt later is added with `write_meta`.
    clock: host monotonic clock, seconds (injectable so tests control time without sleeping).
    """

    def __init__(self, path: str | os.PathLike[str], header: dict[str, Any] | None = None,
                 flush_interval_s: float = DEFAULT_FLUSH_INTERVAL_S, clock: Callable[[], float] = host_now_s,
                 fsync: bool = True) -> None:
        self.path = Path(path)
        self.flush_interval_s = flush_interval_s
        self._clock = clock
        self._fsync = fsync
        now = clock()
        full = {
            "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "created_unix_s": time.time(),
            "host_monotonic_origin_s": now,
            "host": {"hiplevel": __version__, "python": platform.python_version(), "platform": platform.platform()},
            **(header or {}),
        }
        try:
            self._file = open(self.path, "xb")  # noqa: SIM115 - kept open for the session
        except FileExistsError:
            raise RecordingError(f"{self.path} already exists; recordings are never overwritten") from None
        self._file.write(encode_header(full))
        self.header = full
        self.records_written = 0
        self.bytes_written = 0
        self._last_sync = -float("inf")
        self.flush()
        self._sync_dir()

    def _sync_dir(self) -> None:
        # The new directory entry must survive a power cut too, not only the file's blocks.
        if not self._fsync or os.name != "posix":
            return
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _write(self, kind: RecordKind, channel: int, host_time_s: float, data: bytes) -> None:
        if self._file.closed:
            raise RecordingError(f"{self.path} is closed")
        blob = encode_record(kind, channel, host_time_s, data)
        self._file.write(blob)
        self.records_written += 1
        self.bytes_written += len(blob)
        self.maybe_flush()

    def write_received(self, rx: Received) -> None:
        """Bytes as received on a channel, with their host receive time."""
        self._write(RecordKind.RX, int(rx.channel), rx.host_time_s, rx.data)

    def write_sent(self, data: bytes, host_time_s: float | None = None, channel: int = Channel.COMMAND) -> None:
        """Bytes the host sent (a command packet)."""
        self._write(RecordKind.TX, int(channel), self._clock() if host_time_s is None else host_time_s, data)

    def write_event(self, type_: str, host_time_s: float | None = None, **fields: Any) -> None:
        """A JSON event {"type": type_, **fields} at host time `host_time_s` (default now)."""
        t = self._clock() if host_time_s is None else host_time_s
        data = json.dumps({"type": type_, **fields}, allow_nan=False).encode("utf-8")
        self._write(RecordKind.EVENT, 0, t, data)

    def write_meta(self, **fields: Any) -> None:
        """Metadata learnt during the session (device info, firmware, calibration...): the reader
        merges these into the header, later values winning."""
        self.write_event(EVENT_META, **fields)

    def maybe_flush(self) -> None:
        """Flush and fsync if `flush_interval_s` has passed since the last sync."""
        if self._clock() - self._last_sync >= self.flush_interval_s:
            self.flush()

    def flush(self) -> None:
        """Flush Python's buffer and fsync the file now."""
        if self._file.closed:
            return
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())
        self._last_sync = self._clock()

    def close(self) -> None:
        """Flush, fsync and close (idempotent)."""
        if not self._file.closed:
            self.flush()
            self._file.close()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def record_link(link: Link, writer: RecordingWriter, idle_flush_s: float | None = None,
                      on_received: Callable[[Received], None] | None = None) -> int:
    """Write everything `link` delivers until it ends; returns the number of packets recorded.

    While no packet arrives the writer is still flushed every `idle_flush_s` (default: its flush
    interval), so the last packets before a crash are on disk. Commands sent on the link meanwhile
    are recorded as TX records. A `link` event marks the end.
    """
    idle_s = writer.flush_interval_s if idle_flush_s is None else idle_flush_s

    def on_sent(packet: bytes, host_time_s: float) -> None:
        writer.write_sent(packet, host_time_s)

    link.sent_listeners.append(on_sent)
    try:
        return await _record_loop(link, writer, idle_s, on_received)
    finally:
        link.sent_listeners.remove(on_sent)


async def _record_loop(link: Link, writer: RecordingWriter, idle_s: float,
                       on_received: Callable[[Received], None] | None) -> int:
    n = 0
    while True:
        try:
            rx = await link.receive(timeout_s=idle_s)
        except asyncio.TimeoutError:
            writer.maybe_flush()
            continue
        if rx is None:
            writer.write_event(EVENT_LINK, state="ended")
            writer.flush()
            return n
        writer.write_received(rx)
        n += 1
        if on_received is not None:
            on_received(rx)
