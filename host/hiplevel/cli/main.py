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

# What OpenBLAS reads for its thread count when it loads, in its order: a person's setting is kept.
BLAS_COUNT_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")

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


def one_blas_thread_from_start() -> None:
    """Have numpy's OpenBLAS load with one thread (OPENBLAS_NUM_THREADS=1, for the processes this
    one starts too) when numpy is not loaded yet, no thread count is set and HIPLEVEL_BLAS_THREADS_KEEP
    is not. OpenBLAS starts its worker threads as numpy loads it, and they spin before they first
    sleep: about 0.04 s of CPU of every command that imports numpy, for products too small to share
    (the analysis runs them on one thread anyway: `hiplevel.signal.blas`; the same results to the bit)."""
    if "numpy" in sys.modules or os.environ.get("HIPLEVEL_BLAS_THREADS_KEEP"):
        return
    if not any(os.environ.get(name) for name in BLAS_COUNT_VARIABLES):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    one_blas_thread_from_start()
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
