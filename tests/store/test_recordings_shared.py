"""Recordings in each kind of store: a laptop's stay files in its data folder (with their checksum);
a shared store takes them into the database when the session is finished, any laptop reads them
back, and they go with their session."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_synth import T0

from bench.store_sim import add_recorded_session, write_sim_recording
from hiplevel.store import SessionStore, StoreError
from hiplevel.store.recordings import file_digest


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sim_recording(tmp_path_factory.mktemp("rec") / "walk.hlrec", seed=3)


def test_a_finished_recording_is_filed_with_its_checksum(backend, tmp_path: Path, template: Path) -> None:
    laptop_a = backend.open(tmp_path / "laptop-a")
    sid = add_recorded_session(laptop_a, "P-001", template, T0)
    rec = laptop_a.get_session(sid)
    digest, size = file_digest(template)
    row = laptop_a.raw_rows("SELECT recording_sha256, recording_bytes FROM sessions WHERE id = ?", (sid,))[0]
    assert (row[0], row[1]) == (digest, size) and rec.n_reps == 8
    local = tmp_path / "laptop-a" / "recordings" / f"{sid}.hlrec"
    if backend.kind == "sqlite":
        assert rec.meta.recording_path == f"recordings/{sid}.hlrec" and local.is_file()
        return
    # shared store: in the database, not on laptop A any more; laptop B reads the same bytes
    assert rec.meta.recording_path == f"db:{sid}.hlrec" and not local.exists()
    laptop_b = backend.open(tmp_path / "laptop-b")
    with laptop_b.recording_file(sid) as path:
        assert file_digest(path) == (digest, size)
    assert laptop_b.delete_session(sid, confirm=True) is None
    assert laptop_b.raw_rows("SELECT COUNT(*) FROM recording_chunks")[0][0] == 0  # went with the session


def test_a_recording_left_on_a_laptop_is_uploaded_when_it_next_opens(shared, tmp_path: Path, template: Path) -> None:
    """The recorder stopped after finishing but before the upload (or another laptop marked the session
    interrupted while this one was down): the next open of the store on this laptop uploads it."""
    backend = shared
    from hiplevel.cli.store_access import open_store
    from hiplevel.store import SessionMeta

    store = backend.open(tmp_path / "laptop")
    store.ensure_patient("P-001")
    sid = store.start_session(SessionMeta(patient_id="P-001", started_at=T0))
    path = store.recordings_dir / f"{sid}.hlrec"
    path.parent.mkdir(parents=True)
    path.write_bytes(template.read_bytes())
    store.set_recording_path(sid, path)
    store.close()
    other = backend.open(tmp_path / "other", stale_after_s=0.0)  # another laptop: heartbeat is stale
    assert other.recovered_ == [sid]
    with pytest.raises(StoreError, match="missing"):
        with other.recording_file(sid):
            pass
    reopened = open_store(tmp_path / "laptop", url=backend.url)
    assert reopened.get_session(sid).meta.recording_path == f"db:{sid}.hlrec" and not path.exists()
    assert reopened.get_session(sid).n_reps == 8  # analysed too: it had no sets
    with other.recording_file(sid) as got:
        assert got.read_bytes() == template.read_bytes()


def test_a_lost_server_is_one_clear_error_and_the_store_reconnects(shared, tmp_path: Path) -> None:
    import psycopg

    store = shared.open(tmp_path / "laptop")
    store.ensure_patient("P-001")
    with psycopg.connect(shared.url, autocommit=True) as admin:  # the server drops the laptop's connection
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    with pytest.raises(StoreError, match="lost the connection"):
        store.list_patients()
    assert [p.id for p in store.list_patients()] == ["P-001"]  # the next call connects again
    with pytest.raises(StoreError, match="cannot reach"):
        SessionStore(tmp_path / "x", url=shared.url.replace("/t", "/no_such_db_"))
