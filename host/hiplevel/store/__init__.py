"""Session store: SQLite index of patients, sessions, sets, reps and scores (docs/store.md)."""

from hiplevel.store.db import HEARTBEAT_STALE_S, SessionStore
from hiplevel.store.records import (
    EXERCISE_LEVEL,
    Patient,
    SessionInputs,
    SessionMeta,
    SessionRecord,
    SetReport,
)
from hiplevel.store.schema import SCHEMA_VERSION, StoreError

__all__ = [
    "EXERCISE_LEVEL",
    "HEARTBEAT_STALE_S",
    "SCHEMA_VERSION",
    "Patient",
    "SessionInputs",
    "SessionMeta",
    "SessionRecord",
    "SessionStore",
    "SetReport",
    "StoreError",
]
