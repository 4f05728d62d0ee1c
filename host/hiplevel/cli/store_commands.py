"""Commands that look after the store itself: `reanalyze`, `doctor`, and `sessions backup|restore`
(argument parsing here; what they do is in store_actions)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from hiplevel.cli.common import add_data_dir, deferred


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reanalyze",
        help="analyse stored sessions again after a threshold or algorithm change (all cores, resumable)",
        description="Re-analyse the recordings of stored sessions with this hiplevel's analysis and store the "
        "new results (the version that made them is kept with each). Sessions already analysed by this "
        "version with the same thresholds are skipped, so after an interruption the same command finishes "
        "the rest.",
    )
    p.add_argument("--patient", help="only this patient's sessions")
    p.add_argument("--since", type=_date, help="only sessions started on or after this date (YYYY-MM-DD, UTC)")
    p.add_argument("--until", type=_date, help="only sessions started on or before this date (YYYY-MM-DD, UTC)")
    p.add_argument("--thresholds", type=Path, default=None,
                   help="per-patient thresholds JSON to apply (docs/thresholds.md; default: each session's own)")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per CPU core)")
    p.add_argument("--force", action="store_true", help="also redo sessions already up to date")
    p.add_argument("--dry-run", action="store_true", help="only say what would be done")
    add_data_dir(p)
    p.set_defaults(func=deferred("hiplevel.cli.store_actions:reanalyze"))

    p = sub.add_parser(
        "doctor",
        help="check the store: database integrity, recordings vs rows, recording CRCs, orphans",
    )
    p.add_argument("--quick", action="store_true", help="do not read the recordings (rows and files only)")
    add_data_dir(p)
    p.set_defaults(func=deferred("hiplevel.cli.store_actions:doctor"))


def add_session_actions(actions: argparse._SubParsersAction) -> None:
    """`sessions backup` and `sessions restore` (added to the `sessions` command's actions)."""
    q = actions.add_parser("backup", help="copy the whole store and its recordings into a new folder")
    q.add_argument("out", type=Path, help="new (or empty) folder for the backup")
    add_data_dir(q)
    q.set_defaults(func=deferred("hiplevel.cli.store_actions:backup"))
    q = actions.add_parser("restore", help="add a backup's patients and sessions to the store (skips ones it has)")
    q.add_argument("backup", type=Path, help="a folder written by `hiplevel sessions backup`")
    add_data_dir(q)
    q.set_defaults(func=deferred("hiplevel.cli.store_actions:restore"))
