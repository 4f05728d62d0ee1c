"""`hiplevel doctor` finds what is missing, changed or orphaned; `sessions backup` / `restore` carry a
whole store (rows and recordings) between folders and backends, and restoring twice adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.store_sim import seed_store, write_sim_recording
from hiplevel.cli.main import main
from hiplevel.store import StoreError
from hiplevel.store.backup import backup, restore, verify_backup
from hiplevel.store.doctor import check_store
from hiplevel.store.recordings import file_digest


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("rec")
    return [write_sim_recording(d / f"walk{i}.hlrec", seed=10 + i) for i in range(2)]


def _what(checkup) -> list[tuple[str, str | None, str]]:
    return [(f.level, f.session_id, f.what) for f in checkup.findings]


def test_doctor_on_a_whole_store_and_on_each_kind_of_damage(backend, tmp_path: Path, templates) -> None:
    store = backend.open(tmp_path / "data")
    ids = seed_store(store, templates, 4)
    clean = check_store(store)
    assert clean.ok and clean.findings == [] and (clean.sessions, clean.recordings) == (4, 4)

    if backend.kind == "sqlite":
        (tmp_path / "data" / f"recordings/{ids[0]}.hlrec").unlink()  # missing
        changed = tmp_path / "data" / f"recordings/{ids[1]}.hlrec"
        buf = bytearray(changed.read_bytes())
        buf[len(buf) // 2] ^= 0xFF
        changed.write_bytes(bytes(buf))  # changed after it was filed
    else:
        with store._write() as c:
            c.execute("DELETE FROM recording_chunks WHERE session_id = ?", (ids[0],))
            c.execute("UPDATE recording_chunks SET data = ? WHERE session_id = ?", (b"HLREC?", ids[1]))
    store.recordings_dir.mkdir(exist_ok=True)
    (store.recordings_dir / "stray.hlrec").write_bytes(b"nobody's")
    with store._write() as c:
        c.execute("DELETE FROM set_summaries WHERE set_id = (SELECT id FROM sets WHERE session_id = ?)", (ids[2],))
    found = check_store(store)
    assert not found.ok
    errors = {(sid, what.split(" ")[1]) for level, sid, what in _what(found) if level == "error"}
    assert errors == {(ids[0], "recording"), (ids[1], "recording"), (ids[2], "1")}
    assert any("missing" in w for _, sid, w in _what(found) if sid == ids[0])
    assert any("changed" in w for _, sid, w in _what(found) if sid == ids[1])
    assert [w for level, sid, w in _what(found) if level == "warning"] == [
        f"{store.recordings_dir / 'stray.hlrec'} belongs to no session (orphan)"]
    data_args = ["--data-dir", str(tmp_path / "data")] + (["--store", backend.url] if backend.url else [])
    assert main(["doctor", *data_args]) == 1


def test_doctor_warns_about_a_recording_that_arrived_damaged(tmp_path: Path, templates) -> None:
    from hiplevel.store import SessionStore

    store = SessionStore(tmp_path / "data")
    (sid,) = seed_store(store, templates, 1)
    path = tmp_path / "data" / store.get_session(sid).meta.recording_path
    buf = bytearray(path.read_bytes())
    buf[len(buf) // 3] ^= 0xFF
    path.write_bytes(bytes(buf))
    store.store_recording(sid)  # filed as it is: the damage came with it
    found = check_store(store)
    assert found.ok and len(found.findings) == 1 and "failed their CRC" in found.findings[0].what
    assert main(["doctor", "--data-dir", str(tmp_path / "data")]) == 0


def test_a_shared_store_beside_the_laptops_own_store_leaves_its_recordings_alone(shared, tmp_path: Path,
                                                                                templates) -> None:
    """A laptop joining a practice keeps its SQLite store in the same default folder the shared
    store uses for recordings in progress (docs/store.md, "A practice"): the doctor of the shared
    store takes that store's recordings for its, not for orphans; a file nobody points at still is."""
    from hiplevel.store import SessionStore

    data = tmp_path / "data"
    with SessionStore(data) as laptop:
        seed_store(laptop, templates, 2)
    stray = data / "recordings" / "stray.hlrec"
    stray.write_bytes(templates[0].read_bytes())
    found = check_store(shared.open(data))
    assert found.ok and _what(found) == [("warning", None, f"{stray} belongs to no session (orphan)")]


def _fingerprint(store) -> dict:
    out = {}
    for rec in store.list_sessions():
        with store.recording_file(rec.id) as path:
            digest = file_digest(path)[0]
        loaded = store.load_session(rec.id)
        out[rec.id] = (rec.patient_id, rec.status, rec.meta.analysis_version, digest,
                       [(s.set_index, s.exercise, len(s.t_s), s.reps) for s in loaded.sets])
    return out


def test_backup_and_restore_across_backends(backend, tmp_path: Path, templates) -> None:
    """Backed up from a laptop's SQLite store, restored into each backend; and back again."""
    from hiplevel.store import SessionStore

    laptop = SessionStore(tmp_path / "laptop")
    seed_store(laptop, templates, 5, n_patients=2)
    laptop.add_patient("P-EMPTY", display_name="no sessions yet")
    expected = _fingerprint(laptop)
    first = backup(laptop, tmp_path / "backup1")
    assert (first.patients, first.sessions, first.recordings) == (3, 5, 5) and verify_backup(first.path) == []
    with pytest.raises(StoreError, match="not empty"):
        backup(laptop, tmp_path / "backup1")

    target = backend.open(tmp_path / "target")
    result = restore(first.path, target)
    assert sorted(result.sessions_added) == sorted(expected) and result.patients_added == 3
    assert _fingerprint(target) == expected and check_store(target).ok
    assert target.get_patient("P-EMPTY").display_name == "no sessions yet"
    again = restore(first.path, target)  # idempotent: a rerun after an interruption adds only what is missing
    assert again.sessions_added == [] and len(again.sessions_skipped) == 5 and again.patients_added == 0

    second = backup(target, tmp_path / "backup2")  # from the target's backend, back to a fresh SQLite
    fresh = SessionStore(tmp_path / "fresh")
    restore(second.path, fresh)
    assert _fingerprint(fresh) == expected and check_store(fresh).ok
    assert SessionStore(tmp_path / "backup2").list_sessions() != []  # a backup opens as a data folder


def test_a_damaged_backup_is_refused_before_anything_is_written(tmp_path: Path, templates) -> None:
    from hiplevel.store import SessionStore

    laptop = SessionStore(tmp_path / "laptop")
    seed_store(laptop, templates, 2)
    made = backup(laptop, tmp_path / "backup")
    victim = next((made.path / "recordings").iterdir())
    victim.write_bytes(victim.read_bytes()[:-10])
    target = SessionStore(tmp_path / "target")
    with pytest.raises(StoreError, match="changed since the backup"):
        restore(made.path, target)
    assert target.list_sessions() == [] and target.list_patients() == []
    with pytest.raises(StoreError, match="not a hiplevel backup"):
        restore(tmp_path / "laptop", target)


def test_backup_and_restore_commands(tmp_path: Path, templates, capsys: pytest.CaptureFixture) -> None:
    from hiplevel.store import SessionStore

    seed_store(SessionStore(tmp_path / "data"), templates, 3)
    assert main(["sessions", "backup", str(tmp_path / "bk"), "--data-dir", str(tmp_path / "data")]) == 0
    assert "backed up 3 patients, 3 sessions and 3 recordings" in capsys.readouterr().out
    assert main(["sessions", "restore", str(tmp_path / "bk"), "--data-dir", str(tmp_path / "new")]) == 0
    assert "restored 3 sessions and 3 patients" in capsys.readouterr().out
    assert len(SessionStore(tmp_path / "new").list_sessions()) == 3
