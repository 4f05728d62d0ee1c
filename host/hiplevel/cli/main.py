"""Entry point of the `hiplevel` command: one parser, one sub-command module per area.

Commands import their heavy dependencies lazily so `hiplevel --help` stays instant. Errors a
person can act on are raised as `HiplevelError` (or `CliError`) and printed as one sentence; only a
real bug shows a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable

from hiplevel import __version__
from hiplevel.cli import commands_data, commands_demo, commands_device, store_commands
from hiplevel.cli.common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OUTPUT_CLOSED, EXIT_USAGE, CliError

Register = Callable[[argparse._SubParsersAction], None]
MODULES: tuple[Register, ...] = (
    commands_device.register,
    commands_data.register,
    store_commands.register,
    commands_demo.register,
)


def build_parser() -> argparse.ArgumentParser:
    """The full `hiplevel` argument parser."""
    parser = argparse.ArgumentParser(
        prog="hiplevel",
        description="Belt-worn pelvic drop biofeedback: record, analyse and report "
        "'keep your hip bones level' exercises.",
        epilog="Start with `hiplevel demo` (no sensor needed). `hiplevel COMMAND --help` for details.",
    )
    parser.add_argument("--version", action="version", version=f"hiplevel {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in MODULES:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Whoever read our output went away (`hiplevel ... | head`): stop quietly, as Unix tools do;
        # stdout goes to /dev/null so the interpreter's final flush does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OUTPUT_CLOSED
    except CliError as exc:
        print(f"hiplevel {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - user-facing errors only; bugs re-raise below
        from hiplevel.cli.common import is_user_error

        if not is_user_error(exc):
            raise
        print(f"hiplevel {args.command}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
