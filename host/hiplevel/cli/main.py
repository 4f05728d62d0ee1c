"""Entry point of the `hiplevel` command: one parser, one sub-command per module."""

from __future__ import annotations

import argparse
import sys

from hiplevel import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hiplevel",
        description="Belt-worn pelvic drop biofeedback: record, analyse and report "
        "'keep your hip bones level' exercises.",
    )
    parser.add_argument("--version", action="version", version=f"hiplevel {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
