"""SQLite schema of the session store, as an ordered list of migrations.

The database's `PRAGMA user_version` is the number of migrations applied. Opening a store applies
the missing ones in a single transaction each; a database newer than this code is refused rather
than guessed at. Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3

from hiplevel.errors import HiplevelError


class StoreError(HiplevelError):
    """The session store refused an operation (unknown id, missing confirmation, newer schema)."""


# Migration N (1-based) brings user_version N-1 to N.
MIGRATIONS: tuple[str, ...] = (
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
)

SCHEMA_VERSION: int = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """The number of migrations applied to this database."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing migrations up to `target`; returns the version reached."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"the session database has schema version {current}, newer than this hiplevel "
            f"({SCHEMA_VERSION}): update hiplevel before opening it"
        )
    for version in range(current + 1, target + 1):
        # executescript commits first, so wrap each step in its own explicit transaction.
        conn.executescript(
            "BEGIN IMMEDIATE;\n" + MIGRATIONS[version - 1] + f"\nPRAGMA user_version = {version};\nCOMMIT;"
        )
    return schema_version(conn)
