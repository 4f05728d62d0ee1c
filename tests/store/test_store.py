"""Session store: schema and migrations, round trip, pseudonyms, recovery, delete, data folder."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from store_synth import T0, small_session

from hiplevel.store import SCHEMA_VERSION, SessionMeta, SessionStore, StoreError
from hiplevel.store.db import DB_FILENAME
from hiplevel.store.schema import MIGRATIONS, migrate


def test_database_settings(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_data_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPLEVEL_DATA_DIR", str(tmp_path / "env-data"))
    store = SessionStore()
    assert store.path == tmp_path / "env-data" / DB_FILENAME and store.path.exists()


def test_round_trip(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    pid = store.add_patient()
    inputs = small_session(pid)
    sid = store.save_session(inputs)
    loaded = store.load_session(sid)
    assert loaded.meta.calibration_state == "stale" and loaded.meta.gaps == ((3.0, 0.5),)
    assert loaded.meta.samples_lost == 12 and loaded.meta.thresholds == {"drop_flag_deg": 6.0}
    for a, b in zip(inputs.sets, loaded.sets):
        assert b.analysis_json == a.analysis_json and b.start_s == a.start_s and b.level == 2
        np.testing.assert_allclose(b.roll_deg, a.roll_deg, atol=1e-5)  # float32 on disk
        np.testing.assert_allclose(b.t_s, a.t_s, atol=1e-5)
    rec = store.get_session(sid)
    assert (rec.n_sets, rec.n_reps, rec.status) == (2, 8, "complete")
    reps = store.patient_reps(pid)
    assert [r["drop_deg"] for r in reps] == [r["drop_deg"] for s in inputs.sets for r in s.reps]
    summary = store.set_summaries(pid)[0]
    left = [r["drop_deg"] for r in inputs.sets[0].reps if r["side"] == "left"]
    assert summary["n_clean"] == 2 and summary["mean_drop_left_deg"] == pytest.approx(np.mean(left))


def test_patients_are_pseudonymous(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
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


def test_interrupted_session_is_recovered_on_open(tmp_path: Path) -> None:
    now = [T0]
    store = SessionStore(tmp_path, clock=lambda: now[0])
    pid = store.add_patient()
    sid = store.start_session(SessionMeta(patient_id=pid, started_at=T0))
    store.add_set(sid, small_session(pid).sets[0])
    now[0] = T0 + timedelta(seconds=50)
    store.heartbeat(sid)
    live = store.start_session(SessionMeta(patient_id=pid, started_at=now[0]))
    store.close()
    # reopened 3 min later: `sid` last beat 130 s ago (stale), `live` was started 130 s ago too
    later = T0 + timedelta(seconds=180)
    reopened = SessionStore(tmp_path, clock=lambda: later, stale_after_s=120.0)
    assert sorted(reopened.recovered_) == sorted([sid, live])
    rec = reopened.get_session(sid)
    assert rec.status == "interrupted" and rec.ended_at == T0 + timedelta(seconds=50) and rec.n_reps == 4
    with pytest.raises(StoreError):
        reopened.heartbeat(sid)
    # a session beating recently is left alone
    fresh = reopened.start_session(SessionMeta(patient_id=pid, started_at=later))
    assert SessionStore(tmp_path, clock=lambda: later + timedelta(seconds=60)).recovered_ == []
    assert reopened.get_session(fresh).status == "recording"


def test_delete_needs_confirmation_and_removes_recording(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "data")
    pid = store.add_patient()
    rec = store.recordings_dir / "s1.hlrec"
    rec.parent.mkdir(parents=True)
    rec.write_bytes(b"HLREC")
    sid = store.save_session(small_session(pid, recording=str(rec)))
    with pytest.raises(StoreError):
        store.delete_session(sid)
    assert rec.exists() and store.get_session(sid)
    assert store.delete_session(sid, confirm=True) == rec
    assert not rec.exists()
    with pytest.raises(StoreError):
        store.get_session(sid)
    for table in ("sets", "reps", "set_summaries", "set_traces"):  # cascaded
        assert store.raw_rows(f"SELECT COUNT(*) FROM {table}")[0][0] == 0
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    sid2 = store.save_session(small_session(pid, recording=str(outside)))
    with pytest.raises(StoreError):  # never rmtree a folder outside the data folder
        store.delete_session(sid2, confirm=True)
    assert outside.exists() and store.get_session(sid2)


def test_migration_from_version_1_keeps_data(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / DB_FILENAME, isolation_level=None)
    assert migrate(conn, target=1) == 1
    conn.execute("INSERT INTO patients (id, created_at) VALUES ('P-OLD1', '2024-01-01T00:00:00.000+00:00')")
    conn.close()
    store = SessionStore(tmp_path)
    assert store.schema_version_ == len(MIGRATIONS) == SCHEMA_VERSION
    assert store.get_patient("P-OLD1") is not None
    assert store.raw_rows("SELECT COUNT(*) FROM set_traces")[0][0] == 0


def test_newer_database_is_refused(tmp_path: Path) -> None:
    SessionStore(tmp_path).close()
    conn = sqlite3.connect(tmp_path / DB_FILENAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SessionStore(tmp_path)
