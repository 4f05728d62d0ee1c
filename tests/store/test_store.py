"""Session store on both backends: schema and migrations, round trip, pseudonyms, recovery, delete."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from store_synth import T0, small_session

from hiplevel.analysis.version import ANALYSIS_VERSION
from hiplevel.store import SCHEMA_VERSION, SessionMeta, SessionStore, StoreError
from hiplevel.store.backend import DB_FILENAME, open_backend
from hiplevel.store.schema import MIGRATIONS, migrate


def test_sqlite_database_settings(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.backend.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.kind == "sqlite" and not store.keeps_recordings_in_db


def test_data_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIPLEVEL_STORE", raising=False)
    monkeypatch.setenv("HIPLEVEL_DATA_DIR", str(tmp_path / "env-data"))
    store = SessionStore()
    assert store.path == tmp_path / "env-data" / DB_FILENAME and store.path.exists()


def test_store_url_from_environment(backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = backend.url or f"sqlite:///{tmp_path / 'by-url'}"
    monkeypatch.setenv("HIPLEVEL_STORE", url)
    store = SessionStore() if backend.kind == "sqlite" else SessionStore(tmp_path / "local")
    assert store.kind == backend.kind
    if backend.kind == "sqlite":
        assert store.path == tmp_path / "by-url" / DB_FILENAME
    else:
        assert store.path is None and store.keeps_recordings_in_db and "postgresql://" in store.describe()


def test_a_store_url_that_is_neither_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="postgresql://"):
        SessionStore(tmp_path, url="mysql://x@y/z")


def test_round_trip(backend, tmp_path: Path) -> None:
    store = backend.open(tmp_path)
    pid = store.add_patient()
    inputs = small_session(pid)
    sid = store.save_session(inputs)
    loaded = store.load_session(sid)
    assert loaded.meta.calibration_state == "stale" and loaded.meta.gaps == ((3.0, 0.5),)
    assert loaded.meta.samples_lost == 12 and loaded.meta.thresholds == {"drop_flag_deg": 6.0}
    assert loaded.meta.battery_pct == 55.0 and loaded.meta.analysis_version == ANALYSIS_VERSION
    for a, b in zip(inputs.sets, loaded.sets):
        assert b.analysis_json == a.analysis_json and b.start_s == a.start_s and b.level == 2
        assert b.analysis_version == a.analysis_version == ANALYSIS_VERSION
        np.testing.assert_allclose(b.roll_deg, a.roll_deg, atol=1e-5)  # float32 on disk
        np.testing.assert_allclose(b.t_s, a.t_s, atol=1e-5)
    rec = store.get_session(sid)
    assert (rec.n_sets, rec.n_reps, rec.status) == (2, 8, "complete")
    reps = store.patient_reps(pid)
    assert [r["drop_deg"] for r in reps] == [r["drop_deg"] for s in inputs.sets for r in s.reps]
    summary = store.set_summaries(pid)[0]
    left = [r["drop_deg"] for r in inputs.sets[0].reps if r["side"] == "left"]
    assert summary["n_clean"] == 2 and summary["mean_drop_left_deg"] == pytest.approx(np.mean(left))
    assert store.raw_rows("SELECT COUNT(*) AS n FROM reps")[0]["n"] == 8


def test_patients_are_pseudonymous(backend, tmp_path: Path) -> None:
    store = backend.open(tmp_path)
    ids = {store.add_patient() for _ in range(20)}
    assert len(ids) == 20 and all(i.startswith("P-") and len(i) == 6 for i in ids)
    assert all(p.display_name is None for p in store.list_patients())
    named = store.add_patient("P-OWN1", display_name="Ada L.")
    assert store.get_patient(named).display_name == "Ada L."
    with pytest.raises(StoreError):
        store.add_patient("P-OWN1")
    with pytest.raises(StoreError):
        store.add_patient("bad id with spaces")
    with pytest.raises(StoreError):
        store.save_session(small_session("P-NOBODY"))
    assert store.ensure_patient("P-OWN1") == "P-OWN1" and store.ensure_patient("P-NEW2") == "P-NEW2"
    assert len(store.list_patients()) == 22


@pytest.mark.parametrize("bad", ["../../x", "/etc/passwd", "a/b", ".hidden", "", "x" * 65, "a\\b", "a\x00b"])
def test_session_ids_that_could_name_a_path_are_refused(bad: str) -> None:
    with pytest.raises(StoreError, match="session id"):
        SessionMeta(patient_id="P-1", session_id=bad)
    with pytest.raises(StoreError, match="patient id"):
        SessionMeta(patient_id=bad if len(bad) < 60 else "x" * 33, session_id="S-1")


def test_a_stored_session_with_a_given_id_keeps_it_and_refuses_a_second(backend, tmp_path: Path) -> None:
    store = backend.open(tmp_path)
    pid = store.add_patient()
    meta = small_session(pid).meta
    from dataclasses import replace

    assert store.start_session(replace(meta, session_id="2026-11-25-a")) == "2026-11-25-a"
    with pytest.raises(StoreError, match="already exists"):
        store.start_session(replace(meta, session_id="2026-11-25-a"))


def test_interrupted_session_is_recovered_on_open(backend, tmp_path: Path) -> None:
    now = [T0]
    store = backend.open(tmp_path, clock=lambda: now[0])
    pid = store.add_patient()
    sid = store.start_session(SessionMeta(patient_id=pid, started_at=T0))
    store.add_set(sid, small_session(pid).sets[0])
    now[0] = T0 + timedelta(seconds=50)
    store.heartbeat(sid)
    live = store.start_session(SessionMeta(patient_id=pid, started_at=now[0]))
    store.close()
    # reopened 3 min later: `sid` last beat 130 s ago (stale), `live` was started 130 s ago too
    later = T0 + timedelta(seconds=180)
    reopened = backend.open(tmp_path, clock=lambda: later, stale_after_s=120.0)
    assert sorted(reopened.recovered_) == sorted([sid, live])
    rec = reopened.get_session(sid)
    assert rec.status == "interrupted" and rec.ended_at == T0 + timedelta(seconds=50) and rec.n_reps == 4
    with pytest.raises(StoreError):
        reopened.heartbeat(sid)
    # a session beating recently is left alone
    fresh = reopened.start_session(SessionMeta(patient_id=pid, started_at=later))
    assert backend.open(tmp_path, clock=lambda: later + timedelta(seconds=60)).recovered_ == []
    assert reopened.get_session(fresh).status == "recording"


def test_delete_needs_confirmation_and_removes_recording(backend, tmp_path: Path) -> None:
    store = backend.open(tmp_path / "data")
    pid = store.add_patient()
    rec = store.recordings_dir / "s1.hlrec"
    rec.parent.mkdir(parents=True)
    rec.write_bytes(b"HLREC")
    sid = store.save_session(small_session(pid, recording=str(rec)))
    assert store.get_session(sid).meta.recording_path == "recordings/s1.hlrec"  # relative to the data folder
    with pytest.raises(StoreError):
        store.delete_session(sid)
    assert rec.exists() and store.get_session(sid)
    assert store.delete_session(sid, confirm=True) == rec
    assert not rec.exists()
    with pytest.raises(StoreError):
        store.get_session(sid)
    for table in ("sets", "reps", "set_summaries", "set_traces"):  # cascaded
        assert store.raw_rows(f"SELECT COUNT(*) FROM {table}")[0][0] == 0


def test_delete_never_removes_a_recording_outside_the_data_folder(backend, tmp_path: Path) -> None:
    store = backend.open(tmp_path / "data")
    pid = store.add_patient()
    outside_dir = tmp_path / "elsewhere"
    outside_dir.mkdir()
    outside_file = tmp_path / "kept.hlrec"
    outside_file.write_bytes(b"HLREC")
    for target in (outside_dir, outside_file):
        sid = store.save_session(small_session(pid, recording=str(target)))
        assert store.get_session(sid).meta.recording_path == str(target)
        assert store.delete_session(sid, confirm=True) is None
        assert target.exists()
        with pytest.raises(StoreError):
            store.get_session(sid)


def test_a_copied_data_folder_never_deletes_the_originals_recording(tmp_path: Path) -> None:
    """Probe finding: rows written by an older hiplevel held absolute paths, so `sessions delete` in
    a copy of the data folder removed the original's recording."""
    import shutil

    original = tmp_path / "original"
    original.mkdir()
    backend = open_backend(None, original)
    migrate(backend, original, target=3)  # the schema before relative paths
    rec = original / "recordings" / "S-OLD.hlrec"
    rec.parent.mkdir()
    rec.write_bytes(b"HLREC original")
    backend.execute("INSERT INTO patients (id, created_at) VALUES ('P-OLD1', '2024-01-01T00:00:00.000+00:00')")
    backend.execute(
        "INSERT INTO sessions (id, patient_id, started_at, status, recording_path) "
        "VALUES ('S-OLD', 'P-OLD1', '2024-01-01T00:00:00.000+00:00', 'complete', ?)", (str(rec),))
    backend.close()
    copy = tmp_path / "copy"
    shutil.copytree(original, copy)

    store = SessionStore(copy)
    assert store.get_session("S-OLD").meta.recording_path == "recordings/S-OLD.hlrec"
    assert store.delete_session("S-OLD", confirm=True) == copy / "recordings" / "S-OLD.hlrec"
    assert rec.read_bytes() == b"HLREC original"  # the original is untouched
    assert SessionStore(original).get_session("S-OLD").meta.recording_path == "recordings/S-OLD.hlrec"


def test_migration_from_version_1_keeps_data(backend, tmp_path: Path) -> None:
    b = open_backend(backend.url, tmp_path)
    assert migrate(b, tmp_path, target=1) == 1
    b.execute("INSERT INTO patients (id, created_at) VALUES ('P-OLD1', '2024-01-01T00:00:00.000+00:00')")
    b.close()
    store = backend.open(tmp_path)
    assert store.schema_version_ == len(MIGRATIONS) == SCHEMA_VERSION
    assert store.get_patient("P-OLD1") is not None
    assert store.raw_rows("SELECT COUNT(*) FROM set_traces")[0][0] == 0


def test_newer_database_is_refused(backend, tmp_path: Path) -> None:
    backend.open(tmp_path).close()
    b = open_backend(backend.url, tmp_path)
    with b.migration():
        b.set_schema_version(SCHEMA_VERSION + 1)
    b.close()
    with pytest.raises(StoreError, match="newer"):
        backend.open(tmp_path)


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / DB_FILENAME).write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError, match="damaged or not a hiplevel store"):
        SessionStore(tmp_path)


def test_a_store_locked_by_another_program_is_busy_not_damaged(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A file another program holds locked is healthy: the error says wait, never "restore a backup"."""
    monkeypatch.setattr("hiplevel.store.backend.LOCK_TIMEOUT_S", 0.2)
    other = sqlite3.connect(tmp_path / DB_FILENAME, isolation_level=None)
    other.execute("CREATE TABLE held (x)")
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another program") as err:
            SessionStore(tmp_path)
        assert "restore" not in str(err.value)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert SessionStore(tmp_path).schema_version_ == SCHEMA_VERSION
