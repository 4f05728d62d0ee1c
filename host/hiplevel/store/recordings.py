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
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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


def session_ref(backend: Backend, session_id: str) -> str | None:
    """The session's recording reference (None: it has none); StoreError for an unknown session."""
    row = backend.execute("SELECT recording_path FROM sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise StoreError(f"no session {session_id}")
    return row[0]


def file_recording(backend: Backend, data_dir: Path, session_id: str, *, into_db: bool) -> str | None:
    """File a finished session's recording: note its SHA-256 and size and, into_db (a shared store),
    copy it into the database and remove the local file. Returns the new reference (None when there
    is no local file)."""
    ref = session_ref(backend, session_id)
    path = local_path(ref, data_dir)
    if path is None or not path.is_file():
        return None
    if not into_db:
        digest, size = file_digest(path)
        with backend.write() as c:
            c.execute("UPDATE sessions SET recording_sha256 = ?, recording_bytes = ? WHERE id = ?",
                      (digest, size, session_id))
        return ref
    new_ref = DB_PREFIX + path.name
    with backend.write() as c:
        digest, size = upload(c, session_id, path)
        c.execute("UPDATE sessions SET recording_path = ?, recording_sha256 = ?, recording_bytes = ? WHERE id = ?",
                  (new_ref, digest, size, session_id))
    if inside(path, data_dir):
        path.unlink()  # the database holds it now (checked by its digest on every download)
    return new_ref


def pending_uploads(backend: Backend, data_dir: Path) -> list[str]:
    """Finished sessions of a shared store whose recording is a file on this computer (the recorder
    stopped between finishing and uploading, or another computer marked the session interrupted
    while this one was down)."""
    out = []
    for row in backend.execute(
        "SELECT id, recording_path FROM sessions WHERE status <> 'recording' AND recording_path IS NOT NULL "
        "AND recording_path NOT LIKE 'db:%' ORDER BY started_at"
    ):
        path = local_path(row[1], data_dir)
        if path is not None and path.is_file() and inside(path, data_dir):
            out.append(row[0])
    return out


@contextmanager
def recording_file(backend: Backend, data_dir: Path, session_id: str) -> Iterator[Path]:
    """The session's recording as a local file for reading (a temporary copy, checked against its
    SHA-256, when the database holds it); StoreError when it has none or it is missing."""
    ref = session_ref(backend, session_id)
    if not ref:
        raise StoreError(f"session {session_id} has no recording")
    if not is_in_db(ref):
        path = local_path(ref, data_dir)
        if path is None or not path.exists():
            raise StoreError(f"recording of session {session_id} is missing: {path}")
        yield path
        return
    expected = backend.execute("SELECT recording_sha256 FROM sessions WHERE id = ?", (session_id,)).fetchone()[0]
    fd, name = tempfile.mkstemp(prefix=f"{session_id}-", suffix=Path(ref).suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        with backend.read() as c:
            digest, _size = download(c, session_id, tmp)
        if expected and digest != expected:
            raise StoreError(f"recording of session {session_id} in the database does not match its checksum")
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def removable_file(ref: str | None, data_dir: Path, session_id: str) -> Path | None:
    """The local recording a deleted session may take with it: only one inside this data folder (a
    copied data folder must not remove the original's recording, which is left with a warning)."""
    path = local_path(ref, data_dir)
    if path is None or not (path.exists() or path.is_symlink()):
        return None
    if inside(path.parent, data_dir) and (path.is_symlink() or inside(path, data_dir)):
        return path
    logging.getLogger(__name__).warning(
        "session %s: its recording %s is outside the data folder %s and was left in place", session_id, path, data_dir)
    return None


def remove(path: Path) -> None:
    """Remove a recording file (or a recording folder, not through a symlink)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
