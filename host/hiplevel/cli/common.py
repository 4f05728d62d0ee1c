"""Shared CLI pieces: exit codes, user-facing errors, the data directory option, a command's action
imported when it runs, a progress bar."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NO_DEVICE = 3
EXIT_DAMAGED = 4  # analyze: results written, but the recording was damaged or a recorded set was lost
EXIT_INTERRUPTED = 130
EXIT_OUTPUT_CLOSED = 141  # the reader of our output went away (`| head`), as a Unix tool killed by SIGPIPE

T = TypeVar("T")


class CliError(Exception):
    """An error the person at the keyboard can act on; printed without a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def is_user_error(exc: BaseException) -> bool:
    """True for errors caused by input or environment (bad file, no sensor), not by a bug."""
    try:
        from hiplevel.errors import HiplevelError
    except ImportError:  # errors module not built yet in a partial checkout
        HiplevelError = ()  # type: ignore[assignment,misc]
    return isinstance(exc, (HiplevelError, FileNotFoundError, PermissionError, IsADirectoryError))


def deferred(target: str) -> Callable[[argparse.Namespace], int]:
    """A command's action, "module:function", imported when the command runs, not when the parser
    is built: `hiplevel --help` and every other command load none of its libraries."""
    module, name = target.split(":")

    def run(args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(module), name)(args)

    run.__qualname__ = run.__name__ = f"deferred {target}"
    return run


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """`--data-dir`: where the session store and recordings live; `--store URL`: a shared store."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="session store folder (default: $HIPLEVEL_DATA_DIR or the platform's user data folder)",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        default=None,
        help="a shared store, e.g. postgresql://user@server/hiplevel (default: $HIPLEVEL_STORE, else the "
        "SQLite store in the data folder; docs/store.md)",
    )


def add_device_options(parser: argparse.ArgumentParser) -> None:
    """Options that pick a sensor: a BLE address/name, a serial port, or the virtual device."""
    group = parser.add_argument_group("sensor")
    group.add_argument("--device", help="BLE address or name of the sensor (default: the nearest hiplevel sensor)")
    group.add_argument("--port", help="use the USB serial link on this port instead of BLE ('auto' to find it)")
    group.add_argument(
        "--virtual",
        action="store_true",
        help="use the virtual device: the real firmware on MicroPython with a simulated patient",
    )
    group.add_argument("--timeout", type=float, default=10.0, help="seconds to look for the sensor (default 10)")


def progress(items: Iterable[T], total: int | None, label: str, stream=None) -> Iterator[T]:
    """Yield from `items`, drawing a one-line progress bar on a terminal when the work takes more
    than a second. Silent when the output is not a terminal (logs and pipes stay clean)."""
    stream = stream or sys.stderr
    show = hasattr(stream, "isatty") and stream.isatty() and os.environ.get("HIPLEVEL_NO_PROGRESS") is None
    start = time.monotonic()
    drawn = False
    for i, item in enumerate(items, 1):
        yield item
        if show and time.monotonic() - start > 1.0:
            drawn = True
            width = 30
            frac = i / total if total else 0.0
            bar = "#" * int(frac * width)
            count = f"{i}/{total}" if total else f"{i}"
            stream.write(f"\r{label} [{bar:<{width}}] {count}")
            stream.flush()
    if drawn:
        stream.write("\n")
        stream.flush()
