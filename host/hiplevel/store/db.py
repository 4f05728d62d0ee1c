"""The session store: patients, sessions, sets, reps and per-set summaries in SQLite (one file in the
data folder, the default) or PostgreSQL (a practice's shared store), chosen by one URL; recordings
as files in the data folder or, in a shared store, in the database (docs/store.md).

Every `SessionStore` owns one connection; use one store per thread or process. Writes run in one
transaction each (SQLite: `BEGIN IMMEDIATE`) and multi-query reads in one snapshot, so a reader in
another process sees either none or all of a set with its reps.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hiplevel.paths import default_data_dir
from hiplevel.store import recordings, rows
from hiplevel.store.backend import (
    DB_FILENAME,
    LOCK_TIMEOUT_S,
    Backend,
    StoreError,
    is_postgresql,
    open_backend,
    sqlite_dir,
    store_url,
)
from hiplevel.store.ids import fresh_id, insert_with_fresh_id
from hiplevel.store.records import (
    CALIBRATION_STATES,
    Patient,
    RecordingQuality,
    SessionInputs,
    SessionMeta,
    SessionRecord,
    SetReport,
    check_patient_id,
)
from hiplevel.store.schema import migrate

__all__ = ["DB_FILENAME", "HEARTBEAT_STALE_S", "LOCK_TIMEOUT_S", "RecordingQuality", "SessionStore", "utc_now"]

log = logging.getLogger(__name__)

# A session still "recording" whose last heartbeat is older than this was cut short (crash, power
# loss, killed terminal); the recorder beats at least every few seconds.
HEARTBEAT_STALE_S: float = 120.0


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class SessionStore:
    """Patients, sessions, sets and reps, in SQLite at `<data_dir>/hiplevel.sqlite3` or in PostgreSQL.

    data_dir: the local data folder: the SQLite database and `recordings/` (default:
    $HIPLEVEL_DATA_DIR or the platform's per-user data folder); with PostgreSQL it holds only the
    recordings being recorded on this computer. url: `postgresql://...` or `sqlite:///folder`
    (default: $HIPLEVEL_STORE, else SQLite in data_dir). Opening applies missing migrations and
    recovers interrupted sessions (`recovered_`); in a shared store, `pending_uploads_` lists finished
    sessions whose recording is still only on this computer. recover=False opens without either (a
    helper process that only reads).
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        url: str | None = None,
        stale_after_s: float = HEARTBEAT_STALE_S,
        clock: Callable[[], datetime] = utc_now,
        recover: bool = True,
    ) -> None:
        url = store_url(url)
        self._connect_url = url
        if url and not is_postgresql(url) and data_dir is None:
            data_dir = sqlite_dir(url)
        elif url and not is_postgresql(url):
            sqlite_dir(url)  # a malformed URL is an error even with an explicit folder
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.recordings_dir = self.data_dir / recordings.RECORDINGS_DIRNAME
        self._clock = clock
        self.backend: Backend = open_backend(url if is_postgresql(url) else None, self.data_dir)
        self.kind = self.backend.kind
        self.url = self.backend.url
        # The SQLite file (None for PostgreSQL).
        self.path: Path | None = self.data_dir / DB_FILENAME if self.kind == "sqlite" else None
        self.schema_version_ = migrate(self.backend, self.data_dir)
        self.recovered_: list[str] = self.recover_interrupted(stale_after_s) if recover else []
        self.pending_uploads_: list[str] = self._pending_uploads() if recover and self.keeps_recordings_in_db else []

    # --- plumbing ---------------------------------------------------------------------------
    @property
    def keeps_recordings_in_db(self) -> bool:
        """True for a shared (PostgreSQL) store: finished recordings go into the database."""
        return self.kind == "postgresql"

    @property
    def connect_url(self) -> str | None:
        """The URL this store was opened with, password included (for helper processes; never print it)."""
        return self._connect_url if is_postgresql(self._connect_url) else None

    def close(self) -> None:
        """Close the connection."""
        self.backend.close()

    def __enter__(self) -> "SessionStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self):
        return self.backend.write()

    def _read(self):
        return self.backend.read()

    def _now(self) -> str:
        return rows.iso(self._clock())

    def describe(self) -> str:
        """Where the store is, for messages: the SQLite file or the PostgreSQL URL (no password)."""
        return str(self.path) if self.path is not None else self.url

    # --- patients -----------------------------------------------------------------------------
    def add_patient(self, patient_id: str | None = None, display_name: str | None = None) -> str:
        """Create a patient; returns its id (a fresh pseudonym such as "P-7F3A" when none given).

        The display name is stored only when given; exports leave it out by default.
        """
        if patient_id is not None:
            check_patient_id(patient_id)

        def insert(c: Backend) -> str:
            pid = patient_id if patient_id is not None else fresh_id(c, "patients", "P-")
            if c.execute("SELECT 1 FROM patients WHERE id = ?", (pid,)).fetchone():
                raise StoreError(f"patient {pid} already exists")
            c.execute(
                "INSERT INTO patients (id, display_name, created_at) VALUES (?, ?, ?)",
                (pid, display_name or None, self._now()),
            )
            return pid

        return insert_with_fresh_id(self.backend, insert, "patient", patient_id)

    def ensure_patient(self, patient_id: str) -> str:
        """The patient's id, creating the patient (without a name) when unknown (safe when several
        clients do it at once)."""
        check_patient_id(patient_id)
        with self._write() as c:
            c.execute(
                "INSERT INTO patients (id, display_name, created_at) VALUES (?, NULL, ?) ON CONFLICT DO NOTHING",
                (patient_id, self._now()),
            )
        return patient_id

    def get_patient(self, patient_id: str) -> Patient | None:
        """The patient, or None when unknown."""
        row = self.backend.execute("SELECT * FROM patients WHERE id = ?", (patient_id,)).fetchone()
        return rows.patient(row) if row else None

    def list_patients(self) -> list[Patient]:
        """All patients, by id."""
        return [rows.patient(r) for r in self.backend.execute("SELECT * FROM patients ORDER BY id")]

    # --- sessions -----------------------------------------------------------------------------
    def start_session(self, meta: SessionMeta) -> str:
        """Register a session being recorded (status "recording"); returns its id."""
        return self._insert_session(replace(meta, status="recording"))

    def set_recording_path(self, session_id: str, path: str | Path) -> None:
        """Point a session at its recording (known once the session id is); stored relative to the
        data folder when inside it."""
        ref = recordings.relative_ref(path, self.data_dir)
        with self._write() as c:
            cur = c.execute("UPDATE sessions SET recording_path = ? WHERE id = ?", (ref, session_id))
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
            return rows.insert_set(c, session_id, set_report, self._now())

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
        """Close a session: final data-quality figures and status ("complete" or "interrupted"),
        then file its recording (`store_recording`); firmware: the device's firmware version when it
        was learnt only while recording."""
        if status not in ("complete", "interrupted"):
            raise StoreError(f"a finished session is complete or interrupted, not {status!r}")
        updates: dict[str, Any] = {"status": status, "ended_at": self._now()}
        updates.update(rows.quality_columns(samples_received, samples_lost, gaps))
        if battery_pct is not None:
            updates["battery_pct"] = float(battery_pct)
        if firmware:
            updates["firmware"] = str(firmware)
        with self._write() as c:
            if rows.update_session(c, session_id, updates) == 0:
                raise StoreError(f"no session {session_id}")
        self.store_recording(session_id)

    def store_recording(self, session_id: str) -> str | None:
        """File a finished session's recording: note its SHA-256 and size (checked by `hiplevel
        doctor`) and, in a shared store, copy it into the database and remove the local file.
        Returns the recording's new reference (None when there is no local file to file)."""
        return recordings.file_recording(self.backend, self.data_dir, session_id, into_db=self.keeps_recordings_in_db)

    def _pending_uploads(self) -> list[str]:
        return recordings.pending_uploads(self.backend, self.data_dir)

    def recording_file(self, session_id: str) -> AbstractContextManager[Path]:
        """The session's recording as a local file for reading (a temporary copy, checked against its
        SHA-256, when the database holds it); StoreError when it has none or it is missing."""
        return recordings.recording_file(self.backend, self.data_dir, session_id)

    def save_session(self, inputs: SessionInputs) -> str:
        """Store a finished session and all its sets at once; returns the session id."""
        session_id = self._insert_session(inputs.meta)
        with self._write() as c:
            for s in inputs.sets:
                rows.insert_set(c, session_id, s, self._now())
        return session_id

    def _insert_session(self, meta: SessionMeta) -> str:
        if meta.calibration_state not in CALIBRATION_STATES:
            raise StoreError(f"calibration state {meta.calibration_state!r} not in {CALIBRATION_STATES}")
        started = meta.started_at or self._clock()
        if meta.recording_path:
            meta = replace(meta, recording_path=recordings.relative_ref(meta.recording_path, self.data_dir))

        def insert(c: Backend) -> str:
            if not c.execute("SELECT 1 FROM patients WHERE id = ?", (meta.patient_id,)).fetchone():
                raise StoreError(f"no patient {meta.patient_id}: add the patient first")
            session_id = meta.session_id or fresh_id(c, "sessions", f"S-{started.astimezone(timezone.utc):%Y%m%d-%H%M}-")
            rows.insert_session(c, session_id, replace(meta, started_at=started), self._now())
            return session_id

        return insert_with_fresh_id(self.backend, insert, "session", meta.session_id)

    def get_session(self, session_id: str) -> SessionRecord:
        """A session's metadata and counts; StoreError when unknown."""
        row = self.backend.execute(rows.SESSION_SELECT + " WHERE s.id = ? GROUP BY s.id", (session_id,)).fetchone()
        if row is None:
            raise StoreError(f"no session {session_id}: see `hiplevel sessions list`")
        return rows.session(row)

    def list_sessions(self, patient_id: str | None = None) -> list[SessionRecord]:
        """Sessions, oldest first, of one patient or of all."""
        where, args = ("WHERE s.patient_id = ?", (patient_id,)) if patient_id else ("", ())
        sql = rows.SESSION_SELECT + f" {where} GROUP BY s.id ORDER BY s.started_at, s.id"
        return [rows.session(r) for r in self.backend.execute(sql, args)]

    def load_session(self, session_id: str) -> SessionInputs:
        """A session's metadata and analysed sets (with roll traces), read as one snapshot."""
        with self._read() as c:
            record = self.get_session(session_id)
            sets = rows.load_sets(c, session_id)
        return SessionInputs(meta=record.meta, sets=tuple(sets))

    def replace_analysis(
        self,
        session_id: str,
        sets: list[SetReport],
        *,
        analysis_version: int,
        thresholds: dict[str, Any] | None = None,
        quality: RecordingQuality | None = None,
    ) -> None:
        """Swap a session's stored analysis for a new one in one transaction (`hiplevel reanalyze`):
        the old sets, reps, summaries and traces go, the new ones and the version that produced them
        arrive, or nothing changes. The status and times of the session stay. Two clients swapping
        the same session at once (two laptops' `reanalyze`) take turns: the second replaces the
        first's sets."""
        updates: dict[str, Any] = {"analysis_version": int(analysis_version), "analysed_at": self._now()}
        if thresholds is not None:
            updates["thresholds_json"] = json.dumps(thresholds, sort_keys=True)
        if quality is not None:
            updates.update(rows.quality_columns(quality.samples_received, quality.samples_lost, quality.gaps))
        with self._write() as c:
            # The session's row first: on PostgreSQL that locks it until this swap commits, so a
            # second swap waits here and its DELETE then sees the sets this one inserts (deleting
            # first, it waited on the old rows only and its inserts collided with the new ones).
            if rows.update_session(c, session_id, updates) == 0:
                raise StoreError(f"no session {session_id}")
            c.execute("DELETE FROM sets WHERE session_id = ?", (session_id,))
            for s in sets:
                rows.insert_set(c, session_id, replace(s, analysis_version=analysis_version), self._now())

    def set_summaries(self, patient_id: str) -> list[dict[str, Any]]:
        """Per-set summaries of a patient's sessions (session, exercise, level, counts, drops)."""
        with self._read() as c:
            return rows.set_summaries(c, patient_id)

    def patient_reps(self, patient_id: str) -> list[dict[str, Any]]:
        """Every rep of a patient, oldest session first: session_id, started_at, status,
        set_index, exercise, level, rep_index, side (stance leg), drop_deg, score, flags."""
        with self._read() as c:
            return rows.patient_reps(c, patient_id)

    def recover_interrupted(self, stale_after_s: float = HEARTBEAT_STALE_S) -> list[str]:
        """Mark "recording" sessions whose heartbeat is older than `stale_after_s` as
        "interrupted" (ended at their last heartbeat); returns their ids. One statement, so when
        several clients open a shared store at once each session is recovered by exactly one."""
        cutoff = rows.iso(self._clock() - timedelta(seconds=stale_after_s))
        with self._write() as c:
            return [
                r[0]
                for r in c.execute(
                    "UPDATE sessions SET status = 'interrupted', ended_at = COALESCE(heartbeat_at, started_at) "
                    "WHERE status = 'recording' AND COALESCE(heartbeat_at, started_at) < ? RETURNING id",
                    (cutoff,),
                ).fetchall()
            ]

    def delete_session(self, session_id: str, confirm: bool = False) -> Path | None:
        """Delete a session, its sets and reps, and its recording; refuses unless confirm=True.

        Returns the recording file removed (None when none was). Only a recording inside this store's
        data folder (or in the database) is removed: one elsewhere, such as the original's in a
        copied data folder, is left where it is, with a warning.
        """
        if not confirm:
            raise StoreError(f"deleting session {session_id} needs confirm=True (it removes the recording)")
        record = self.get_session(session_id)
        removable = recordings.removable_file(record.meta.recording_path, self.data_dir, session_id)
        with self._write() as c:  # recording chunks in the database go with the row (cascade)
            c.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        if removable is not None:
            recordings.remove(removable)
        return removable

    def export_patient(self, patient_id: str, out_dir: str | Path, *, include_identifying: bool = False) -> list[Path]:
        """Write `<patient>-sessions.json` and `<patient>-reps.csv`; see hiplevel.store.export."""
        from hiplevel.store.export import export_patient

        return export_patient(self, patient_id, Path(out_dir), include_identifying=include_identifying)

    def raw_rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        """Run a read-only query (for exports, checks and reports inside this package); rows read by
        column name or position."""
        with self._read() as c:
            return list(c.execute(sql, args))

