"""The database under the session store: SQLite (embedded, the default) or PostgreSQL (a practice's
shared store), chosen by one URL. Both offer the same small interface, so the store's SQL is
written once: `?` placeholders, rows readable by column name or position, explicit transactions.

    sqlite:////abs/path/to/data-folder   (or no URL: `<data dir>/hiplevel.sqlite3`)
    postgresql://user:password@host:5432/dbname   (libpq URI; needs `pip install 'hiplevel[postgresql]'`)
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from hiplevel.errors import HiplevelError
from hiplevel.paths import default_data_dir

STORE_URL_ENV = "HIPLEVEL_STORE"
DB_FILENAME = "hiplevel.sqlite3"
# How long a writer waits for another process's write lock before failing, s.
LOCK_TIMEOUT_S: float = 30.0
# Pauses between tries to switch a new file to WAL while another process does the same, s.
WAL_RETRY_FIRST_S: float = 0.005
WAL_RETRY_MAX_S: float = 0.2
PG_SCHEMES = ("postgresql", "postgres")


class StoreError(HiplevelError):
    """The session store refused an operation (unknown id, missing confirmation, newer schema)."""


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Backend(Protocol):
    """What the store needs from a database connection (one per `SessionStore`)."""

    kind: str  # "sqlite" or "postgresql"
    url: str  # for messages: no password
    integrity_error: tuple[type[BaseException], ...]

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Cursor: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...
    def write(self) -> Any: ...  # context manager: one write transaction
    def read(self) -> Any: ...  # context manager: one consistent snapshot
    def schema_version(self) -> int: ...
    def migration(self) -> Any: ...  # context manager: exclusive transaction for schema changes
    def set_schema_version(self, version: int) -> None: ...
    def close(self) -> None: ...


def store_url(url: str | None) -> str | None:
    """The store URL to use: the one given, else $HIPLEVEL_STORE, else None (SQLite in the data dir)."""
    url = url if url else os.environ.get(STORE_URL_ENV) or None
    return url


def is_postgresql(url: str | None) -> bool:
    """True for a postgresql:// (or postgres://) URL."""
    return bool(url) and url.split(":", 1)[0].lower() in PG_SCHEMES


def sqlite_dir(url: str) -> Path:
    """The data folder named by a `sqlite:///path` URL (`sqlite:////abs/path` or `sqlite:///rel/path`,
    as SQLAlchemy writes them)."""
    if not url.lower().startswith("sqlite:///"):
        raise StoreError(f"store URL {redact(url)!r}: use postgresql://... or sqlite:///path/to/data-folder")
    path = url[len("sqlite:///"):]
    if not path:
        raise StoreError("sqlite:// URL without a path: use sqlite:///path/to/data-folder")
    return Path(path)


def no_store_yet(data_dir: str | Path | None, url: str | None) -> bool:
    """True when the store that `SessionStore(data_dir, url=url)` would open is SQLite and its file
    is not there: a reader that must not create one (the paired keys, the sensor's prior) has
    nothing to read. url: as `store_url` (None: $HIPLEVEL_STORE); data_dir None: the URL's folder,
    else $HIPLEVEL_DATA_DIR or the platform's."""
    url = store_url(url)
    if is_postgresql(url):
        return False
    folder = sqlite_dir(url) if url and data_dir is None else (
        Path(data_dir) if data_dir is not None else default_data_dir())
    return not (folder / DB_FILENAME).is_file()


def redact(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def open_backend(url: str | None, data_dir: Path) -> Backend:
    """The backend for `url` (None: SQLite in `data_dir`)."""
    if is_postgresql(url):
        from hiplevel.store.postgres import PostgresBackend

        return PostgresBackend(url)
    return SqliteBackend(data_dir / DB_FILENAME)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _enter_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL, waiting out other processes doing the same.

    Switching takes an exclusive lock from under a shared one; SQLite answers "database is locked" at
    once rather than calling the busy handler (it would deadlock), so several clients opening a new
    store together must retry here, up to LOCK_TIMEOUT_S.
    """
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    pause_s = WAL_RETRY_FIRST_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            if time.monotonic() >= deadline:
                raise StoreError(f"the store stayed locked by another program for {LOCK_TIMEOUT_S:.0f} s "
                                 f"({exc}): close other hiplevel windows and try again") from exc
            time.sleep(pause_s)
            pause_s = min(pause_s * 2, WAL_RETRY_MAX_S)


class SqliteBackend:
    """One SQLite file in WAL mode with foreign keys; writes take the write lock up front."""

    kind = "sqlite"
    integrity_error: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path.parent}"
        self.conn = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        try:
            _enter_wal(self.conn)
        except StoreError:
            self.conn.close()
            raise
        except sqlite3.DatabaseError as exc:  # not SQLite at all (overwritten, truncated header)
            self.conn.close()
            raise StoreError(f"{path} is damaged or not a hiplevel store ({exc}): move it aside and restore "
                             "the last backup with `hiplevel sessions restore`") from exc
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; durable at checkpoints

    def execute(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, tuple(args))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    @contextmanager
    def _transaction(self, begin: str) -> Iterator["SqliteBackend"]:
        self.conn.execute(begin)
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def write(self):
        return self._transaction("BEGIN IMMEDIATE")

    def read(self):
        return self._transaction("BEGIN")

    def migration(self):
        return self._transaction("BEGIN IMMEDIATE")

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, version: int) -> None:
        self.conn.execute(f"PRAGMA user_version = {int(version)}")

    def close(self) -> None:
        self.conn.close()
