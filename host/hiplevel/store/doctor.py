"""`hiplevel doctor`: is the store whole? The database's own integrity, every session's recording
against its row (present, same size and SHA-256 as when it was filed, records whose CRC-32 fails),
every set with its summary, trace and reps, and recordings that no session points at (orphans).

Errors are damage to what was stored (a missing or changed recording, a broken database); warnings
are worth a look but lose nothing (a recording that arrived with damaged records, an orphan file).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from hiplevel.errors import HiplevelError
from hiplevel.store import recordings
from hiplevel.store.backend import DB_FILENAME
from hiplevel.store.db import SessionStore

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem: how bad, which session (None: the store as a whole), what, and what to do."""

    level: Level
    session_id: str | None
    what: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"session {self.session_id}: " if self.session_id else ""
        return f"{self.level}: {where}{self.what}" + (f" ({self.hint})" if self.hint else "")


@dataclass
class Checkup:
    """The doctor's result: findings, and how much was looked at."""

    findings: list[Finding] = field(default_factory=list)
    sessions: int = 0
    recordings: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def ok(self) -> bool:
        """True when nothing stored is damaged or missing (warnings allowed)."""
        return not self.errors


def check_store(store: SessionStore, *, recordings_too: bool = True) -> Checkup:
    """Examine the whole store (read-only). recordings_too=False skips reading the recordings."""
    out = Checkup()
    out.findings += list(_database(store))
    rows = store.raw_rows(
        "SELECT id, status, recording_path, recording_sha256, recording_bytes FROM sessions ORDER BY started_at, id")
    out.sessions = len(rows)
    referenced: set[Path] = set()
    for row in rows:
        ref = row["recording_path"]
        path = recordings.local_path(ref, store.data_dir)
        if path is not None:
            referenced.add(path.resolve())
        if ref and recordings_too and row["status"] != "recording":
            out.recordings += 1
            out.findings += list(_recording(store, row["id"], ref, row["recording_sha256"], row["recording_bytes"]))
    out.findings += list(_sets(store))
    out.findings += list(_orphans(store, referenced))
    return out


def _database(store: SessionStore) -> Iterator[Finding]:
    if store.kind == "sqlite":
        result = [r[0] for r in store.raw_rows("PRAGMA integrity_check")]
        if result != ["ok"]:
            yield Finding("error", None, "the database file is damaged: " + "; ".join(result[:5]),
                          "restore the last backup: hiplevel sessions restore")
        for r in store.raw_rows("PRAGMA foreign_key_check"):
            yield Finding("error", None, f"row {r[1]} of table {r[0]} points at a missing {r[2]} row")


def _recording(store: SessionStore, session_id: str, ref: str, sha: str | None, size: int | None) -> Iterator[Finding]:
    from hiplevel.recording import read_recording

    if recordings.is_in_db(ref):
        chunks = store.raw_rows(
            "SELECT chunk_index, LENGTH(data) AS n FROM recording_chunks WHERE session_id = ? ORDER BY chunk_index",
            (session_id,))
        if not chunks:
            yield Finding("error", session_id, "its recording is missing from the database")
            return
        if [c["chunk_index"] for c in chunks] != list(range(len(chunks))):
            yield Finding("error", session_id, "its recording in the database has missing chunks")
            return
    else:
        path = recordings.local_path(ref, store.data_dir)
        if path is None or not path.is_file():
            yield Finding("error", session_id, f"its recording {path} is missing",
                          "restore it from a backup, or delete the session")
            return
    try:
        with _local_copy(store, session_id, ref) as local:
            digest, actual = recordings.file_digest(local)
            if sha and (digest != sha or (size is not None and actual != size)):
                yield Finding("error", session_id, f"its recording changed since it was stored ({actual} bytes, "
                              f"was {size}; SHA-256 differs)", "restore it from a backup")
                return
            rec = read_recording(local)
    except HiplevelError as exc:
        yield Finding("error", session_id, f"its recording can not be read: {exc}")
        return
    if rec.damage:
        yield Finding("warning", session_id, f"{sum(d.length for d in rec.damage)} bytes in {len(rec.damage)} "
                      "places of its recording failed their CRC (arrived or written damaged; decoding skips them)")
    if rec.torn_tail is not None:
        yield Finding("warning", session_id, f"its recording ends inside a record ({rec.torn_tail.length} bytes): "
                      "the recorder stopped mid-write (crash or power cut); everything before is kept")


@contextmanager
def _local_copy(store: SessionStore, session_id: str, ref: str) -> Iterator[Path]:
    """The recording as a file, as stored (no checksum check: that is the doctor's to report)."""
    if not recordings.is_in_db(ref):
        yield recordings.local_path(ref, store.data_dir)
        return
    with tempfile.TemporaryDirectory(prefix="hiplevel-doctor-") as tmp:
        path = Path(tmp) / "recording"
        with store._read() as c:
            recordings.download(c, session_id, path)
        yield path


def _sets(store: SessionStore) -> Iterator[Finding]:
    for r in store.raw_rows(
        "SELECT st.session_id, st.set_index, ss.n_reps AS summary_reps, "
        "(SELECT COUNT(*) FROM reps r WHERE r.set_id = st.id) AS reps, "
        "(SELECT COUNT(*) FROM set_traces tr WHERE tr.set_id = st.id) AS traces FROM sets st "
        "LEFT JOIN set_summaries ss ON ss.set_id = st.id ORDER BY st.session_id, st.set_index"
    ):
        if r["summary_reps"] is None:
            yield Finding("error", r["session_id"], f"set {r['set_index']} has no summary", "hiplevel reanalyze")
        elif r["summary_reps"] != r["reps"]:
            yield Finding("error", r["session_id"], f"set {r['set_index']} lists {r['summary_reps']} reps but "
                          f"{r['reps']} are stored", "hiplevel reanalyze")
        if not r["traces"]:
            yield Finding("error", r["session_id"], f"set {r['set_index']} has no roll trace", "hiplevel reanalyze")


def _orphans(store: SessionStore, referenced: set[Path]) -> Iterator[Finding]:
    if not store.recordings_dir.is_dir():
        return
    referenced = referenced | _laptop_store_files(store)
    for path in sorted(store.recordings_dir.iterdir()):
        if path.is_file() and path.resolve() not in referenced:
            yield Finding("warning", None, f"{path} belongs to no session (orphan)",
                          "analyse it with `hiplevel analyze`, then move or delete it")


def _laptop_store_files(store: SessionStore) -> set[Path]:
    """The recordings of the laptop's own SQLite store when a shared store's data folder holds one
    (the store it had before joining the practice: the same default folder, docs/store.md "A
    practice"), read without writing: that store's, not orphans of the shared one."""
    db = store.data_dir / DB_FILENAME
    if store.kind == "sqlite" or not db.is_file():
        return set()
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            refs = conn.execute("SELECT recording_path FROM sessions").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:  # not a hiplevel store after all: its files stay orphans
        return set()
    return {p.resolve() for (ref,) in refs if (p := recordings.local_path(ref, store.data_dir)) is not None}
