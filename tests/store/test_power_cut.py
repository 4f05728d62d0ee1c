"""A power cut (kill -9) in the middle of a write leaves a store that opens and passes `doctor`:
committed sessions whole, the one being written either absent or recovered as interrupted from what
reached its recording, on both backends."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.store_sim import write_sim_recording
from hiplevel.cli.store_access import open_store
from hiplevel.store.doctor import check_store

HERE = str(Path(__file__).parent)
CHILD = """
import sys
sys.path.insert(0, {here!r})
from datetime import datetime, timedelta, timezone
from pathlib import Path
from bench.store_sim import add_recorded_session
from hiplevel.capture import recording_path
from hiplevel.recording import RecordingWriter, read_recording
from hiplevel.store import SessionMeta, SessionStore, recordings, rows
from store_synth import small_set

store = SessionStore({data!r}, url={url!r})
template = Path({template!r})
t0 = datetime(2026, 2, 2, 9, 0, tzinfo=timezone.utc)
for i in range(3):
    add_recorded_session(store, "P-CUT", template, t0 + timedelta(hours=i))
    print("committed", i + 1, flush=True)
# A session being recorded: half of a recording on disk, its last record torn, heartbeat stale.
sid = store.start_session(SessionMeta(patient_id="P-CUT", started_at=t0 + timedelta(hours=5)))
path = recording_path(store.data_dir, sid)
store.set_recording_path(sid, path)
data = template.read_bytes()
rec = read_recording(template)
cut = len(data) // 2
with path.open("wb") as fh:
    fh.write(data[:cut])  # the kill lands inside a record
    fh.flush()
    import os; os.fsync(fh.fileno())
other = ""
if {where!r} == "transaction":
    # ... and inside a write transaction of another session: rows and a recording upload half done
    other = store.start_session(SessionMeta(patient_id="P-CUT", started_at=t0 + timedelta(hours=6)))
    ctx = store._write()
    c = ctx.__enter__()
    rows.insert_set(c, other, small_set(1), "2026-02-02T15:00:00.000+00:00")
    c.execute("UPDATE sessions SET status = 'complete' WHERE id = ?", (other,))
    if store.keeps_recordings_in_db:
        recordings.upload(c, other, template)
print("in-write", sid, other, flush=True)
sys.stdin.readline()  # killed here
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sim_recording(tmp_path_factory.mktemp("rec") / "walk.hlrec", seed=5, reps=12)


@pytest.mark.parametrize("where", ["transaction", "recording"])
def test_kill_9_mid_write_leaves_a_store_that_opens_and_passes_the_check(backend, tmp_path: Path, template: Path,
                                                                       where: str) -> None:
    data = tmp_path / "data"
    code = CHILD.format(here=HERE, data=str(data), url=backend.url, template=str(template), where=where)
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=str(Path(HERE).parents[1]))
    try:
        line = ""
        while not line.startswith("in-write"):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
        torn_sid, *cut_sid = line.split()[1:]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    store = open_store(data, stale_after_s=0.0, url=backend.url)
    checkup = check_store(store)
    assert checkup.ok, [str(f) for f in checkup.findings]
    sessions = store.list_sessions("P-CUT")
    whole = [s for s in sessions if s.status == "complete"]
    assert len(whole) == 3 and all(s.n_sets == 1 and s.n_reps == whole[0].n_reps > 0 for s in whole)
    recovered = store.get_session(torn_sid)
    assert recovered.status == "interrupted" and recovered.meta.samples_received > 0
    if cut_sid:  # registered before the cut transaction, which left no trace: no sets, no recording
        cut = store.get_session(cut_sid[0])
        assert cut.status == "interrupted" and cut.n_sets == 0
        assert store.raw_rows("SELECT COUNT(*) FROM recording_chunks WHERE session_id = ?", (cut.id,))[0][0] == 0
    assert len(sessions) == 4 + len(cut_sid)
    assert store.raw_rows("SELECT COUNT(*) FROM sets")[0][0] == sum(s.n_sets for s in sessions)
    if backend.kind == "sqlite":  # the torn recording is kept as it is, and doctor says so
        assert any("ends inside a record" in f.what for f in checkup.findings)
    store.close()
