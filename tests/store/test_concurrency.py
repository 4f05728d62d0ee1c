"""A writer process and a reader in this process, each with its own connection: the reader never
sees a set without all its reps, nor a lock error, while the writer stores sessions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hiplevel.store import SessionStore

N_SESSIONS = 30
WRITER = """
import sys
sys.path.insert(0, {here!r})
from store_synth import small_session
from hiplevel.store import SessionStore
store = SessionStore({data!r})
pid = store.add_patient("P-CONC")
print("ready", flush=True)
for i in range({n}):
    sid = store.start_session(small_session(pid).meta)
    for s in small_session(pid, n_sets=3).sets:
        store.add_set(sid, s)
        store.heartbeat(sid)
    store.finish_session(sid, samples_received=100, samples_lost=0)
print("done", flush=True)
"""


def test_writer_process_and_reader(tmp_path: Path) -> None:
    data = tmp_path / "data"
    SessionStore(data).close()  # create the schema before both sides open it
    code = WRITER.format(here=str(Path(__file__).parent), data=str(data), n=N_SESSIONS)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    reader = SessionStore(data)
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
    assert snapshots >= 1
