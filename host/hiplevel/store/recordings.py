"""Where a session's recording is, as the store writes it in `sessions.recording_path`:

- `recordings/<file>`: a file in the data folder, relative to it (so a copied or moved data folder
  points at its own copy). A laptop's store keeps every recording this way; a shared store keeps a
  recording this way only while it is being recorded on this laptop.
- `db:<file>`: in the database, table `recording_chunks` (a shared PostgreSQL store: uploaded when the
  session is finished; removed with its session by the foreign key's cascade).
- an absolute path: a recording kept outside the data folder on purpose. The store reads it but
  never deletes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from hiplevel.store.backend import Backend, StoreError

DB_PREFIX = "db:"
RECORDINGS_DIRNAME = "recordings"
# Size of one row of `recording_chunks`, bytes: large enough for few rows, small enough that an
# upload or download never holds more than this in memory.
CHUNK_BYTES = 1 << 20


def is_in_db(ref: str | None) -> bool:
    """True when the recording is kept in the database."""
    return bool(ref) and ref.startswith(DB_PREFIX)


def relative_ref(path_text: str | Path, data_dir: Path, *, legacy: bool = False) -> str:
    """How the store records a recording at `path_text`: relative to `data_dir` when inside it,
    else absolute. legacy=True (migration of old rows) also maps an absolute `.../recordings/<file>`
    of another folder to `recordings/<file>`: the store's own layout in a copied data folder."""
    text = str(path_text)
    if is_in_db(text):
        return text
    path = Path(text)
    if not path.is_absolute():
        return PurePosixPath(*path.parts).as_posix()
    try:
        return path.resolve().relative_to(data_dir.resolve()).as_posix()
    except ValueError:
        pass
    if legacy and path.parent.name == RECORDINGS_DIRNAME:
        return f"{RECORDINGS_DIRNAME}/{path.name}"
    return str(path)


def local_path(ref: str | None, data_dir: Path) -> Path | None:
    """The file a file reference names (None for none or a recording in the database)."""
    if not ref or is_in_db(ref):
        return None
    path = Path(ref)
    return path if path.is_absolute() else data_dir / path


def inside(path: Path, data_dir: Path) -> bool:
    """True when `path` lies inside the data folder (the only place the store deletes from)."""
    return path.resolve().is_relative_to(data_dir.resolve())


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256 hex, size in bytes) of a file, read in chunks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def upload(backend: Backend, session_id: str, path: Path) -> tuple[str, int]:
    """Copy a recording file into `recording_chunks` (call inside a write transaction, so a crash
    leaves all of it or none); returns (SHA-256 hex, bytes)."""
    backend.execute("DELETE FROM recording_chunks WHERE session_id = ?", (session_id,))
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        index = 0
        while chunk := fh.read(CHUNK_BYTES):
            backend.execute(
                "INSERT INTO recording_chunks (session_id, chunk_index, data) VALUES (?, ?, ?)",
                (session_id, index, chunk),
            )
            h.update(chunk)
            size += len(chunk)
            index += 1
    return h.hexdigest(), size


def db_chunks(backend: Backend, session_id: str) -> Iterator[bytes]:
    """The recording's bytes from the database, one chunk at a time (one query per chunk, so memory
    stays at one chunk)."""
    n = backend.execute("SELECT COUNT(*) FROM recording_chunks WHERE session_id = ?", (session_id,)).fetchone()[0]
    for index in range(int(n)):
        row = backend.execute(
            "SELECT data FROM recording_chunks WHERE session_id = ? AND chunk_index = ?", (session_id, index)
        ).fetchone()
        if row is None:
            raise StoreError(f"recording of session {session_id} has a missing chunk {index}")
        yield bytes(row[0])


def download(backend: Backend, session_id: str, dest: Path) -> tuple[str, int]:
    """Write a recording kept in the database to `dest`; returns (SHA-256 hex, bytes)."""
    h = hashlib.sha256()
    size = 0
    with dest.open("wb") as fh:
        for chunk in db_chunks(backend, session_id):
            fh.write(chunk)
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size
