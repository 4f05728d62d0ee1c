"""Re-analysis of a store: results swapped whole, the analysis version recorded, up-to-date sessions
skipped, selections by patient and dates, and a killed run finishing the rest when started again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bench.store_sim import seed_store, write_sim_recording
from hiplevel import reanalysis
from hiplevel.analysis.version import ANALYSIS_VERSION

N = 6


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("rec")
    return [write_sim_recording(d / f"walk{i}.hlrec", seed=i + 1) for i in range(2)]


def _age(store, session_ids=None) -> None:
    """Mark stored results as made by an older analysis (what an upgrade of hiplevel finds)."""
    with store._write() as c:
        c.execute("UPDATE sets SET analysis_version = 0")
        c.execute("UPDATE sessions SET analysis_version = 0")


def _counts(store) -> dict[str, tuple[int, int]]:
    return {r.id: (r.n_sets, r.n_reps) for r in store.list_sessions()}


def test_reanalysis_swaps_results_whole_and_records_the_version(backend, tmp_path: Path, templates) -> None:
    store = backend.open(tmp_path / "data")
    ids = seed_store(store, templates, N)
    before = _counts(store)
    assert reanalysis.plan(store, reanalysis.Selection()).todo == []  # all current already
    _age(store)
    first = reanalysis.plan(store, reanalysis.Selection())
    assert first.todo == ids and first.up_to_date == []
    # stop after two sessions (as an interruption would), then run again: only the rest is done
    done = reanalysis.run(store, ids[:2], workers=1)
    assert done.done == ids[:2]
    assert reanalysis.plan(store, reanalysis.Selection()).todo == ids[2:]
    outcome = reanalysis.run(store, ids[2:], workers=2)
    assert sorted(outcome.done) == ids[2:] and not outcome.failed
    assert _counts(store) == before  # same sets and reps, none twice
    assert store.raw_rows("SELECT COUNT(*) FROM reps")[0][0] == sum(n for _, n in before.values())
    assert {s.analysis_version for i in ids for s in store.load_session(i).sets} == {ANALYSIS_VERSION}
    assert all(store.get_session(i).meta.analysis_version == ANALYSIS_VERSION for i in ids)
    assert reanalysis.plan(store, reanalysis.Selection()).todo == []


def test_new_thresholds_are_applied_and_stored(backend, tmp_path: Path, templates) -> None:
    store = backend.open(tmp_path / "data")
    ids = seed_store(store, templates, 2)
    flagged = lambda: sum("pelvic_drop" in r["flags"] for r in store.patient_reps("P-001"))  # noqa: E731
    before = flagged()
    strict = {"drop_ok_deg_walking": 2.0, "drop_flag_deg_walking": 3.0}
    todo = reanalysis.plan(store, reanalysis.Selection(patient_id="P-001"), strict)
    assert todo.todo == [ids[0]]
    assert reanalysis.run(store, todo.todo, thresholds=strict, workers=1).done == [ids[0]]
    assert flagged() > before
    assert store.get_session(ids[0]).meta.thresholds == strict
    assert reanalysis.plan(store, reanalysis.Selection(patient_id="P-001"), strict).todo == []


def test_selection_by_patient_and_dates(tmp_path: Path, templates) -> None:
    from hiplevel.store import SessionStore

    store = SessionStore(tmp_path / "data")
    ids = seed_store(store, templates, N, n_patients=2)  # one a day from 2026-01-05
    _age(store)
    sel = reanalysis.Selection(patient_id="P-002", since=date(2026, 1, 6), until=date(2026, 1, 8))
    assert reanalysis.plan(store, sel).todo == [ids[1], ids[3]]
    assert reanalysis.plan(store, reanalysis.Selection(until=date(2026, 1, 5))).todo == [ids[0]]


def _reanalyze_cli(data: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ}
    env.pop("HIPLEVEL_STORE", None)
    return subprocess.Popen([sys.executable, "-m", "hiplevel", "reanalyze", "--data-dir", str(data), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            env=env, start_new_session=True)


def test_a_killed_reanalyze_finishes_the_rest_when_run_again(tmp_path: Path, templates) -> None:
    from hiplevel.store import SessionStore

    data = tmp_path / "data"
    store = SessionStore(data)
    ids = seed_store(store, templates, N)
    before = _counts(store)
    _age(store)
    # One recording is on a share that hangs: its worker blocks, the others finish; then the process
    # is killed (-9, no chance to clean up) with that session still open.
    stuck = data / store.get_session(ids[2]).meta.recording_path
    saved = stuck.read_bytes()
    stuck.unlink()
    os.mkfifo(stuck)
    proc = _reanalyze_cli(data, "--jobs", "2")
    try:
        lines = []
        while not any(ln.startswith(f"reanalyze: {N - 1}/{N}") for ln in lines):
            line = proc.stderr.readline()
            assert line, f"reanalyze ended early: {lines} {proc.stdout.read()}"
            lines.append(line)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert [ln for ln in lines if ln.startswith("reanalyze:")][0].startswith(f"reanalyze: 1/{N} (16 %)")
    stuck.unlink()
    stuck.write_bytes(saved)
    left = reanalysis.plan(store, reanalysis.Selection())
    assert left.todo == [ids[2]] and len(left.up_to_date) == N - 1

    again = _reanalyze_cli(data)
    out, err = again.communicate()
    assert again.returncode == 0, err
    assert f"1 sessions to analyse, {N - 1} already up to date" in out and "reanalysed 1 sessions" in out
    assert _counts(store) == before
    assert reanalysis.plan(store, reanalysis.Selection()).todo == []


def test_the_report_says_when_an_older_analysis_made_the_results(tmp_path: Path, templates) -> None:
    from hiplevel.report import write_session_report
    from hiplevel.store import SessionStore

    store = SessionStore(tmp_path / "data")
    (sid,) = seed_store(store, templates, 1)
    current = write_session_report(store, tmp_path / "now", sid).read_text()
    assert "Analysed by an older version" not in current
    _age(store)
    old = write_session_report(store, tmp_path / "old", sid).read_text()
    assert "Analysed by an older version" in old and "hiplevel reanalyze --patient P-001" in old


def test_reanalyze_cli_dry_run_and_bad_thresholds(tmp_path: Path, templates) -> None:
    from hiplevel.cli.main import main
    from hiplevel.store import SessionStore

    store = SessionStore(tmp_path / "data")
    seed_store(store, templates, 2)
    _age(store)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"no_such_threshold": 1}))
    assert main(["reanalyze", "--data-dir", str(tmp_path / "data"), "--thresholds", str(bad)]) != 0
    assert main(["reanalyze", "--data-dir", str(tmp_path / "data"), "--dry-run"]) == 0
    assert len(reanalysis.plan(store, reanalysis.Selection()).todo) == 2  # nothing done by either
