"""`hiplevel sessions backup` / `restore`.

A backup is a folder that is itself a complete SQLite data folder: `hiplevel.sqlite3`, `recordings/`
with every session's recording, and `backup.json` (what was backed up, when, from where, with the
SHA-256 of every recording). It can be opened as it is (`--data-dir BACKUP`) and restored into any
store, SQLite or PostgreSQL.

- From SQLite the database is copied with SQLite's online backup API (one consistent snapshot while
  other processes keep writing); from PostgreSQL the rows are copied in one REPEATABLE READ snapshot.
  The recordings are copied after the snapshot, for the sessions in it.
- Restore adds every patient and session of the backup that the target store does not have, one
  session per transaction with its sets, reps and recording (checked against the manifest first),
  and skips the ones it has: running it again after an interruption finishes the rest, and it can
  bring several laptops' stores into one shared store.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hiplevel.store import recordings
from hiplevel.store.backend import DB_FILENAME, Backend, SqliteBackend, StoreError
from hiplevel.store.db import SessionStore, utc_now
from hiplevel.store.rows import iso
from hiplevel.store.schema import migrate

MANIFEST = "backup.json"
BACKUP_FORMAT = "hiplevel-backup"
BACKUP_VERSION = 1
# Tables hanging off a set (copied with their set, the set id renumbered in the target).
SET_CHILDREN = ("reps", "set_summaries", "set_traces")


@dataclass
class BackupResult:
    """Where the backup went and what it holds."""

    path: Path
    patients: int
    sessions: int
    recordings: int
    bytes: int


@dataclass
class RestoreResult:
    """What a restore added and what it left out (ids already in the target, with why)."""

    patients_added: int = 0
    sessions_added: list[str] = field(default_factory=list)
    sessions_skipped: list[tuple[str, str]] = field(default_factory=list)


def backup(store: SessionStore, out_dir: Path) -> BackupResult:
    """Write a backup of the whole store into `out_dir` (a new or empty folder)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise StoreError(f"{out_dir} is not empty: back up into a new folder")
    (out_dir / recordings.RECORDINGS_DIRNAME).mkdir(parents=True, exist_ok=True)
    db_path = out_dir / DB_FILENAME
    if store.kind == "sqlite":
        dst = sqlite3.connect(db_path)
        try:
            store.backend.conn.backup(dst)  # online: one consistent snapshot, writers carry on
        finally:
            dst.close()
        target = SqliteBackend(db_path)
    else:
        target = SqliteBackend(db_path)
        migrate(target, out_dir)
        _copy_snapshot(store.backend, target)
    try:
        manifest_recordings = _backup_recordings(store, target, out_dir)
        counts = {t: target.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("patients", "sessions")}
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        target.close()
    manifest = {
        "format": BACKUP_FORMAT, "version": BACKUP_VERSION, "created_utc": iso(utc_now()),
        "source": store.describe(), "schema_version": store.schema_version_, **counts,
        "recordings": manifest_recordings,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return BackupResult(out_dir, counts["patients"], counts["sessions"], len(manifest_recordings),
                        sum(r["bytes"] for r in manifest_recordings.values()))


def _copy_snapshot(src: Backend, dst: Backend) -> None:
    """Every row of the store's tables from `src` (one snapshot) into an empty `dst`, ids kept."""
    with src.read(), dst.write():
        for table in ("patients", "sessions", "sets", *SET_CHILDREN):
            for row in src.execute(f"SELECT * FROM {table}"):
                _insert(dst, table, dict(zip(row.keys(), row)))


def _insert(b: Backend, table: str, values: dict[str, Any], returning: str | None = None,
            if_absent: bool = False) -> Any:
    """Insert one row; returns the `returning` column, else (if_absent: nothing when the key is
    there, e.g. just added by another client) the number of rows inserted."""
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    sql = (f"INSERT INTO {table} ({cols}) VALUES ({marks})" + (" ON CONFLICT DO NOTHING" if if_absent else "")
           + (f" RETURNING {returning}" if returning else ""))
    cur = b.execute(sql, [bytes(v) if isinstance(v, memoryview) else v for v in values.values()])
    return cur.fetchone()[0] if returning else cur.rowcount


def _backup_recordings(store: SessionStore, target: Backend, out_dir: Path) -> dict[str, dict[str, Any]]:
    """Copy the recording of every session in the backup into `out_dir/recordings` and point the
    backup's rows at the copies; returns the manifest entries (relative path -> sha256, bytes)."""
    entries: dict[str, dict[str, Any]] = {}
    rows = list(target.execute("SELECT id, recording_path FROM sessions WHERE recording_path IS NOT NULL ORDER BY id"))
    for row in rows:
        session_id, ref = row[0], row[1]
        name = Path(ref.removeprefix(recordings.DB_PREFIX)).name
        rel = f"{recordings.RECORDINGS_DIRNAME}/{name}"
        if rel in entries:  # two recordings of the same file name from different folders
            rel = f"{recordings.RECORDINGS_DIRNAME}/{session_id}-{name}"
        dest = out_dir / rel
        if recordings.is_in_db(ref):
            with store._read() as c:
                digest, size = recordings.download(c, session_id, dest)
        else:
            src = recordings.local_path(ref, store.data_dir)
            if src is None or not src.is_file():
                continue  # missing already: `hiplevel doctor` reports it; the rows are still worth keeping
            shutil.copyfile(src, dest)
            digest, size = recordings.file_digest(dest)
        with target.write():
            target.execute("UPDATE sessions SET recording_path = ? WHERE id = ?", (rel, session_id))
        entries[rel] = {"session_id": session_id, "sha256": digest, "bytes": size}
    return entries


def read_manifest(backup_dir: Path) -> dict[str, Any]:
    """The backup's manifest; StoreError when the folder is not a hiplevel backup."""
    path = Path(backup_dir) / MANIFEST
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise StoreError(f"{backup_dir} is not a hiplevel backup (no {MANIFEST})") from None
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path} is damaged: {exc}") from None
    if doc.get("format") != BACKUP_FORMAT:
        raise StoreError(f"{path} is not a hiplevel backup manifest")
    if int(doc.get("version", 0)) > BACKUP_VERSION:
        raise StoreError(f"{backup_dir} was written by a newer hiplevel (backup version {doc['version']})")
    return doc


def verify_backup(backup_dir: Path) -> list[str]:
    """Problems with a backup's recordings against its manifest (missing, changed); [] when whole."""
    doc = read_manifest(backup_dir)
    problems = []
    for rel, entry in doc["recordings"].items():
        path = Path(backup_dir) / rel
        if not path.is_file():
            problems.append(f"{rel} is missing")
        elif recordings.file_digest(path) != (entry["sha256"], entry["bytes"]):
            problems.append(f"{rel} changed since the backup was made")
    return problems


def restore(backup_dir: Path, target: SessionStore) -> RestoreResult:
    """Add the backup's patients and sessions that `target` does not have (see module docstring).
    The backup is checked first and is never modified."""
    backup_dir = Path(backup_dir)
    manifest = read_manifest(backup_dir)
    problems = verify_backup(backup_dir)
    if problems:
        raise StoreError(f"backup {backup_dir} is damaged: " + "; ".join(problems[:5]))
    by_rel = manifest["recordings"]
    result = RestoreResult()
    with tempfile.TemporaryDirectory(prefix="hiplevel-restore-") as tmp:
        # Work on a copy, brought to this hiplevel's schema, so the backup stays as it was.
        src_conn = sqlite3.connect(backup_dir / DB_FILENAME)
        dst_conn = sqlite3.connect(Path(tmp) / DB_FILENAME)
        src_conn.backup(dst_conn)
        src_conn.close()
        dst_conn.close()
        src = SqliteBackend(Path(tmp) / DB_FILENAME)
        try:
            migrate(src, Path(tmp))
            for p in src.execute("SELECT * FROM patients ORDER BY id").fetchall():
                with target._write() as c:
                    # If absent at the insert, not only at a check before it: two laptops restoring
                    # the practice's same patient at once (docs/store.md, "A practice", step 6).
                    if _insert(c, "patients", dict(zip(p.keys(), p)), if_absent=True):
                        result.patients_added += 1
            for s in src.execute("SELECT * FROM sessions ORDER BY started_at, id").fetchall():
                _restore_session(src, target, dict(zip(s.keys(), s)), backup_dir, by_rel, result)
        finally:
            src.close()
    return result


def _restore_session(src: Backend, target: SessionStore, session: dict[str, Any], backup_dir: Path,
                     by_rel: dict[str, Any], result: RestoreResult) -> None:
    sid = session["id"]
    ref = session["recording_path"]
    rec_file = backup_dir / ref if ref and ref in by_rel else None
    if rec_file is not None and not target.keeps_recordings_in_db:
        dest = target.data_dir / ref
        if dest.exists() and recordings.file_digest(dest)[0] != by_rel[ref]["sha256"]:
            result.sessions_skipped.append((sid, f"{dest} exists with other content"))
            return
    with target._write() as c:
        if c.execute("SELECT 1 FROM sessions WHERE id = ?", (sid,)).fetchone():
            result.sessions_skipped.append((sid, "already in the store"))
            return
        values = dict(session)
        if rec_file is not None and target.keeps_recordings_in_db:
            values["recording_path"] = recordings.DB_PREFIX + rec_file.name
        if not _insert(c, "sessions", values, if_absent=True):  # another client restored it meanwhile
            result.sessions_skipped.append((sid, "already in the store"))
            return
        if rec_file is not None and target.keeps_recordings_in_db:
            digest, size = recordings.upload(c, sid, rec_file)
            c.execute("UPDATE sessions SET recording_sha256 = ?, recording_bytes = ? WHERE id = ?", (digest, size, sid))
        for st in src.execute("SELECT * FROM sets WHERE session_id = ? ORDER BY set_index", (sid,)).fetchall():
            values = {k: st[k] for k in st.keys() if k != "id"}
            new_id = _insert(c, "sets", values, returning="id")
            for table in SET_CHILDREN:
                for child in src.execute(f"SELECT * FROM {table} WHERE set_id = ?", (st["id"],)).fetchall():
                    row = {k: child[k] for k in child.keys() if not (table == "reps" and k == "id")}
                    row["set_id"] = new_id
                    _insert(c, table, row)
        if rec_file is not None and not target.keeps_recordings_in_db:
            dest = target.data_dir / ref
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists():
                tmp = dest.with_name(dest.name + ".restoring")
                shutil.copyfile(rec_file, tmp)
                tmp.replace(dest)  # whole or absent, never half a recording under its own name
            digest, size = recordings.file_digest(dest)
            c.execute("UPDATE sessions SET recording_sha256 = ?, recording_bytes = ? WHERE id = ?", (digest, size, sid))
    result.sessions_added.append(sid)
