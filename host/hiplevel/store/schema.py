"""Schema of the session store, as one ordered list of migrations for both databases.

A migration is portable SQL (statements separated by `;`) or a function of a `MigrationContext` for
what SQL alone can not say. Write column types as INTEGER, REAL, TEXT or BLOB and an auto id as
`INTEGER PRIMARY KEY`: SQLite runs the text as it is, PostgreSQL gets the same text with those
types spelt its way (`for_postgresql`). Avoid SQLite-only syntax (PRAGMA, AUTOINCREMENT, WITHOUT
ROWID, typeless columns).

The schema version is the number of migrations applied (SQLite: `PRAGMA user_version`; PostgreSQL:
table `hiplevel_schema`). Opening a store applies the missing ones, each in one exclusive transaction
that re-reads the version first, so several processes or laptops opening at once migrate once. A
database newer than this code is refused rather than guessed at. Never edit a released migration:
append a new one (docs/store.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from hiplevel.store.backend import Backend, StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "MigrationContext", "StoreError", "for_postgresql", "migrate",
           "schema_version"]


@dataclass(frozen=True)
class MigrationContext:
    """What a migration function may use: the open backend (inside the migration's transaction)
    and the store's local data folder."""

    backend: Backend
    data_dir: Path


Migration = Union[str, Callable[[MigrationContext], None]]


def _relative_recording_paths(ctx: MigrationContext) -> None:
    """4: recording paths relative to the data folder, so a copied or moved data folder points at its
    own recordings (never at the original's). An absolute path inside the data folder, or of the
    store's own layout `.../recordings/<file>`, becomes `recordings/<file>`; other absolute paths
    (a recording kept elsewhere on purpose) stay as they are."""
    from hiplevel.store.recordings import relative_ref

    b = ctx.backend
    rows = list(b.execute("SELECT id, recording_path FROM sessions WHERE recording_path IS NOT NULL"))
    for row in rows:
        new = relative_ref(row["recording_path"], ctx.data_dir, legacy=True)
        if new != row["recording_path"]:
            b.execute("UPDATE sessions SET recording_path = ? WHERE id = ?", (new, row["id"]))


# Migration N (1-based) brings user_version N-1 to N.
MIGRATIONS: tuple[Migration, ...] = (
    # 1: patients, sessions, sets, reps, per-set summaries.
    """
    CREATE TABLE patients (
        id            TEXT PRIMARY KEY,
        display_name  TEXT,
        created_at    TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id                 TEXT PRIMARY KEY,
        patient_id         TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
        started_at         TEXT NOT NULL,
        ended_at           TEXT,
        heartbeat_at       TEXT,
        status             TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'interrupted')),
        device_id          TEXT,
        firmware           TEXT,
        recording_path     TEXT,
        calibration_state  TEXT NOT NULL DEFAULT 'missing'
                           CHECK (calibration_state IN ('ok', 'stale', 'missing')),
        calibration_date   TEXT,
        battery_pct        REAL,
        samples_received   INTEGER NOT NULL DEFAULT 0,
        samples_lost       INTEGER NOT NULL DEFAULT 0,
        gaps_json          TEXT NOT NULL DEFAULT '[]',
        thresholds_json    TEXT NOT NULL DEFAULT '{}',
        notes              TEXT
    );
    CREATE TABLE sets (
        id                INTEGER PRIMARY KEY,
        session_id        TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        set_index         INTEGER NOT NULL,
        exercise          TEXT NOT NULL,
        level             INTEGER,
        offset_s          REAL NOT NULL DEFAULT 0,
        start_s           REAL NOT NULL,
        end_s             REAL NOT NULL,
        neutral_roll_deg  REAL,
        sample_rate_hz    REAL,
        analysis_json     TEXT NOT NULL,
        UNIQUE (session_id, set_index)
    );
    CREATE TABLE reps (
        id         INTEGER PRIMARY KEY,
        set_id     INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
        rep_index  INTEGER NOT NULL,
        start_s    REAL NOT NULL,
        end_s      REAL NOT NULL,
        side       TEXT NOT NULL CHECK (side IN ('left', 'right')),
        drop_deg   REAL NOT NULL,
        score      REAL,
        flags_json TEXT NOT NULL DEFAULT '[]',
        UNIQUE (set_id, rep_index)
    );
    CREATE TABLE set_summaries (
        set_id               INTEGER PRIMARY KEY REFERENCES sets(id) ON DELETE CASCADE,
        n_reps               INTEGER NOT NULL,
        n_clean              INTEGER NOT NULL,
        mean_drop_left_deg   REAL,
        mean_drop_right_deg  REAL,
        max_drop_left_deg    REAL,
        max_drop_right_deg   REAL,
        summary_json         TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX sessions_by_patient ON sessions (patient_id, started_at);
    """,
    # 2: the analysed roll trace of each set, so reports do not depend on re-reading recordings.
    """
    CREATE TABLE set_traces (
        set_id    INTEGER PRIMARY KEY REFERENCES sets(id) ON DELETE CASCADE,
        t_s       BLOB NOT NULL,
        roll_deg  BLOB NOT NULL
    );
    """,
    # 3: which analysis version produced each stored result; the recording's checksum and size (for
    # `hiplevel doctor`); recordings kept in the database itself (PostgreSQL stores), in chunks that
    # go with their session.
    """
    ALTER TABLE sets ADD COLUMN analysis_version INTEGER;
    ALTER TABLE sessions ADD COLUMN analysis_version INTEGER;
    ALTER TABLE sessions ADD COLUMN analysed_at TEXT;
    ALTER TABLE sessions ADD COLUMN recording_sha256 TEXT;
    ALTER TABLE sessions ADD COLUMN recording_bytes INTEGER;
    UPDATE sets SET analysis_version = 0;
    UPDATE sessions SET analysis_version = 0 WHERE id IN (SELECT session_id FROM sets);
    CREATE TABLE recording_chunks (
        session_id   TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        chunk_index  INTEGER NOT NULL,
        data         BLOB NOT NULL,
        PRIMARY KEY (session_id, chunk_index)
    );
    """,
    # 4: recording paths relative to the data folder.
    _relative_recording_paths,
    # 5: the key of each paired sensor (`hiplevel pair`, docs/security.md; store/device_keys.py).
    """
    CREATE TABLE device_keys (
        device_id  TEXT PRIMARY KEY,
        key_id     TEXT NOT NULL UNIQUE,
        key_hex    TEXT NOT NULL,
        paired_at  TEXT NOT NULL
    );
    """,
)

SCHEMA_VERSION: int = len(MIGRATIONS)

_PG_TYPES = (
    (re.compile(r"\bINTEGER PRIMARY KEY\b(?!\s+REFERENCES)"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
)


def for_postgresql(sql: str) -> str:
    """A portable migration's SQL with PostgreSQL's names for its types (64-bit integers, doubles,
    bytea, identity columns for auto ids)."""
    for pattern, replacement in _PG_TYPES:
        sql = pattern.sub(replacement, sql)
    return sql


def statements(script: str) -> list[str]:
    """The `;`-separated statements of a migration (no `;` inside literals in migrations)."""
    return [s.strip() for s in script.split(";") if s.strip() and not _only_comments(s)]


def _only_comments(sql: str) -> bool:
    return all(not ln.strip() or ln.strip().startswith("--") for ln in sql.splitlines())


def schema_version(backend: Backend) -> int:
    """The number of migrations applied to this database."""
    return backend.schema_version()


def migrate(backend: Backend, data_dir: Path, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing migrations up to `target`, one exclusive transaction each; returns the
    version reached."""
    _refuse_newer(backend.schema_version())
    while backend.schema_version() < target:
        with backend.migration():
            current = backend.schema_version()  # another process may have migrated meanwhile
            _refuse_newer(current)
            if current >= target:
                break
            step = MIGRATIONS[current]
            if callable(step):
                step(MigrationContext(backend, data_dir))
            else:
                sql = for_postgresql(step) if backend.kind == "postgresql" else step
                for statement in statements(sql):
                    backend.execute(statement)
            backend.set_schema_version(current + 1)
    return backend.schema_version()


def _refuse_newer(current: int) -> None:
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"the session database has schema version {current}, newer than this hiplevel "
            f"({SCHEMA_VERSION}): update hiplevel before opening it"
        )
