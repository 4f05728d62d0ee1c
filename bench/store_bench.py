"""Section 6: the session store.

- Re-analysis of a store of simulated sessions (1,000; 100 with --quick), each a real recording of a
  walking set, with `hiplevel.reanalysis.run` on every core: sessions per second and the worker
  processes used (the CPU time of the workers over the wall time shows how many cores did work).
- Four clients (separate processes, as four clinicians' laptops) writing sessions and reading them
  back at once, on SQLite and on PostgreSQL (a throwaway server, bench.pg_server): sessions written
  and read per second, all clients together, and errors (lost or partial sessions).

`python -m bench.store_bench [--quick]` runs this section alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.rows import NA, Row, unavailable

SECTION = "6. Session store"
ROOT = Path(__file__).resolve().parents[1]
N_CLIENTS = 4


def _seed_fast(store, template: Path, n: int) -> list[str]:
    """`n` sessions with a copy of `template` as their recording and its analysis stored as made by
    an older version: one real analysis, then rows and file copies (seconds, not minutes)."""
    from dataclasses import replace

    from bench.store_sim import T0
    from hiplevel.capture import analyse_recording, recording_path
    from hiplevel.store import SessionMeta, SetReport

    results, quality, _summary, _battery = analyse_recording(template)
    sets = [replace(SetReport.from_analysis(r, i, 0.0), analysis_version=0) for i, r in enumerate(results, 1)]
    ids = []
    for i in range(n):
        pid = store.ensure_patient(f"P-{i % 20 + 1:03d}")
        sid = store.start_session(SessionMeta(patient_id=pid, started_at=T0 + timedelta(hours=i)))
        path = recording_path(store.data_dir, sid)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, path)
        store.set_recording_path(sid, path)
        for s in sets:
            store.add_set(sid, s)
        store.finish_session(sid, samples_received=quality.samples_received, samples_lost=quality.samples_lost)
        ids.append(sid)
    return ids


def reanalysis_rows(quick: bool) -> list[Row]:
    from bench.store_sim import RATE_HZ, write_sim_recording
    from hiplevel import reanalysis
    from hiplevel.recording import decode_recording
    from hiplevel.store import SessionStore

    n = 100 if quick else 1000
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="hiplevel-bench-store-") as tmp:
        template = write_sim_recording(Path(tmp) / "walk.hlrec", seed=21, reps=20)
        store = SessionStore(Path(tmp) / "data")
        _seed_fast(store, template, n)
        todo = reanalysis.plan(store, reanalysis.Selection()).todo
        t0 = time.perf_counter()
        outcome = reanalysis.run(store, todo, workers=workers)
        wall = time.perf_counter() - t0
        left = len(reanalysis.plan(store, reanalysis.Selection()).todo)
        seconds = float(decode_recording(template).stats.received) / RATE_HZ
    busy = outcome.cpu_s
    ok = len(outcome.done) == n and not outcome.failed and left == 0
    return [
        Row(SECTION, "reanalysis of a store", f"{n} simulated sessions ({seconds:.0f} s walking set each, SQLite)",
            f"{len(outcome.done) / wall:.1f} sessions/s", status="" if ok else NA,
            note=f"{workers} worker processes on {os.cpu_count()} cores, {busy / wall:.2f} cores busy on average; "
                 f"analysis CPU {1e3 * busy / max(len(outcome.done), 1):.0f} ms per session "
                 f"(= {len(outcome.done) / max(busy, 1e-9):.0f} sessions/s per free core); load average "
                 f"{os.getloadavg()[0]:.1f} at the end "
                 f"(analysis CPU time / wall, start-up of the workers included in the wall); {wall:.1f} s wall; "
                 f"{len(outcome.failed)} failed, {left} left"),
    ]


CLIENT = """
import json, sys, time
sys.path.insert(0, {tests!r})
from store_synth import small_session
from hiplevel.store import SessionStore
store = SessionStore({data!r}, url={url!r})
pid = store.ensure_patient({patient!r})
print("ready", flush=True)
sys.stdin.readline()
ids, errors = [], 0
t0 = time.perf_counter()
for i in range({n}):
    ids.append(store.save_session(small_session(pid, n_sets=4)))
t_write = time.perf_counter() - t0
t0 = time.perf_counter()
for sid in ids:
    got = store.load_session(sid)
    errors += sum(len(s.reps) != 4 for s in got.sets) + (len(got.sets) != 4)
t_read = time.perf_counter() - t0
print(json.dumps({{"write_s": t_write, "read_s": t_read, "errors": errors}}), flush=True)
"""


def concurrent_clients(url: str | None, data_root: Path, n_per_client: int) -> dict:
    """Four client processes writing then reading `n_per_client` sessions each, released together."""
    import json

    tests = str(ROOT / "tests" / "store")
    procs = []
    for i in range(N_CLIENTS):
        data = data_root / ("shared" if url is None else f"laptop{i}")
        code = CLIENT.format(tests=tests, data=str(data), url=url, patient=f"P-C{i}", n=n_per_client)
        p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, cwd=str(ROOT))
        assert p.stdout.readline().strip() == "ready"
        procs.append(p)
    t0 = time.perf_counter()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    wall = time.perf_counter() - t0
    from hiplevel.store import SessionStore

    with SessionStore(data_root / ("check" if url else "shared"), url=url) as store:
        stored = {r.id: r.n_reps for r in store.list_sessions()}
    total = N_CLIENTS * n_per_client
    lost = total - sum(1 for n in stored.values() if n == 16)
    return {"wall_s": wall, "write_per_s": total / max(r["write_s"] for r in results),
            "read_per_s": total / max(r["read_s"] for r in results),
            "errors": sum(r["errors"] for r in results) + lost}


def client_rows(quick: bool) -> list[Row]:
    n = 25 if quick else 100
    rows = []
    with tempfile.TemporaryDirectory(prefix="hiplevel-bench-clients-") as tmp:
        res = concurrent_clients(None, Path(tmp), n)
        rows.append(_client_row("SQLite (one data folder, WAL)", n, res))
    try:
        import psycopg  # noqa: F401

        from bench.pg_server import PostgresUnavailable, TempPostgres
    except ImportError as exc:
        return rows + [unavailable(SECTION, "4 clients on PostgreSQL", f"import failed: {exc}")]
    try:
        server = TempPostgres.start()
    except PostgresUnavailable as exc:
        return rows + [unavailable(SECTION, "4 clients on PostgreSQL", str(exc))]
    try:
        url = server.create_database("bench")
        with tempfile.TemporaryDirectory(prefix="hiplevel-bench-clients-") as tmp:
            res = concurrent_clients(url, Path(tmp), n)
        rows.append(_client_row("PostgreSQL 15, unix socket, fsync off (throwaway server)", n, res))
    finally:
        server.stop()
    return rows


def _client_row(backend: str, n: int, res: dict) -> Row:
    return Row(SECTION, "4 concurrent clients: write / read", f"{backend}; {n} sessions each, 4 sets x 4 reps + trace",
               f"{res['write_per_s']:.0f} / {res['read_per_s']:.0f} sessions/s", status="" if res["errors"] == 0 else NA,
               note=f"all clients together; {res['errors']} lost or partial sessions; {res['wall_s']:.1f} s wall")


def run(quick: bool = False, log=print) -> list[Row]:
    """Rows of section 6."""
    rows: list[Row] = []
    for name, fn in (("reanalysis", lambda: reanalysis_rows(quick)), ("clients", lambda: client_rows(quick))):
        try:
            part = fn()
        except ImportError as e:
            part = [unavailable(SECTION, name, f"import failed: {e}")]
        log(f"[store] {name}: " + "; ".join(f"{r.metric} = {r.hiplevel}" for r in part))
        rows += part
    return rows


if __name__ == "__main__":
    from bench.report import text_table

    print(text_table(run("--quick" in sys.argv)))
