"""What the store commands do: reanalyze, doctor, sessions backup/restore. Parsing is in store_commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TextIO

from hiplevel.cli.common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, CliError


class ProgressLines:
    """Progress of a counted job on stderr: a bar redrawn in place on a terminal, else one plain line
    each time the whole percentage moves on (logs and pipes get a readable record)."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty() and not os.environ.get("HIPLEVEL_NO_PROGRESS")
        self._last_pct = -1

    def update(self, done: int, note: str = "") -> None:
        pct = 100 * done // self.total if self.total else 100
        if self.tty:
            width = 30
            bar = "#" * (width * done // max(self.total, 1))
            self.stream.write(f"\r{self.label} [{bar:<{width}}] {done}/{self.total}")
            if done == self.total:
                self.stream.write("\n")
        elif pct != self._last_pct:
            self.stream.write(f"{self.label}: {done}/{self.total} ({pct} %){' ' + note if note else ''}\n")
        self._last_pct = pct
        self.stream.flush()


def _open(args: argparse.Namespace):
    from hiplevel.cli.store_access import open_store

    return open_store(args.data_dir, url=getattr(args, "store", None))


def _thresholds_overrides(path) -> dict | None:
    """The overrides in a thresholds JSON file, checked by building the Thresholds from them."""
    if path is None:
        return None
    from hiplevel.scoring import Thresholds

    try:
        overrides = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CliError(f"{path} is not valid JSON (line {exc.lineno}): {exc.msg}") from exc
    if not isinstance(overrides, dict):
        raise CliError(f"{path}: expected a JSON object of threshold names and values")
    Thresholds.from_dict(overrides)  # unknown names or bad values fail here, before any work
    return overrides


def reanalyze(args: argparse.Namespace) -> int:
    """`hiplevel reanalyze [--patient ID] [--since D] [--until D] [--thresholds F] [--jobs N]`."""
    from hiplevel import reanalysis
    from hiplevel.analysis.version import ANALYSIS_VERSION

    thresholds = _thresholds_overrides(args.thresholds)
    selection = reanalysis.Selection(args.patient, args.since, args.until)
    with _open(args) as store:
        if args.patient and store.get_patient(args.patient) is None:
            raise CliError(f"no patient {args.patient!r} in {store.describe()}")
        todo = reanalysis.plan(store, selection, thresholds, force=args.force)
        jobs = max(1, args.jobs or os.cpu_count() or 1)
        print(f"reanalyze with analysis version {ANALYSIS_VERSION}: {len(todo.todo)} sessions to analyse, "
              f"{len(todo.up_to_date)} already up to date, {len(todo.no_recording)} without a recording"
              + ("" if args.dry_run or not todo.todo else f"; {min(jobs, len(todo.todo))} worker processes"))
        if args.dry_run or not todo.todo:
            return EXIT_OK
        bar = ProgressLines(len(todo.todo), "reanalyze")
        outcome = reanalysis.run(store, todo.todo, thresholds=thresholds, workers=jobs,
                                 on_done=lambda done, total, sid: bar.update(done, sid))
    for sid, why in outcome.failed:
        print(f"  {sid}: not analysed: {why}", file=sys.stderr)
    if outcome.interrupted:
        print(f"interrupted: {len(outcome.done)} of {len(todo.todo)} sessions done and stored; run the same "
              "command again to finish the rest", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"reanalysed {len(outcome.done)} sessions" + (f", {len(outcome.failed)} failed (kept their earlier "
          "results; see above)" if outcome.failed else ""))
    return EXIT_ERROR if outcome.failed else EXIT_OK


def doctor(args: argparse.Namespace) -> int:
    """`hiplevel doctor`: exit 0 when nothing stored is damaged or missing, 1 otherwise."""
    from hiplevel.store.doctor import check_store

    with _open(args) as store:
        checkup = check_store(store, recordings_too=not args.quick)
        where = store.describe()
    for f in checkup.findings:
        print(f"  {f}")
    n_err, n_warn = len(checkup.errors), len(checkup.findings) - len(checkup.errors)
    verdict = "store is whole" if checkup.ok else "store has damage"
    print(f"{verdict}: {where}: {checkup.sessions} sessions, {checkup.recordings} recordings checked; "
          f"{n_err} errors, {n_warn} warnings")
    return EXIT_OK if checkup.ok else EXIT_ERROR


def backup(args: argparse.Namespace) -> int:
    """`hiplevel sessions backup OUT`."""
    from hiplevel.store.backup import backup as run_backup

    with _open(args) as store:
        result = run_backup(store, args.out)
    print(f"backed up {result.patients} patients, {result.sessions} sessions and {result.recordings} recordings "
          f"({result.bytes / 1e6:.1f} MB) to {result.path}")
    return EXIT_OK


def restore(args: argparse.Namespace) -> int:
    """`hiplevel sessions restore BACKUP`: adds what the store lacks, then checks the store."""
    from hiplevel.store.backup import restore as run_restore
    from hiplevel.store.doctor import check_store

    with _open(args) as store:
        result = run_restore(args.backup, store)
        checkup = check_store(store)
        where = store.describe()
    print(f"restored {len(result.sessions_added)} sessions and {result.patients_added} patients into {where}")
    if result.sessions_skipped:
        print(f"skipped {len(result.sessions_skipped)} sessions the store already has"
              + "".join(f"\n  {sid}: {why}" for sid, why in result.sessions_skipped[:20]))
    for f in checkup.findings:
        print(f"  {f}")
    return EXIT_OK if checkup.ok else EXIT_ERROR
