"""A throwaway PostgreSQL server for the store's tests and benchmarks: initdb in a temporary folder,
listening only on a unix socket there (no TCP port), trust authentication, stopped and removed at
the end. Uses Debian's `postgresql` package (`tools/ensure-test-tools` installs it when missing) or
any `initdb`/`pg_ctl` on PATH; PostgreSQL refuses to run as root, so as root the server runs as the
`postgres` (or `nobody`) user.

    with TempPostgres.start() as pg:     # PostgresUnavailable(reason) when it can not be had
        url = pg.create_database("t1")   # postgresql://hiplevel@/t1?host=/tmp/hiplevel-pg-xxxx
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "hiplevel"
START_TIMEOUT_S = 60


class PostgresUnavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


def find_bin_dir() -> Path:
    """The folder of `initdb` and `pg_ctl`: PATH first, then Debian's /usr/lib/postgresql/<v>/bin."""
    found = shutil.which("initdb") and shutil.which("pg_ctl")
    if found:
        return Path(shutil.which("initdb")).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if versions:
        return Path(versions[-1]).parent
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl): install Debian's `postgresql` package "
        "(tools/ensure-test-tools does when run as root)"
    )


def _run_as() -> str | None:
    """The user to run the server as: None when not root, else `postgres` or `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and there is no `postgres` or `nobody` user to run the server as")


@dataclass
class TempPostgres:
    """A running throwaway server (see module docstring)."""

    root: Path
    bin_dir: Path
    user: str | None

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def url(self, dbname: str = "postgres") -> str:
        """libpq URI of a database on this server."""
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.socket_dir}"

    @classmethod
    def start(cls) -> "TempPostgres":
        """initdb and start a server; PostgresUnavailable when that can not be done here."""
        bin_dir = find_bin_dir()
        user = _run_as()
        root = Path(tempfile.mkdtemp(prefix="hiplevel-pg-"))  # short path: unix socket names are limited
        (root / "sock").mkdir()
        if user is not None:
            uid, gid = pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid
            for p in (root, root / "sock"):
                os.chown(p, uid, gid)
        server = cls(root, bin_dir, user)
        try:
            server._pg("initdb", "-D", str(root / "data"), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                       "--no-sync", "--locale=C")
            opts = (f"-k {root / 'sock'} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                    "-c full_page_writes=off -c max_connections=60")
            server._pg("pg_ctl", "-D", str(root / "data"), "-l", str(root / "server.log"), "-o", opts,
                       "-w", "-t", str(START_TIMEOUT_S), "start")
        except PostgresUnavailable:
            server.stop()
            raise
        return server

    def _pg(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin_dir / tool), *args]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, user=self.user, cwd=self.root,
                                  timeout=START_TIMEOUT_S + 30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PostgresUnavailable(f"{tool} failed: {exc}") from exc
        if proc.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{tool} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]} {tail}")

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database (its connections are ended first)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        if (self.root / "data" / "postmaster.pid").exists():
            try:
                self._pg("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
            except PostgresUnavailable:
                pass  # removed below all the same
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "TempPostgres":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
