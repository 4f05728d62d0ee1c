"""A recording process killed mid-session (crash, power cut) loses at most about a second: the next
start finds the session, analyses what reached the disk and marks it interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hiplevel.cli.store_access import open_store
from hiplevel.recording import decode_recording, read_recording

pytestmark = pytest.mark.slow
KILL_AFTER_SAMPLES = 1200  # 12 s of the walking set at 100 Hz (--set-seconds 120: the set lasts 120 s)


def _samples_on_disk(path: Path) -> int:
    """Samples a recording being written holds so far (its tail may be torn)."""
    if not path.exists():
        return 0
    return decode_recording(read_recording(path)).stats.received


def test_killed_recording_is_recovered_on_next_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "HIPLEVEL_VIRTUAL_SPEED": "10", "HIPLEVEL_NO_PROGRESS": "1"}
    # Each set lasts 120 s of simulated time (12 s at 10x): the kill, once KILL_AFTER_SAMPLES are on
    # disk, lands inside the walking set however slow the machine is.
    proc = subprocess.Popen([sys.executable, "-m", "hiplevel", "record", "--virtual", "--exercise", "walking",
                             "--exercise", "single-leg-stance", "--set-seconds", "120", "--patient", "P-CRASH",
                             "--data-dir", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        line = ""
        while "recording session" not in line:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
        recording = Path(line.rsplit("-> ", 1)[1].strip())
        # let the walking set run for a while (virtual 10x: ~1 s wall = 10 s of walking); counted in
        # samples, not bytes: the header's size (device info) must not decide where the kill lands
        while _samples_on_disk(recording) < KILL_AFTER_SAMPLES:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: host and virtual device
        proc.wait(30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)

    rec = read_recording(recording)
    assert rec.records  # written as it arrived, before the kill
    samples_on_disk = decode_recording(rec).stats.received
    kinds = [e["type"] for _, e in rec.events]
    assert "set_start" in kinds and "set_end" not in kinds  # killed inside the walking set

    with open_store(data, stale_after_s=0.0) as store:
        (session_id,) = store.recovered_
        got = store.get_session(session_id)
        assert got.status == "interrupted"
        assert got.meta.samples_received == samples_on_disk > 1000
        assert got.n_sets == 1  # the walking set, open at the kill, ends at the last sample on disk
        walking = store.load_session(session_id).sets[0]
        assert walking.exercise == "walking" and len(walking.analysis_json["reps"]) >= 5
