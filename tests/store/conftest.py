"""The store's tests run on both backends: SQLite (embedded) and a real PostgreSQL server that the
tests start themselves (bench.pg_server: Debian's postgresql, on a unix socket in a temporary
folder). PostgreSQL runs skip with the reason when no server or no psycopg can be had."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hiplevel.store import SessionStore

_db_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """A throwaway PostgreSQL server for the whole run (skips when none can be started)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'hiplevel[postgresql]'; `make test` installs it)")
    from bench.pg_server import PostgresUnavailable, TempPostgres

    try:
        server = TempPostgres.start()
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL server for the store tests: {exc}")
    yield server
    server.stop()


@dataclass
class StoreFactory:
    """Opens stores of one backend: `open(data_dir)` (each call a new connection to the same store)."""

    kind: str
    url: str | None

    def open(self, data_dir: Path, **kw) -> SessionStore:
        return SessionStore(data_dir, url=self.url, **kw)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreFactory]:
    """Each backend in turn: SQLite in the test's data folder, or a fresh PostgreSQL database."""
    monkeypatch.delenv("HIPLEVEL_STORE", raising=False)
    if request.param == "sqlite":
        yield StoreFactory("sqlite", None)
        return
    server = request.getfixturevalue("pg_server")
    name = f"t{next(_db_numbers)}"
    url = server.create_database(name)
    yield StoreFactory("postgresql", url)
    server.drop_database(name)


@pytest.fixture
def shared(pg_server, monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreFactory]:
    """A shared store on PostgreSQL only (for what only a shared store does)."""
    monkeypatch.delenv("HIPLEVEL_STORE", raising=False)
    name = f"t{next(_db_numbers)}"
    url = pg_server.create_database(name)
    yield StoreFactory("postgresql", url)
    pg_server.drop_database(name)
