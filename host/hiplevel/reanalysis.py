"""Re-analysis of stored sessions after a threshold or algorithm change (`hiplevel reanalyze`).

Each selected session's recording is analysed again in a pool of worker processes (one per core);
the parent swaps the session's stored analysis for the new one in one transaction
(`SessionStore.replace_analysis`), marked with `ANALYSIS_VERSION`. A session is up to date when its
stored version is this one and its thresholds are the ones asked for, so a run that was interrupted
(Ctrl-C, kill, power cut) and started again does only the rest, and never stores a result twice.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from time import process_time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from hiplevel.analysis.version import ANALYSIS_VERSION
from hiplevel.errors import HiplevelError
from hiplevel.store import SessionStore, SetReport
from hiplevel.store.records import RecordingQuality
from hiplevel.store.rows import iso

# Jobs in flight per worker: enough to keep every core busy, few enough to bound memory.
JOBS_PER_WORKER = 2


@dataclass(frozen=True)
class Selection:
    """Which sessions: all, one patient's, and/or those started in [since, until] (UTC dates, inclusive)."""

    patient_id: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Plan:
    """What a run will do: sessions to analyse (oldest first), those already up to date, and those
    without a recording to analyse (id, reason)."""

    todo: list[str]
    up_to_date: list[str]
    no_recording: list[tuple[str, str]]


@dataclass
class Outcome:
    """What a run did: sessions re-analysed, those that failed (id, reason), and the CPU time the
    analyses took in all processes together, s (over the wall time: the cores kept busy)."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    interrupted: bool = False
    cpu_s: float = 0.0


def thresholds_key(overrides: dict[str, Any] | None) -> str:
    """The stored form of per-session threshold overrides (sorted JSON), to compare runs."""
    return json.dumps(overrides or {}, sort_keys=True)


def plan(store: SessionStore, selection: Selection, thresholds: dict[str, Any] | None = None,
         force: bool = False) -> Plan:
    """Sessions of `selection` to (re-)analyse with ANALYSIS_VERSION and `thresholds` (None: each
    session's own). Sessions still recording are left alone."""
    where, args = ["status <> 'recording'"], []
    if selection.patient_id:
        where.append("patient_id = ?")
        args.append(selection.patient_id)
    if selection.since:
        where.append("started_at >= ?")
        args.append(iso(datetime.combine(selection.since, time(0), timezone.utc)))
    if selection.until:
        where.append("started_at < ?")
        args.append(iso(datetime.combine(selection.until + timedelta(days=1), time(0), timezone.utc)))
    rows = store.raw_rows(
        "SELECT id, recording_path, analysis_version, thresholds_json FROM sessions WHERE "
        + " AND ".join(where) + " ORDER BY started_at, id", tuple(args))
    todo, current, missing = [], [], []
    for row in rows:
        if not row["recording_path"]:
            missing.append((row["id"], "no recording"))
            continue
        same_thresholds = thresholds is None or json.loads(row["thresholds_json"] or "{}") == thresholds
        if not force and row["analysis_version"] == ANALYSIS_VERSION and same_thresholds:
            current.append(row["id"])
        else:
            todo.append(row["id"])
    return Plan(todo, current, missing)


# --- the worker side (one store connection per worker process) ---------------------------------------
_worker_store: SessionStore | None = None


def _init_worker(url: str | None, data_dir: str) -> None:
    global _worker_store
    # A worker only reads: it must not recover sessions or upload recordings as a side effect.
    _worker_store = SessionStore(data_dir, url=url, recover=False)


Analysed = tuple[str, "list[SetReport] | None", "RecordingQuality | None", str, float]


def analyse_session(session_id: str, thresholds: dict[str, Any] | None, store: SessionStore | None = None) -> Analysed:
    """Analyse one stored session's recording: (id, sets, quality, "", cpu_s) or (id, None, None,
    reason, cpu_s); cpu_s = CPU time this took, s."""
    start = process_time()
    sid, sets, quality, error = _analyse(session_id, thresholds, store or _worker_store)
    return sid, sets, quality, error, process_time() - start


def _analyse(session_id: str, thresholds: dict[str, Any] | None, store: SessionStore | None):
    from hiplevel.capture import analyse_recording
    from hiplevel.scoring import Thresholds

    if store is None:
        raise RuntimeError("analyse_session in a worker process needs _init_worker first")
    try:
        own = thresholds
        if own is None:
            own = store.get_session(session_id).meta.thresholds
        # The recording is read twice (`recording.streamed.RecordingStream`), on purpose: every sample's
        # session time, and the set boundaries, come from the clock fit over the whole recording, known
        # only after its last packet, so no sample can go to the analysis during the first read. One
        # read would mean keeping the decoded samples until the end, in memory (about 7 MB an hour of
        # raw stream per worker, growing with the length: memory is bounded now) or in a spill file
        # (as many bytes written and read back as the second read reads). The second read is cheap:
        # 0.13 s CPU of the 2.2 s a 1 h recording's analysis takes (2026-12-03, bench/long_recordings).
        with store.recording_file(session_id) as path:
            results, quality, summary, _battery = analyse_recording(path, Thresholds.from_dict(own or {}))
        sets = [SetReport.from_analysis(r, n, 0.0) for n, r in zip(summary["set_numbers"], results)]
        return session_id, sets, quality, ""
    except (HiplevelError, OSError, ValueError) as exc:
        return session_id, None, None, f"{type(exc).__name__}: {exc}"


def run(store: SessionStore, session_ids: list[str], *, thresholds: dict[str, Any] | None = None,
        workers: int | None = None, on_done: Callable[[int, int, str], None] = lambda done, total, sid: None) -> Outcome:
    """Re-analyse `session_ids` on `workers` processes (default: all cores; 1 = in this process) and
    store each result as it comes; `on_done(done, total, session_id)` after each. A KeyboardInterrupt
    stops the run cleanly: what was stored stays, the rest is left for the next run."""
    workers = max(1, workers or os.cpu_count() or 1)
    outcome = Outcome()
    total = len(session_ids)

    def store_one(sid: str, sets: list[SetReport] | None, quality: RecordingQuality | None, error: str,
                  cpu_s: float) -> None:
        outcome.cpu_s += cpu_s
        if sets is None:
            outcome.failed.append((sid, error))
        else:
            store.replace_analysis(sid, sets, analysis_version=ANALYSIS_VERSION, thresholds=thresholds, quality=quality)
            outcome.done.append(sid)
        on_done(len(outcome.done) + len(outcome.failed), total, sid)

    try:
        if workers == 1 or total <= 1:
            for sid in session_ids:
                store_one(*analyse_session(sid, thresholds, store))
            return outcome
        ctx = multiprocessing.get_context("spawn")  # no inherited database connections
        with ProcessPoolExecutor(max_workers=min(workers, total), mp_context=ctx, initializer=_init_worker,
                                 initargs=(_url_for_workers(store), str(store.data_dir))) as pool:
            pending: set[Future] = set()
            queue = iter(session_ids)
            try:
                for sid in queue:
                    pending.add(pool.submit(analyse_session, sid, thresholds))
                    if len(pending) >= workers * JOBS_PER_WORKER:
                        break
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        store_one(*fut.result())
                        nxt = next(queue, None)
                        if nxt is not None:
                            pending.add(pool.submit(analyse_session, nxt, thresholds))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    except KeyboardInterrupt:
        outcome.interrupted = True
    return outcome


def _url_for_workers(store: SessionStore) -> str | None:
    """The URL a worker opens the same store with (the password too: workers are this user's own)."""
    if store.kind == "sqlite":
        return f"sqlite:///{Path(store.data_dir).resolve()}"
    return store.connect_url
