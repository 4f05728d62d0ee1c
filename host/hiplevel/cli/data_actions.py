"""What the data commands do: analyze, report, sessions. Argument parsing lives in commands_data."""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import sys
from pathlib import Path

from hiplevel.analysis.collector import collector_paused
from hiplevel.cli.common import EXIT_DAMAGED, EXIT_OK, CliError
from hiplevel.cli.store_access import store_place

_freeze_at_exit = False  # gc.freeze registered to run at exit (`analyze`)


def _thresholds(path: Path | None):
    from hiplevel.scoring import Thresholds

    if path is None:
        return Thresholds()
    try:
        return Thresholds.from_dict(json.loads(path.read_text()))
    except json.JSONDecodeError as exc:
        raise CliError(f"{path} is not valid JSON (line {exc.lineno}): {exc.msg}") from exc


def analyze(args: argparse.Namespace) -> int:
    """`hiplevel analyze INPUT`: a recording (all its labelled sets) or an IMU CSV (one exercise).

    What went wrong on the way in (repaired timestamps, gaps, damaged bytes, lost sets) is printed on
    stderr and written to the JSON's `input` object. Exit codes: 0 analysed (warnings or not), 1
    nothing could be analysed, 4 analysed, but the recording failed its integrity check (damaged
    records) or a set it recorded could not be analysed: the results cover what could be read.

    The cyclic garbage collector is paused while it runs (`analysis.collector`, as `analyze_source`
    does for the analysis alone; here the JSON's writing too): the analysis frees its arrays as it goes
    (reference counts) and leaves almost no cycles (about 2,000 small objects for an hour of walking,
    mostly the argument parser's), while the collector would walk every rep and phase object as they
    pile up, about 0.04 s of CPU an hour. At the process' exit the objects left are moved to its
    permanent generation (`gc.freeze`), so that the exit's collection does not walk them all once
    more (0.02-0.03 s): cycles left then are not finalized, and this command closes its files itself."""
    global _freeze_at_exit
    if not _freeze_at_exit:
        _freeze_at_exit = True
        atexit.register(gc.freeze)
    with collector_paused():
        return _analyze(args)


def _analyze(args: argparse.Namespace) -> int:
    from hiplevel.analysis import analyze_source
    from hiplevel.cli.input_report import gap_report, time_fix_report
    from hiplevel.cli.inputs import load_input
    from hiplevel.cli.json_writer import write_json
    from hiplevel.signal.long_trace import series_source

    if not args.input.exists():
        raise CliError(f"no such file: {args.input}")
    loaded = load_input(args.input)
    thresholds = _thresholds(args.thresholds)
    # The traces are not kept: only reps leave the analysis, so memory stays bounded.
    source = loaded.source if loaded.source is not None else series_source(loaded.series)
    if (loaded.sets or loaded.lost_sets) and args.exercise is None:
        results = analyze_source(source, loaded.sets, thresholds) if loaded.sets else []
    else:
        if args.exercise is None:
            raise CliError(f"{args.input} has no exercise labels: say which with --exercise", 2)
        results = analyze_source(source, [args.exercise], thresholds)
    loaded = loaded.after_reading()
    gap_warnings, gaps = gap_report(results)
    # A CSV names its repairs itself (with their lines); a recording's are the analysis' own.
    fix_warnings, fixes = (time_fix_report(source.time_fixes) if loaded.kind == "recording" else ([], []))
    warnings = loaded.warnings + fix_warnings + gap_warnings
    for w in warnings:
        print(f"hiplevel analyze: warning: {w}", file=sys.stderr)
    input_doc = {"path": str(args.input), **loaded.report, "gaps": gaps, "warnings": warnings,
                 "damaged": loaded.damaged}
    if fixes:
        input_doc["repairs"] = [*input_doc.get("repairs", []), *fixes]
    # Written as encoded, each rep's dict built as it goes: the output of a long recording is
    # its reps, and they need not be held twice more (dicts, then one string).
    docs = [r.to_json(lazy_reps=bool(args.json)) for r in results]
    numbers = loaded.set_numbers if len(loaded.set_numbers) == len(docs) else list(range(1, len(docs) + 1))
    if loaded.set_numbers:
        for doc, number in zip(docs, numbers):
            doc["set"] = number
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        out = dict(docs[0]) if len(docs) == 1 else {"schema": "hiplevel.analysis-sets/1", "sets": docs}
        out["input"] = input_doc
        with args.json.open("w", encoding="utf-8") as fh:
            write_json(out, fh, indent=1)  # json.dump's text, faster
        print(f"wrote {args.json} ({sum(len(d['reps']) for d in docs)} reps in {len(docs)} set(s))")
    else:
        for number, doc in zip(numbers, docs):
            print_rep_table(doc, title=f"set {number}: {doc['exercise']}")
    if loaded.damaged:
        print(f"hiplevel analyze: {args.input} is damaged or incomplete: the results cover what could be read "
              f"(exit {EXIT_DAMAGED})", file=sys.stderr)
        return EXIT_DAMAGED
    return EXIT_OK


def print_rep_table(doc: dict, title: str, stream=None, limit: int | None = None) -> None:
    """A short table of reps: stance side, what dropped, score and flags, in words."""
    stream = stream or sys.stdout
    reps = doc["reps"]
    summary = doc.get("summary", {})
    print(f"\n{title}: {len(reps)} reps, neutral {doc['neutral_roll_deg']:+.1f} deg", file=stream)
    from hiplevel.constants import tested_leg_label
    from hiplevel.scoring.reps import Rep
    from hiplevel.scoring.words import drop_words, worse_phase

    exercise = doc["exercise"]
    leg = tested_leg_label(exercise).split()[0]
    print(f"  {'#':>3}  {'time s':>11}  {leg:<7}  {'what happened':<28} {'score':>5}  flags", file=stream)
    shown = reps if limit is None else reps[:limit]
    for r in map(Rep.from_json, shown):
        p = worse_phase(exercise, r)
        flags = ", ".join(r.flags) or "-"
        print(f"  {r.index + 1:>3}  {r.start_s:5.1f}-{r.end_s:5.1f}  {p.stance:<7}  {drop_words(exercise, p):<28} "
              f"{r.score:>5.0f}  {flags}", file=stream)
    if limit is not None and len(reps) > limit:
        print(f"  ... {len(reps) - limit} more", file=stream)
    advice = summary.get("advice")
    if isinstance(advice, dict) and advice.get("reason"):
        print(f"  advice: {advice['reason']}", file=stream)


def _store(args: argparse.Namespace, must_exist: bool = True):
    from hiplevel.cli.store_access import open_store

    return open_store(args.data_dir, url=getattr(args, "store", None), must_exist=must_exist)


def _known_patient(store, patient_id: str) -> str:
    """`patient_id` when the store has it; CliError 'no patient P-NOPE in DIR' otherwise."""
    if store.get_patient(patient_id) is None:
        raise CliError(f"no patient {patient_id} in {store_place(store)} (`hiplevel sessions list` shows who is there)")
    return patient_id


def report(args: argparse.Namespace) -> int:
    """`hiplevel report SESSION` or `hiplevel report --patient ID`."""
    from hiplevel.report import write_progress_report, write_session_report

    if not args.session and not args.patient:
        raise CliError("give a session id (see `hiplevel sessions list`) or --patient ID", 2)
    with _store(args) as store:
        if args.patient:
            _known_patient(store, args.patient)
            path = write_progress_report(store, args.patient, args.out, pdf=args.pdf, figures=args.figures)
        else:
            path = write_session_report(store, args.out, args.session, pdf=args.pdf, figures=args.figures)
    print(f"report: {path}")
    if args.pdf:
        print(f"pdf: {path.with_suffix('.pdf')}")
    return EXIT_OK


def sessions(args: argparse.Namespace) -> int:
    """`hiplevel sessions list|show|delete|export`."""
    with _store(args) as store:
        if args.action == "list":
            if args.patient:
                _known_patient(store, args.patient)
            rows = store.list_sessions(args.patient)
            if not rows:
                whose = f" of patient {args.patient}" if args.patient else ""
                print(f"no sessions{whose} in {store_place(store)}")
            for s in rows:
                print(f"{s.id}  {s.patient_id}  {s.started_at:%Y-%m-%d %H:%M}  {s.status:<11} {s.n_sets} sets, {s.n_reps} reps")
        elif args.action == "show":
            inputs = store.load_session(args.session)
            meta = inputs.meta
            print(f"session {args.session}: patient {meta.patient_id}, device {meta.device_id or '?'}, "
                  f"{meta.samples_lost} of {meta.samples_received + meta.samples_lost} samples lost")
            for s in inputs.sets:
                print_rep_table(s.analysis_json, title=f"set {s.set_index}: {s.exercise}")
        elif args.action == "delete":
            confirm = args.yes
            if not confirm:
                if not sys.stdin.isatty():
                    raise CliError("deleting needs confirmation: add --yes", 2)
                answer = input(f"Delete session {args.session} and its recording? This cannot be undone. [y/N] ")
                confirm = answer.strip().lower() in ("y", "yes")
            if not confirm:
                print("kept")
                return EXIT_OK
            removed = store.delete_session(args.session, confirm=True)
            print(f"deleted session {args.session}" + (f" and {removed}" if removed else ""))
        elif args.action == "export":
            paths = store.export_patient(_known_patient(store, args.patient), args.out)
            for p in paths:
                print(f"wrote {p}")
    return EXIT_OK
