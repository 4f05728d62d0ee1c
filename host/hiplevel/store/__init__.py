"""Session store: patients, sessions, sets, reps, scores and recordings, in SQLite (a laptop) or
PostgreSQL (a practice's shared store), chosen by one URL (docs/store.md)."""

from hiplevel.store.backend import STORE_URL_ENV
from hiplevel.store.db import HEARTBEAT_STALE_S, RecordingQuality, SessionStore
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
    "STORE_URL_ENV",
    "RecordingQuality",
    "SCHEMA_VERSION",
    "Patient",
    "SessionInputs",
    "SessionMeta",
    "SessionRecord",
    "SessionStore",
    "SetReport",
    "StoreError",
]
