"""Several processes on one store at once, on each backend: a reader never sees a set without all its
reps, nor a lock error, while a writer stores sessions; four clinicians' clients writing and reading at
once lose nothing; several clients opening a new store migrate it once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hiplevel.store import SCHEMA_VERSION
from store_synth import T0, small_session

HERE = str(Path(__file__).parent)
N_SESSIONS = 30
WRITER = """
import sys
sys.path.insert(0, {here!r})
from store_synth import small_session
from hiplevel.store import SessionStore
store = SessionStore({data!r}, url={url!r})
pid = store.ensure_patient({patient!r})
print("ready", flush=True)
sys.stdin.readline()  # all clients start together
for i in range({n}):
    sid = store.start_session(small_session(pid).meta)
    for s in small_session(pid, n_sets=3).sets:
        store.add_set(sid, s)
        store.heartbeat(sid)
    store.finish_session(sid, samples_received=100, samples_lost=0)
    for rec in store.list_sessions():  # read what everybody wrote so far
        assert rec.n_reps == 4 * rec.n_sets, rec
print("done", flush=True)
"""


def _client(data: Path, url: str | None, patient: str, n: int) -> subprocess.Popen:
    code = WRITER.format(here=HERE, data=str(data), url=url, patient=patient, n=n)
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_writer_process_and_reader(backend, tmp_path: Path) -> None:
    data = tmp_path / "data"
    backend.open(data).close()  # create the schema before both sides open it
    proc = _client(data, backend.url, "P-CONC", N_SESSIONS)
    reader = backend.open(data)
    proc.stdin.write("go\n")
    proc.stdin.flush()
    snapshots = 0
    while proc.poll() is None or snapshots == 0:
        for rec in reader.list_sessions("P-CONC"):
            loaded = reader.load_session(rec.id)
            for s in loaded.sets:
                assert len(s.reps) == 4 and len(s.t_s) == len(s.roll_deg) > 0
            # counts come from one query: sets and their reps always arrive together
            assert rec.n_reps == 4 * rec.n_sets
        snapshots += 1
    assert proc.stdout.read().strip() == "done" and proc.wait() == 0
    final = reader.list_sessions("P-CONC")
    assert len(final) == N_SESSIONS and all(r.status == "complete" and r.n_reps == 12 for r in final)


def test_four_clients_write_and_read_at_once_without_loss(backend, tmp_path: Path) -> None:
    """Four clinicians' laptops: each its own process and local folder, one store (for SQLite, one
    data folder, as on one machine); every session of every client arrives whole."""
    per_client = 15
    shared = tmp_path / "shared"
    clients = [_client(shared if backend.kind == "sqlite" else tmp_path / f"laptop{i}", backend.url,
                       f"P-LAP{i}", per_client) for i in range(4)]
    for proc in clients:  # release them together
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in clients:
        assert proc.stdout.read().strip() == "done" and proc.wait() == 0
    store = backend.open(shared)
    for i in range(4):
        got = store.list_sessions(f"P-LAP{i}")
        assert len(got) == per_client and all(r.status == "complete" and r.n_reps == 12 for r in got)
    assert len({r.id for r in store.list_sessions()}) == 4 * per_client


MIGRATE = """
from hiplevel.store import SessionStore
print(SessionStore({data!r}, url={url!r}).schema_version_, flush=True)
"""


def test_clients_opening_a_new_store_at_once_migrate_it_once(backend, tmp_path: Path) -> None:
    data = tmp_path / "data"
    procs = [subprocess.Popen([sys.executable, "-c", MIGRATE.format(data=str(data), url=backend.url)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    assert [int(out) for out, _ in outs] == [SCHEMA_VERSION] * 4
    assert backend.open(data).schema_version_ == SCHEMA_VERSION



WAITING_ON_A_LOCK = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event_type = 'Lock'")


class _Meeting:
    """Two clients meeting inside one transaction, whatever the timing: the first client's first
    call of module.name (made inside its write transaction) runs, then starts `second` on a thread
    and waits until that client waits on a lock (seen in pg_stat_activity from `watch`) or ends;
    then the first carries on and commits. `finished()`: the second's exceptions, once it is done."""

    def __init__(self, monkeypatch, module, name: str, watch, second) -> None:
        import threading

        self.failures: list[BaseException] = []
        self._second = second
        self._other = threading.Thread(target=self._run_second)
        original, main = getattr(module, name), threading.get_ident()

        def then_let_the_other_in(*args, **kw):
            out = original(*args, **kw)
            if threading.get_ident() == main and self._other.ident is None:
                self._other.start()
                self._wait_for_lock(watch)
            return out

        monkeypatch.setattr(module, name, then_let_the_other_in)

    def _run_second(self) -> None:
        try:
            self._second()
        except BaseException as exc:  # noqa: BLE001 - the test asserts on it
            self.failures.append(exc)

    def _wait_for_lock(self, watch) -> None:
        import time

        deadline = time.monotonic() + 60.0
        while watch.raw_rows(WAITING_ON_A_LOCK)[0][0] == 0 and self._other.is_alive():
            assert time.monotonic() < deadline, "the second client never reached the first's lock"
            time.sleep(0.01)

    def finished(self) -> list[BaseException]:
        self._other.join()
        return self.failures


def test_two_clients_swapping_one_sessions_analysis_at_once_take_turns(shared, tmp_path: Path, monkeypatch) -> None:
    """Two laptops' `hiplevel reanalyze --force` redo the same session at once: the second swap waits
    for the first and replaces its sets (it used to fail on the sets' unique key), and the session
    ends with one analysis."""
    from hiplevel.store import db

    first, second, watch = (shared.open(tmp_path / name) for name in ("a", "b", "watch"))
    pid = first.ensure_patient("P-TWICE")
    sid = first.save_session(small_session(pid, n_sets=2))
    sets = list(small_session(pid, n_sets=2).sets)
    meeting = _Meeting(monkeypatch, db.rows, "insert_set", watch,
                       lambda: second.replace_analysis(sid, sets, analysis_version=7))
    first.replace_analysis(sid, sets, analysis_version=7)
    assert not meeting.finished(), meeting.failures
    got = watch.load_session(sid)
    assert [s.set_index for s in got.sets] == [1, 2] and {s.analysis_version for s in got.sets} == {7}
    assert watch.get_session(sid).n_reps == 8


def test_two_laptops_restoring_the_same_patient_at_once_both_finish(shared, tmp_path: Path, monkeypatch) -> None:
    """Step 6 of a practice's set-up (docs/store.md) on two laptops at the same moment, both with
    the practice's patient P-0002: the second restore's insert of the patient waits for the first's
    and then finds it there (it used to fail on the patients' key after its check saw none); each
    laptop's session arrives."""
    from hiplevel.store import SessionStore, backup as backup_module

    backups = []
    for name in ("laptop1", "laptop2"):
        with SessionStore(tmp_path / name) as laptop:
            laptop.add_patient("P-0002")
            laptop.save_session(small_session("P-0002", started_at=T0.replace(hour=9 + len(backups))))
            backups.append(backup_module.backup(laptop, tmp_path / f"{name}-backup").path)
    first, second, watch = (shared.open(tmp_path / name) for name in ("a", "b", "watch"))
    outcome = {}
    meeting = _Meeting(monkeypatch, backup_module, "_insert", watch,
                       lambda: outcome.setdefault("second", backup_module.restore(backups[1], second)))
    got = backup_module.restore(backups[0], first)
    assert not meeting.finished(), meeting.failures
    assert got.patients_added + outcome["second"].patients_added == 1
    assert len(got.sessions_added) == len(outcome["second"].sessions_added) == 1
    assert [p.id for p in watch.list_patients()] == ["P-0002"] and len(watch.list_sessions("P-0002")) == 2
