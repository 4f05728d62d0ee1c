"""The session store: one SQLite file (WAL, foreign keys) in the data folder indexing patients,
sessions, sets, reps and per-set summaries, pointing at recordings on disk.

Every `SessionStore` owns one connection; use one store per thread or process. Writes run in
`BEGIN IMMEDIATE` transactions and multi-query reads in one read transaction, so a reader in
another process sees either none or all of a set with its reps (WAL snapshots).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hiplevel.paths import default_data_dir
from hiplevel.store import rows
from hiplevel.store.records import (
    CALIBRATION_STATES,
    Patient,
    SessionInputs,
    SessionMeta,
    SessionRecord,
    SetReport,
)
from hiplevel.store.schema import StoreError, migrate

DB_FILENAME = "hiplevel.sqlite3"
# A session still "recording" whose last heartbeat is older than this was cut short (crash, power
# loss, killed terminal); the recorder beats at least every few seconds.
HEARTBEAT_STALE_S: float = 120.0
# How long a writer waits for another process's write lock before failing, s.
LOCK_TIMEOUT_S: float = 30.0
PATIENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class SessionStore:
    """Patients, sessions, sets and reps in `<data_dir>/hiplevel.sqlite3`.

    data_dir: folder of the database and of `recordings/` (default: $HIPLEVEL_DATA_DIR or the
    platform's per-user data folder). Opening recovers interrupted sessions (`recovered_`).
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        stale_after_s: float = HEARTBEAT_STALE_S,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.recordings_dir = self.data_dir / "recordings"
        self.path = self.data_dir / DB_FILENAME
        self._clock = clock
        self._conn = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_S, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; durable at checkpoints
        self.schema_version_ = migrate(self._conn)
        self.recovered_: list[str] = self.recover_interrupted(stale_after_s)

    # --- plumbing ---------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> "SessionStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN")
        try:
            yield self._conn
        finally:
            self._conn.execute("COMMIT")

    def _now(self) -> str:
        return rows.iso(self._clock())

    # --- patients -----------------------------------------------------------------------------
    def add_patient(self, patient_id: str | None = None, display_name: str | None = None) -> str:
        """Create a patient; returns its id (a fresh pseudonym such as "P-7F3A" when none given).

        The display name is stored only when given; exports leave it out by default.
        """
        with self._write() as c:
            if patient_id is None:
                patient_id = _fresh_id(c, "patients", "P-")
            elif not PATIENT_ID_RE.match(patient_id):
                raise StoreError(f"patient id {patient_id!r}: use 1-32 letters, digits, '-', '_' or '.'")
            elif c.execute("SELECT 1 FROM patients WHERE id = ?", (patient_id,)).fetchone():
                raise StoreError(f"patient {patient_id} already exists")
            c.execute(
                "INSERT INTO patients (id, display_name, created_at) VALUES (?, ?, ?)",
                (patient_id, display_name or None, self._now()),
            )
        return patient_id

    def ensure_patient(self, patient_id: str) -> str:
        """The patient's id, creating the patient (without a name) when unknown."""
        if self.get_patient(patient_id) is None:
            self.add_patient(patient_id)
        return patient_id

    def get_patient(self, patient_id: str) -> Patient | None:
        """The patient, or None when unknown."""
        row = self._conn.execute("SELECT * FROM patients WHERE id = ?", (patient_id,)).fetchone()
        return rows.patient(row) if row else None

    def list_patients(self) -> list[Patient]:
        """All patients, by id."""
        return [rows.patient(r) for r in self._conn.execute("SELECT * FROM patients ORDER BY id")]

    # --- sessions -----------------------------------------------------------------------------
    def start_session(self, meta: SessionMeta) -> str:
        """Register a session being recorded (status "recording"); returns its id."""
        return self._insert_session(replace(meta, status="recording"))

    def set_recording_path(self, session_id: str, path: str | Path) -> None:
        """Point a session at its recording (known once the session id is)."""
        with self._write() as c:
            cur = c.execute("UPDATE sessions SET recording_path = ? WHERE id = ?", (str(path), session_id))
            if cur.rowcount == 0:
                raise StoreError(f"no session {session_id}")

    def heartbeat(self, session_id: str) -> None:
        """Mark a recording session as alive now (call every few seconds while recording)."""
        with self._write() as c:
            cur = c.execute(
                "UPDATE sessions SET heartbeat_at = ? WHERE id = ? AND status = 'recording'",
                (self._now(), session_id),
            )
            if cur.rowcount == 0:
                raise StoreError(f"session {session_id} is not recording")

    def add_set(self, session_id: str, set_report: SetReport) -> int:
        """Store one analysed set with its reps, summary and roll trace (one transaction)."""
        with self._write() as c:
            if not c.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
                raise StoreError(f"no session {session_id}")
            return rows.insert_set(c, session_id, set_report)

    def finish_session(
        self,
        session_id: str,
        *,
        samples_received: int | None = None,
        samples_lost: int | None = None,
        gaps: tuple[tuple[float, float], ...] | None = None,
        battery_pct: float | None = None,
        status: str = "complete",
        firmware: str | None = None,
    ) -> None:
        """Close a session: final data-quality figures and status ("complete" or "interrupted");
        firmware: the device's firmware version when it was learnt only while recording."""
        if status not in ("complete", "interrupted"):
            raise StoreError(f"a finished session is complete or interrupted, not {status!r}")
        updates: dict[str, Any] = {"status": status, "ended_at": self._now()}
        if samples_received is not None:
            updates["samples_received"] = int(samples_received)
        if samples_lost is not None:
            updates["samples_lost"] = int(samples_lost)
        if gaps is not None:
            updates["gaps_json"] = json.dumps([list(g) for g in gaps])
        if battery_pct is not None:
            updates["battery_pct"] = float(battery_pct)
        if firmware:
            updates["firmware"] = str(firmware)
        sql = ", ".join(f"{k} = ?" for k in updates)
        with self._write() as c:
            cur = c.execute(f"UPDATE sessions SET {sql} WHERE id = ?", (*updates.values(), session_id))
            if cur.rowcount == 0:
                raise StoreError(f"no session {session_id}")

    def save_session(self, inputs: SessionInputs) -> str:
        """Store a finished session and all its sets at once; returns the session id."""
        session_id = self._insert_session(inputs.meta)
        with self._write() as c:
            for s in inputs.sets:
                rows.insert_set(c, session_id, s)
        return session_id

    def _insert_session(self, meta: SessionMeta) -> str:
        if meta.calibration_state not in CALIBRATION_STATES:
            raise StoreError(f"calibration state {meta.calibration_state!r} not in {CALIBRATION_STATES}")
        started = meta.started_at or self._clock()
        with self._write() as c:
            if not c.execute("SELECT 1 FROM patients WHERE id = ?", (meta.patient_id,)).fetchone():
                raise StoreError(f"no patient {meta.patient_id}: add the patient first")
            session_id = meta.session_id or _fresh_id(
                c, "sessions", f"S-{started.astimezone(timezone.utc):%Y%m%d-%H%M}-"
            )
            rows.insert_session(c, session_id, replace(meta, started_at=started), self._now())
        return session_id

    def get_session(self, session_id: str) -> SessionRecord:
        """A session's metadata and counts; StoreError when unknown."""
        row = self._conn.execute(rows.SESSION_SELECT + " WHERE s.id = ? GROUP BY s.id", (session_id,)).fetchone()
        if row is None:
            raise StoreError(f"no session {session_id}: see `hiplevel sessions list`")
        return rows.session(row)

    def list_sessions(self, patient_id: str | None = None) -> list[SessionRecord]:
        """Sessions, oldest first, of one patient or of all."""
        where, args = ("WHERE s.patient_id = ?", (patient_id,)) if patient_id else ("", ())
        sql = rows.SESSION_SELECT + f" {where} GROUP BY s.id ORDER BY s.started_at, s.id"
        return [rows.session(r) for r in self._conn.execute(sql, args)]

    def load_session(self, session_id: str) -> SessionInputs:
        """A session's metadata and analysed sets (with roll traces), read as one snapshot."""
        with self._read():
            record = self.get_session(session_id)
            sets = rows.load_sets(self._conn, session_id)
        return SessionInputs(meta=record.meta, sets=tuple(sets))

    def set_summaries(self, patient_id: str) -> list[dict[str, Any]]:
        """Per-set summaries of a patient's sessions (session, exercise, level, counts, drops)."""
        return rows.set_summaries(self._conn, patient_id)

    def patient_reps(self, patient_id: str) -> list[dict[str, Any]]:
        """Every rep of a patient, oldest session first: session_id, started_at, status,
        set_index, exercise, level, rep_index, side (stance leg), drop_deg, score, flags."""
        with self._read() as c:
            return rows.patient_reps(c, patient_id)

    def recover_interrupted(self, stale_after_s: float = HEARTBEAT_STALE_S) -> list[str]:
        """Mark "recording" sessions whose heartbeat is older than `stale_after_s` as
        "interrupted" (ended at their last heartbeat); returns their ids."""
        cutoff = rows.iso(self._clock() - timedelta(seconds=stale_after_s))
        with self._write() as c:
            ids = [
                r[0]
                for r in c.execute(
                    "SELECT id FROM sessions WHERE status = 'recording' "
                    "AND COALESCE(heartbeat_at, started_at) < ?",
                    (cutoff,),
                )
            ]
            c.executemany(
                "UPDATE sessions SET status = 'interrupted', "
                "ended_at = COALESCE(heartbeat_at, started_at) WHERE id = ?",
                [(i,) for i in ids],
            )
        return ids

    def delete_session(self, session_id: str, confirm: bool = False) -> Path | None:
        """Delete a session, its sets and reps, and its recording; refuses unless confirm=True.

        Returns the recording path removed (None when there was none on disk). A recording that is
        a folder is removed only when it lies inside this store's data folder.
        """
        if not confirm:
            raise StoreError(f"deleting session {session_id} needs confirm=True (it removes the recording)")
        record = self.get_session(session_id)
        recording = _removable_recording(record.meta.recording_path, self.data_dir)
        with self._write() as c:
            c.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        if recording is None:
            return None
        if recording.is_dir():
            shutil.rmtree(recording)
        else:
            recording.unlink()
        return recording

    def export_patient(self, patient_id: str, out_dir: str | Path, *, include_identifying: bool = False) -> list[Path]:
        """Write `<patient>-sessions.json` and `<patient>-reps.csv`; see hiplevel.store.export."""
        from hiplevel.store.export import export_patient

        return export_patient(self, patient_id, Path(out_dir), include_identifying=include_identifying)

    def raw_rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Run a read-only query (for exports and reports inside this package)."""
        with self._read() as c:
            return list(c.execute(sql, args))


def _fresh_id(c: sqlite3.Connection, table: str, prefix: str) -> str:
    for _ in range(1000):
        candidate = prefix + secrets.token_hex(2).upper()
        if not c.execute(f"SELECT 1 FROM {table} WHERE id = ?", (candidate,)).fetchone():
            return candidate
    raise StoreError(f"no free id with prefix {prefix!r}")


def _removable_recording(path_text: str | None, data_dir: Path) -> Path | None:
    """The recording to remove with its session (None when absent); refuses a folder outside
    the data folder before anything is deleted."""
    if not path_text:
        return None
    path = Path(path_text)
    if path.is_dir() and not path.is_symlink():
        if not path.resolve().is_relative_to(data_dir.resolve()):
            raise StoreError(f"recording folder {path} is outside the data folder: remove it yourself")
        return path
    return path if (path.is_file() or path.is_symlink()) else None
