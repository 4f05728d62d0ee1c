"""The CLI end to end on the virtual device (the real firmware on MicroPython behind bleak's
backend= parameter): record -> store -> analyze -> report, and what a person sees when things go
wrong. Each command runs as a real process, as a user would run it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HIPLEVEL = [sys.executable, "-m", "hiplevel"]


def hl(*args: str, env: dict[str, str] | None = None, timeout: float = 180.0) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "HIPLEVEL_NO_PROGRESS": "1", **(env or {})}
    return subprocess.run([*HIPLEVEL, *args], capture_output=True, text=True, timeout=timeout, env=full_env,
                          stdin=subprocess.DEVNULL)


def test_record_store_analyze_report_on_the_virtual_device(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rec = hl("record", "--virtual", "--exercise", "walking", "--exercise", "single-leg-stance",
             "--patient", "P-E2E1", "--data-dir", str(data))
    assert rec.returncode == 0, rec.stderr
    assert "stored session" in rec.stdout and "set 1: walking" in rec.stdout

    listed = hl("sessions", "list", "--data-dir", str(data))
    assert listed.returncode == 0
    line = next(ln for ln in listed.stdout.splitlines() if "P-E2E1" in ln)
    session_id = line.split()[0]
    assert "complete" in line and "2 sets" in line

    recording = next((data / "recordings").glob(f"{session_id}.*"))
    out_json = tmp_path / "analysis.json"
    ana = hl("analyze", str(recording), "--json", str(out_json))
    assert ana.returncode == 0, ana.stderr
    doc = json.loads(out_json.read_text())
    assert [s["exercise"] for s in doc["sets"]] == ["walking", "single-leg-stance"]
    walking = doc["sets"][0]
    assert walking["schema"] == "hiplevel.analysis/1"
    # the simulated patient takes 24 steps with a weak right side: right-stance steps drop more
    assert len(walking["reps"]) >= 20
    by_side = {s: [r["drop_deg"] for r in walking["reps"] if r["side"] == s] for s in ("left", "right")}
    assert sum(by_side["right"]) / len(by_side["right"]) > sum(by_side["left"]) / len(by_side["left"]) + 2.0

    rep = hl("report", session_id, "--data-dir", str(data), "--out", str(tmp_path / "reports"))
    assert rep.returncode == 0, rep.stderr
    html = Path(rep.stdout.split("report: ")[1].strip())
    assert html.is_file() and "Session report" in html.read_text()

    prog = hl("report", "--patient", "P-E2E1", "--data-dir", str(data), "--out", str(tmp_path / "reports"))
    assert prog.returncode == 0, prog.stderr

    refused = hl("sessions", "delete", session_id, "--data-dir", str(data))
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    deleted = hl("sessions", "delete", session_id, "--yes", "--data-dir", str(data))
    assert deleted.returncode == 0 and not recording.exists()


def test_sensor_lost_mid_session_keeps_what_arrived(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"HIPLEVEL_VIRTUAL_FAULTS": json.dumps({"link_loss": [[15.0, 1000.0]]}),
           "HIPLEVEL_RECONNECT_GIVE_UP_S": "2"}
    rec = hl("record", "--virtual", "--exercise", "walking", "--exercise", "single-leg-stance",
             "--patient", "P-LOST", "--data-dir", str(data), env=env)
    assert rec.returncode == 1
    assert "sensor was lost after 0 of 2 sets" in rec.stdout
    listed = hl("sessions", "list", "--data-dir", str(data))
    assert "interrupted" in listed.stdout and "1 sets" in listed.stdout


def test_no_sensor_found_says_what_to_check() -> None:
    res = hl("info", "--timeout", "1", env={"HIPLEVEL_BLE_BACKEND": "virtual"})
    assert res.returncode == 3
    assert "no hiplevel sensor found over Bluetooth within 1 s: is it charged and advertising" in res.stderr
    assert "Traceback" not in res.stderr


def test_bad_inputs_get_one_clear_line(tmp_path: Path) -> None:
    missing = hl("analyze", str(tmp_path / "nope.csv"), "--exercise", "walking")
    assert missing.returncode == 1 and "no such file" in missing.stderr
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01garbage")
    bad = hl("analyze", str(junk))
    assert bad.returncode == 1 and "not a hiplevel recording" in bad.stderr
    csv = tmp_path / "bad.csv"
    csv.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n0.0,0,0,1,0,0,0\n0.01,0,zero,1,0,0,0\n")
    bad_csv = hl("analyze", str(csv), "--exercise", "walking")
    assert bad_csv.returncode == 1 and "line 3" in bad_csv.stderr
    (tmp_path / "d").mkdir()  # a data folder without that session (a missing folder: test_cli_messages)
    no_session = hl("report", "S-NOPE", "--data-dir", str(tmp_path / "d"))
    assert no_session.returncode == 1 and "S-NOPE" in no_session.stderr
    for res in (missing, bad, bad_csv, no_session):
        assert "Traceback" not in res.stderr


def test_record_without_patient_says_who_and_the_virtual_patient_keeps_to_set_seconds(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rec = hl("record", "--virtual", "--exercise", "walking", "--set-seconds", "40", "--data-dir", str(data))
    assert rec.returncode == 0, rec.stderr
    created = re.search(r"no --patient given: created new patient (P-[0-9A-F]{4}) ", rec.stdout)
    assert created, rec.stdout[:500]
    patient = created.group(1)
    listed = hl("sessions", "list", "--patient", patient, "--data-dir", str(data))
    assert listed.returncode == 0 and patient in listed.stdout
    from hiplevel.store import SessionStore

    with SessionStore(data) as store:
        (session,) = store.list_sessions(patient)
        (walking,) = store.load_session(session.id).sets
    reps = walking.analysis_json["reps"]
    # The simulated patient's usual walking set (24 steps) lasts ~15 s; asked for 40 s, it walks ~40 s.
    assert 32.0 <= reps[-1]["end_s"] - reps[0]["start_s"] <= 50.0
