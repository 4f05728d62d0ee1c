"""Several processes on one store at once, on each backend: a reader never sees a set without all its
reps, nor a lock error, while a writer stores sessions; four clinicians' clients writing and reading at
once lose nothing; several clients opening a new store migrate it once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hiplevel.store import SCHEMA_VERSION

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
