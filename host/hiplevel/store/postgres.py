"""PostgreSQL backend of the session store (psycopg 3): a practice's shared store.

The store's SQL is written for both databases with `?` placeholders; here they become `%s`. Each
`SessionStore` owns one connection in autocommit mode and opens its own transactions: writes in
READ COMMITTED (row locks and unique keys keep concurrent clinicians apart), multi-query reads in
one REPEATABLE READ READ ONLY snapshot, schema migrations under a transaction-scoped advisory lock so
several laptops opening a new version at once migrate exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from hiplevel.store.backend import StoreError, redact

# Key of the advisory lock held while migrating (any constant unique to hiplevel).
MIGRATION_LOCK_KEY = 0x6869706C  # "hipl"
CONNECT_TIMEOUT_S = 10


class PgRow(tuple):
    """A result row readable by position (`row[0]`) and by column name (`row["id"]`), like sqlite3.Row."""

    _names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._names.index(key))
            except ValueError:
                raise IndexError(f"no column {key!r}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor: Any):
    names = tuple(c.name for c in (cursor.description or ()))
    cls = type("Row", (PgRow,), {"_names": names, "__slots__": ()})
    return lambda values: cls(values)


def placeholders(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (a literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresBackend:
    """One psycopg connection to the store's database."""

    kind = "postgresql"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise StoreError(
                "a PostgreSQL store needs the psycopg driver: pip install 'hiplevel[postgresql]'"
            ) from exc
        self._psycopg = psycopg
        self._dsn = url
        self.url = redact(url)
        self.integrity_error = (psycopg.IntegrityError,)
        self._in_transaction = False
        self.conn = self._connect()

    def _connect(self):
        psycopg = self._psycopg
        try:
            return psycopg.connect(self._dsn, autocommit=True, row_factory=_row_factory,
                                   connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.OperationalError as exc:
            raise StoreError(f"cannot reach the PostgreSQL store {self.url}: {str(exc).strip()}") from exc

    @contextmanager
    def _connection_errors(self) -> Iterator[None]:
        """A lost server or network as a StoreError (one clear sentence); the next statement outside a
        transaction connects again."""
        try:
            yield
        except self._psycopg.OperationalError as exc:
            raise StoreError(f"lost the connection to the PostgreSQL store {self.url}: {str(exc).strip()} "
                             "(recordings stay on this computer and are filed when the store is back)") from exc

    def _ready(self):
        if self.conn.closed and not self._in_transaction:
            self.conn = self._connect()
        return self.conn

    def execute(self, sql: str, args: Sequence[Any] = ()):
        with self._connection_errors():
            if not args:  # without parameters psycopg sends the text as it is (a `%` stays single)
                return self._ready().execute(sql)
            return self._ready().execute(placeholders(sql), tuple(args))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._connection_errors(), self._ready().cursor() as cur:
            cur.executemany(placeholders(sql), [tuple(r) for r in rows])

    @contextmanager
    def _transaction(self, begin: str) -> Iterator["PostgresBackend"]:
        self.execute(begin)
        self._in_transaction = True
        try:
            yield self
        except BaseException:
            self._in_transaction = False
            if not self.conn.closed:
                with self._connection_errors():
                    self.conn.execute("ROLLBACK")
            raise
        self._in_transaction = False
        self.execute("COMMIT")

    def write(self):
        return self._transaction("BEGIN")

    def read(self):
        return self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    @contextmanager
    def migration(self) -> Iterator["PostgresBackend"]:
        with self._transaction("BEGIN"):
            self.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK_KEY,))
            self.execute("CREATE TABLE IF NOT EXISTS hiplevel_schema (version INTEGER NOT NULL)")
            yield self

    def schema_version(self) -> int:
        exists = self.execute("SELECT to_regclass('hiplevel_schema')").fetchone()[0]
        if exists is None:
            return 0
        row = self.execute("SELECT max(version) FROM hiplevel_schema").fetchone()
        return int(row[0] or 0)

    def set_schema_version(self, version: int) -> None:
        self.execute("DELETE FROM hiplevel_schema")
        self.execute("INSERT INTO hiplevel_schema (version) VALUES (?)", (int(version),))

    def close(self) -> None:
        self.conn.close()
