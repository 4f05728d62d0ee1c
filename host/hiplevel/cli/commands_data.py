"""Commands over recorded data: analyze, report, sessions, simulate."""

from __future__ import annotations

import argparse
from pathlib import Path

from hiplevel.cli import store_commands
from hiplevel.cli.common import add_data_dir, deferred
from hiplevel.constants import EXERCISES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="find every rep, measure the pelvic drop and its side, score it",
                       epilog="Repairs, gaps and damage are reported on stderr and in the JSON's 'input' object. "
                              "Exit codes: 0 analysed, 1 nothing could be analysed, 4 analysed but the recording was "
                              "damaged or a recorded set was lost (docs/analysis.md, 'Input').")
    p.add_argument("input", type=Path, help="a hiplevel recording or an IMU CSV, plain or .csv.gz "
                   "(t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps; m/s^2 and rad/s as ax_ms2.., gx_rps..)")
    p.add_argument("--exercise", choices=EXERCISES, required=False, help="exercise in the input (required for CSV)")
    p.add_argument("--json", type=Path, default=None, help="write the analysis JSON here (default: print a table)")
    p.add_argument("--thresholds", type=Path, default=None, help="per-patient thresholds JSON (see docs/thresholds.md)")
    p.set_defaults(func=deferred("hiplevel.cli.data_actions:analyze"))

    p = sub.add_parser("report", help="clinician report of a session, or progress over weeks for a patient")
    add_data_dir(p)
    p.add_argument("session", nargs="?", help="session id (see `hiplevel sessions list`)")
    p.add_argument("--patient", help="progress report over all of this patient's sessions")
    p.add_argument("--out", type=Path, default=Path("."), help="output folder (default: current folder)")
    p.add_argument("--pdf", action="store_true", help="also print it to PDF (needs chromium)")
    p.add_argument("--figures", action="store_true", help="also write the figures as PNG and SVG")
    p.set_defaults(func=deferred("hiplevel.cli.data_actions:report"))

    p = sub.add_parser("sessions", help="list, show, delete, export, back up or restore stored sessions")
    ss = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = ss.add_parser("list", help="sessions in the store (optionally of one patient)")
    q.add_argument("--patient")
    add_data_dir(q)
    q = ss.add_parser("show", help="one session: sets, reps and scores")
    q.add_argument("session")
    add_data_dir(q)
    q = ss.add_parser("delete", help="delete a session and its recording (asks first)")
    q.add_argument("session")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_data_dir(q)
    q = ss.add_parser("export", help="export a patient's sessions, pseudonymised (CSV and JSON)")
    q.add_argument("--patient", required=True)
    q.add_argument("--out", type=Path, default=Path("."))
    add_data_dir(q)
    store_commands.add_session_actions(ss)  # backup, restore
    p.set_defaults(func=deferred("hiplevel.cli.data_actions:sessions"))

    p = sub.add_parser(
        "simulate",
        help="write a labelled simulated session (IMU CSV + ground truth, optionally the chip stream)",
        description="A virtual patient with ground truth. Example: hiplevel simulate out/sim "
        "-e walking:reps=20,weak_side=left,drop_deg=9 -e band-walk:reps=12,sets=2 --seed 1",
    )
    from hiplevel.sim.cli import add_arguments as add_simulate_arguments

    add_simulate_arguments(p)
    p.set_defaults(func=deferred("hiplevel.sim.cli:run"))
