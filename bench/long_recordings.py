"""Section 4 rows for long recordings (issue 13): peak memory of `hiplevel analyze` on a 1 h, 8 h and
24 h IMU CSV and on a 1 h and 24 h hiplevel recording (raw 6-axis stream, as the device sends it)
at 100 Hz, the whole process's speed on the 1 h CSV, and the analysis alone on 1 h in memory. Each
measurement runs in its own fresh process (peak RSS is the process's high-water mark, CPU time its
user + system time); the data are a simulated walk with turns and a quiet standing about every
70 s, tiled to length (`bench.speed._walking_hour`), written as a logger or the recorder would.

    python -m bench.long_recordings [--quick] [--hours 1,8,24]     # these rows alone
"""

from __future__ import annotations

import json
import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.rows import Row, at_least, at_most, both, unavailable

SECTION = "4. Speed and cost"
ROOT = Path(__file__).resolve().parents[1]
RATE_HZ = 100.0
SPEED_RUNS = 5  # fresh processes per speed row; the row gives the median
TARGET_PROCESS_X = 3000.0  # `hiplevel analyze` of a 1 h CSV, parse included
TARGET_ANALYSIS_X = 10_000.0  # the analysis of 1 h at 100 Hz in memory
TARGET_CSV_1H_MB = 150.0
TARGET_24H_MB = 300.0
BEFORE_REANALYZE_MB = 186.0  # main before `reanalyze` read recordings as a stream (2026-12-03, 1 h)
BEFORE_MB = {1: 461.0}  # main before the bounded passes, this CSV (2026-12-02; grew with the length)
BAND_WALK_STEPS = 60  # the band-walk row's simulated set (101 s) ...
BAND_WALK_S = 600.0  # ... tiled to 10 min


def _walk_tile():
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=100, turn_every_steps=10)], rate_hz=RATE_HZ, seed=7))
    return sim.imu


def write_long_csv(path: Path, hours: float) -> tuple[int, float]:
    """The tiled walk as an IMU CSV of `hours` (written tile by tile: the bench itself stays
    small); returns (rows, span in s)."""
    s = _walk_tile()
    dur = float(s.t_s[-1]) + 1.0 / RATE_HZ
    tiles = int(math.ceil(hours * 3600.0 / dur))
    rest = [f",{a[0]:.6f},{a[1]:.6f},{a[2]:.6f},{g[0]:.5f},{g[1]:.5f},{g[2]:.5f}\n" for a, g in zip(s.acc_g, s.gyro_dps)]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n")
        for k in range(tiles):
            fh.write("".join(f"{t:.6f}{r}" for t, r in zip((s.t_s + k * dur).tolist(), rest)))
    return tiles * len(s.t_s), tiles * dur - 1.0 / RATE_HZ - float(s.t_s[0])


def write_long_recording(path: Path, hours: float, one_set: bool = False) -> tuple[int, float]:
    """The tiled walk as a hiplevel recording: DATA_RAW packets of 5 samples (50 ms, wire counts,
    device clock), each received 4-9 ms after its last sample; returns (samples, span in s).
    one_set: the whole walk is one labelled walking set (set markers at the first and last sample,
    as `hiplevel record` writes them), for the store's re-analysis."""
    import numpy as np

    from hiplevel.link.base import Received
    from hiplevel.protocol import Channel, PacketType, encode_data_packet
    from hiplevel.recording import RecordingWriter

    s = _walk_tile()
    wire = np.column_stack([np.round(s.acc_g * 4096), np.round(s.gyro_dps * 32)]).clip(-32768, 32767).astype(np.int16)
    per, period_us = 5, int(round(1e6 / RATE_HZ))
    n_tile = len(wire) // per * per
    tiles = int(math.ceil(hours * 3600.0 * RATE_HZ / n_tile))
    clock = [1000.0]
    rng = np.random.default_rng(0)
    with RecordingWriter(path, {"patient_id": "P-BENCH"}, clock=lambda: clock[0], fsync=False) as w:
        w.write_meta(stream_mode="raw")
        if one_set:
            w.write_event("set_start", exercise="walking", set=1, side=None, device_t_us=3_000_000)
        for k in range(tiles):
            for first in range(0, n_tile, per):
                seq = k * n_tile + first
                clock[0] = 1000.0 + (seq + per - 1) / RATE_HZ + 0.004 + 0.005 * float(rng.random())
                pkt = encode_data_packet(PacketType.DATA_RAW, 0, int(RATE_HZ), seq, 3_000_000 + seq * period_us,
                                         wire[first:first + per])
                w.write_received(Received(Channel.DATA, pkt, clock[0]))
        if one_set:
            w.write_event("set_end", exercise="walking", set=1, side=None,
                          device_t_us=3_000_000 + (tiles * n_tile - 1) * period_us)
    return tiles * n_tile, tiles * n_tile / RATE_HZ


def _peak_rss_mb() -> float:
    from bench.speed import _peak_rss_mb as peak

    return peak()


def cli_child(path: str) -> dict:
    """Run in a fresh process: the `hiplevel analyze` command on `path`, in-process, so that its
    high-water mark is the command's own. Nothing loads numpy before the command does (this module
    imports it only where it needs it), as in a `hiplevel` process: the CLI starts OpenBLAS with one
    thread (`cli.main.one_blas_thread_from_start`)."""
    from hiplevel.cli import main

    out = Path(tempfile.mkdtemp()) / "out.json"
    code = main(["analyze", path, "--exercise", "walking", "--json", str(out)])
    # The parent reads the JSON (`_run`): parsing it here would count in the command's CPU time.
    return {"code": code, "json": str(out), "rss_mb": _peak_rss_mb()}


def reanalyze_child(path: str) -> dict:
    """Run in a fresh process: a store (SQLite, in a temporary folder) holding one session with the
    recording `path`, re-analysed in this process (`reanalysis.run`, 1 worker) as `hiplevel
    reanalyze --force` does: its high-water mark is the store's and the re-analysis' own."""
    import shutil
    from datetime import datetime, timezone

    from hiplevel import reanalysis
    from hiplevel.capture import recording_path
    from hiplevel.store import SessionMeta, SessionStore

    store = SessionStore(Path(tempfile.mkdtemp()) / "data")
    store.ensure_patient("P-BENCH")
    sid = store.start_session(SessionMeta(patient_id="P-BENCH", started_at=datetime(2026, 1, 5, 9, tzinfo=timezone.utc),
                                          device_id="hiplevel-bench"))
    dest = recording_path(store.data_dir, sid)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, dest)
    store.set_recording_path(sid, dest)
    store.finish_session(sid, status="complete")
    todo = reanalysis.plan(store, reanalysis.Selection(), force=True).todo
    outcome = reanalysis.run(store, todo, workers=1)
    if outcome.failed or outcome.done != [sid]:
        raise RuntimeError(f"re-analysis failed: {outcome.failed}")
    sets = store.load_session(sid).sets
    shutil.rmtree(store.data_dir.parent, ignore_errors=True)
    return {"reps": sum(len(s.analysis_json["reps"]) for s in sets), "trace": sum(len(s.t_s) for s in sets),
            "rss_mb": _peak_rss_mb()}


def _reanalyze_rows() -> list[Row]:
    """Peak memory of re-analysing a stored 1 h session (one walking set, raw 6-axis recording)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "walk_1h_set.hlrec"
        n, span = write_long_recording(path, 1.0, one_set=True)
        mb = path.stat().st_size / 1e6
        r = _run(["--child-reanalyze", str(path)])
    return [Row(SECTION, "hiplevel reanalyze peak memory, 1 h session", f"{span / 3600:.2f} h walking set, raw 6-axis "
                f"at 100 Hz, {n:,} samples, {mb:,.0f} MB .hlrec, SQLite store", f"{r['rss_mb']:.0f} MB peak RSS",
                note=f"{r['reps']:,} steps and the set's trace ({r['trace']:,} samples) stored in {r['cpu_s']:.1f} s CPU; "
                     "the recording read as a stream, as `hiplevel analyze` reads it; before: the whole file "
                     f"decoded in memory, {BEFORE_REANALYZE_MB:.0f} MB")]


def _run(args: list[str]) -> dict:
    """A child process: its JSON answer plus wall, user and system time (`cpu_s`, `wall_s`; a child
    that times a part of its work itself, as the analysis child, keeps its own figures under those
    names and the whole process's are `process_cpu_s`, `process_wall_s`)."""
    import subprocess  # here: the children, whose whole CPU time the rows count, do not import it

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "bench.long_recordings", *args], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=7200)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise RuntimeError((p.stderr.strip().splitlines() or ["failed"])[-1])
    r = json.loads(p.stdout.strip().splitlines()[-1])
    if "json" in r:  # the analysis JSON a `hiplevel analyze` child wrote: its reps
        out = Path(r.pop("json"))
        r["reps"] = len(json.loads(out.read_text())["reps"])
        out.unlink()
        out.parent.rmdir()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    r.update(process_wall_s=wall, process_cpu_s=cpu)
    r.setdefault("wall_s", wall)
    r.setdefault("cpu_s", cpu)
    return r


def _median_run(args: list[str], runs: int) -> dict:
    """`_run` `runs` times: the run of median CPU time, with every run's CPU times as `cpu_runs`.
    One run of a second on a shared machine varies by +-20 %; the median of several is the figure."""
    rs = sorted((_run(args) for _ in range(runs)), key=lambda r: r["cpu_s"])
    return dict(rs[len(rs) // 2], cpu_runs=[r["cpu_s"] for r in rs])


def _analyze_file(path: Path, write, hours: float, runs: int = 1) -> tuple[int, float, float, dict]:
    """Write `hours` of walking with `write(path, hours)`, run `hiplevel analyze` on it in a child
    process (`runs` times: the median run) and delete it: samples, span (s), file size (MB) and
    the child's figures."""
    n, span = write(path, hours)
    mb = path.stat().st_size / 1e6
    r = _median_run(["--child-cli", str(path)], runs)
    path.unlink()
    return n, span, mb, r


def _recording_rows(hours: list[float]) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for h in hours:
            n, span, mb, r = _analyze_file(Path(tmp) / f"walk_{h:g}h.hlrec", write_long_recording, h)
            target, status = (f"< {TARGET_24H_MB:.0f} MB", at_most(r["rss_mb"], TARGET_24H_MB)) if h >= 24 else ("", "")
            rows.append(Row(SECTION, f"hiplevel analyze peak memory, {h:g} h recording", f"{span / 3600:.2f} h walking, "
                            f"raw 6-axis at 100 Hz, {n:,} samples, {mb:,.0f} MB .hlrec", f"{r['rss_mb']:.0f} MB peak RSS",
                            target=target, status=status,
                            note=f"{r['reps']:,} steps in {r['cpu_s']:.1f} s CPU; read in two passes (clock, damage "
                                 "and sets, then the samples); before: the whole file decoded in memory, 230 MB for 1 h"))
    return rows


def _csv_rows(hours: list[float]) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for h in hours:
            n, span, mb, r = _analyze_file(Path(tmp) / f"walk_{h:g}h.csv", write_long_csv, h, SPEED_RUNS if h == 1 else 1)
            data = f"{span / 3600:.2f} h walking at 100 Hz, {n:,} samples, {mb:,.0f} MB CSV"
            target, status = "", ""
            if h == 1:
                target, status = f"< {TARGET_CSV_1H_MB:.0f} MB", at_most(r["rss_mb"], TARGET_CSV_1H_MB)
            elif h >= 24:
                target, status = f"< {TARGET_24H_MB:.0f} MB", at_most(r["rss_mb"], TARGET_24H_MB)
            before = f"; before: {BEFORE_MB[1]:.0f} MB for 1 h, growing with the length" if h == 1 else ""
            rows.append(Row(SECTION, f"hiplevel analyze peak memory, {h:g} h CSV", data, f"{r['rss_mb']:.0f} MB peak RSS",
                            target=target, status=status,
                            note=f"{r['reps']:,} steps in {r['cpu_s']:.1f} s CPU; the whole process (Python and numpy "
                                 f"about 25 MB of it; no scipy on the analyze path){before}"))
            if h == 1:
                x_cpu, x_wall = span / r["cpu_s"], span / r["wall_s"]
                rows.append(Row(SECTION, "hiplevel analyze whole process, 1 h CSV", data,
                                f"{x_cpu:,.0f}x real time (median of {len(r['cpu_runs'])} runs: {r['cpu_s']:.2f} s CPU, runs "
                                f"{min(r['cpu_runs']):.2f}-{max(r['cpu_runs']):.2f} s; {r['wall_s']:.2f} s wall on this "
                                "shared machine)", target=f">= {TARGET_PROCESS_X:,.0f}x",
                                status=at_least(x_cpu, TARGET_PROCESS_X),
                                note="start-up, imports (about 0.3 s CPU with numpy; no scipy), CSV parse, analysis and JSON; judged on "
                                     "CPU time, as wall time depends on the other jobs on the machine"))
    return rows


def analysis_child(path: str, exercise: str = "walking") -> dict:
    """Run in a fresh process: `analyze` of the npz samples in memory as `exercise`, CPU time of the
    analysis."""
    import numpy as np

    from hiplevel.analysis import analyze
    from hiplevel.samples import ImuSeries

    with np.load(path) as z:
        series = ImuSeries(z["t_s"], z["acc_g"], z["gyro_dps"])
    c0, t0 = time.process_time(), time.perf_counter()
    res = analyze(series, exercise, keep_trace=False)
    return {"cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0, "reps": len(res.reps),
            "span_s": float(series.t_s[-1] - series.t_s[0]), "rss_mb": _peak_rss_mb()}


def _median_analysis(series, exercise: str) -> dict:
    """`analysis_child` of `series` as `exercise`, SPEED_RUNS fresh processes: the median run."""
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "series.npz"
        np.savez(path, t_s=series.t_s, acc_g=series.acc_g, gyro_dps=series.gyro_dps)
        return _median_run(["--child-analysis", str(path), exercise], SPEED_RUNS)


def _analysis_rows(quick: bool) -> list[Row]:
    from bench.speed import _walking_hour

    series, _ = _walking_hour(600.0 if quick else 3600.0)
    r = _median_analysis(series, "walking")
    del series
    x = r["span_s"] / r["cpu_s"]
    data = f"{r['span_s'] / 3600:.2f} h walking at 100 Hz in memory ({r['reps']:,} steps)"
    return [Row(SECTION, "analysis alone (signal, detectors, scoring), 1 h", data,
                f"{x:,.0f}x real time (median of {len(r['cpu_runs'])} runs: {r['cpu_s']:.2f} s CPU, runs "
                f"{min(r['cpu_runs']):.2f}-{max(r['cpu_runs']):.2f} s; {r['wall_s']:.2f} s wall)",
                target=f">= {TARGET_ANALYSIS_X:,.0f}x", status=at_least(x, TARGET_ANALYSIS_X),
                note="the CPU time of `analyze` itself (the child process, with Python's start-up, the imports "
                     f"and loading the samples: {r['process_cpu_s']:.2f} s); fusion forward and backward, twice (the "
                     "turns show sensor errors), a third of it; detection and scoring about 40 %; profile in "
                     "docs/analysis.md"), _band_walk_row()]


def _band_walk_row() -> Row:
    """The analysis alone of a band walk: a simulated set of BAND_WALK_STEPS lateral steps (1.7 min),
    tiled to BAND_WALK_S. Its detector reads more per sample than walking's (the moves' sweeps, the
    halts), and sets are short: no target, the figure for the record."""
    from bench.speed import tiled_set
    from hiplevel.sim import ExerciseSpec

    series, _ = tiled_set(ExerciseSpec("band-walk", reps=BAND_WALK_STEPS, weak_side="left"), BAND_WALK_S)
    r = _median_analysis(series, "band-walk")
    x = r["span_s"] / r["cpu_s"]
    return Row(SECTION, "analysis alone (signal, detectors, scoring), band walk",
               f"{r['span_s'] / 60:.1f} min band walk at 100 Hz in memory ({r['reps']:,} steps)",
               f"{x:,.0f}x real time (median of {len(r['cpu_runs'])} runs: {r['cpu_s']:.2f} s CPU, runs "
               f"{min(r['cpu_runs']):.2f}-{max(r['cpu_runs']):.2f} s)",
               note=f"a simulated set of {BAND_WALK_STEPS} lateral steps (weak left), tiled; the CPU time of `analyze` "
                    f"itself, as the row above (the child process: {r['process_cpu_s']:.2f} s)")


def run(quick: bool = False, hours: list[float] | None = None, log=print) -> list[Row]:
    """The rows (quick: 10 min analysis, files of 1 h only). hours: the CSV lengths; recordings of
    the first and the last of them."""
    import subprocess

    hours = hours or ([1.0] if quick else [1.0, 8.0, 24.0])
    rec_hours = sorted({hours[0], hours[-1]})
    fresh_bytecode()
    rows: list[Row] = []
    for name, fn in (("analysis", lambda: _analysis_rows(quick)), ("csv", lambda: _csv_rows(hours)),
                     ("recording", lambda: _recording_rows(rec_hours)), ("reanalyze", _reanalyze_rows)):
        try:
            part = fn()
        except (ImportError, RuntimeError, subprocess.SubprocessError, OSError) as e:
            part = [unavailable(SECTION, f"long recordings: {name}", f"{type(e).__name__}: {e}")]
        log(f"[long] {name}: " + "; ".join(f"{r.metric} = {r.hiplevel}" for r in part))
        rows += part
    return rows


def fresh_bytecode() -> None:
    """Byte-compile hiplevel's sources whose .pyc is missing or older, as an installed package has
    them (`make` does it after installing): with PYTHONDONTWRITEBYTECODE set, a child would
    otherwise compile every module changed since (a merge, an edit) at each start, ~0.1 s of CPU
    that a user's `hiplevel analyze` does not pay. py_compile writes whatever that variable says."""
    import compileall

    compileall.compile_dir(ROOT / "host" / "hiplevel", quiet=1)


def status_of(rows: list[Row]) -> str:
    """PASS when every row with a target passed."""
    return both(*(r.status for r in rows if r.target))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child-cli":
        print(json.dumps(cli_child(sys.argv[2])))
    elif len(sys.argv) == 3 and sys.argv[1] == "--child-reanalyze":
        print(json.dumps(reanalyze_child(sys.argv[2])))
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "--child-analysis":
        print(json.dumps(analysis_child(*sys.argv[2:])))
    else:
        import argparse

        ap = argparse.ArgumentParser(prog="python -m bench.long_recordings", description=__doc__.splitlines()[0])
        ap.add_argument("--quick", action="store_true")
        ap.add_argument("--hours", default=None, help="CSV lengths, e.g. 1,8,24")
        a = ap.parse_args()
        hrs = [float(x) for x in a.hours.split(",")] if a.hours else None
        from bench.report import text_table

        print(text_table(run(a.quick, hrs)))
