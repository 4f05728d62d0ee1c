"""`hiplevel demo`: the whole product on a simulated patient, no hardware needed."""

from __future__ import annotations

import argparse
from pathlib import Path

from hiplevel.cli.common import add_data_dir, deferred


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="simulated patient with a weak side on the virtual sensor: record, analyse, store, report",
    )
    add_data_dir(p)
    p.add_argument("--out", type=Path, default=Path("out/demo"), help="where the report goes (default out/demo)")
    p.add_argument("--seed", type=int, default=7, help="simulated patient seed (default 7)")
    p.add_argument("--weak-side", choices=("left", "right"), default="right")
    p.add_argument("--speed", type=float, default=0.0, help="virtual seconds per wall second (0 = as fast as possible)")
    p.add_argument("--weeks", type=int, default=6,
                   help="weeks of simulated earlier sessions for the progress report (default 6; 0 = none)")
    p.set_defaults(func=deferred("hiplevel.cli.demo:run_demo"))
