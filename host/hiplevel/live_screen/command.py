"""`hiplevel live`: open the sensor, run the live session in the terminal, print the summary line
and the finding. With --browser the same screen is also served as a local web page
(`hiplevel.live_screen.browser`, docs/live.md).

On a terminal the screen redraws in place, in colour unless NO_COLOR is set or TERM is dumb; piped
into a file or another program it writes one plain line per event, with no escape codes.

On a terminal, keys are read directly (no echo, no line buffering, and Ctrl-C as a key rather than a
signal): the terminal's SIGINT would go to the whole foreground process group, including the
virtual device's MicroPython process, which must instead be stopped in order after STOP. Ctrl-C
or q ends the session; a SIGINT/SIGTERM from elsewhere does too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import termios
import textwrap
from collections.abc import Awaitable, Iterator
from contextlib import AsyncExitStack
from typing import Final, TextIO, TypeVar

from hiplevel.cli.common import EXIT_USAGE, CliError
from hiplevel.live_screen.browser_access import BrowserScreenError, check_address, is_loopback
from hiplevel.live_screen.connect import OpenSensor, open_live_sensor
from hiplevel.live_screen.page_state import STOPPED_CONNECTING
from hiplevel.live_screen.session import LiveSession
from hiplevel.live_screen.view import View
from hiplevel.live_screen.state import CueSettings, LiveOptions
from hiplevel.live_screen.summary import LiveSummary
from hiplevel.live_screen.view import PlainView, Style, TerminalView
from hiplevel.scoring import Thresholds

T = TypeVar("T")
STOP_KEYS: Final[bytes] = b"\x03qQ"  # Ctrl-C, q
THRESHOLD_MAX_DEG: Final[float] = 30.0
SUMMARY_WIDTH: Final[int] = 80
BROWSER_LINE: Final[str] = "Live screen in a browser: "


def default_threshold_deg(exercise: str) -> float:
    """The cue threshold when none is given: the drop that flags a rep of this exercise, deg
    (docs/thresholds.md: 7 for walking, 10 for single-leg squat, 4 for the controlled exercises)."""
    return Thresholds().drop_band_deg(exercise)[1]


def check_browser_args(args: argparse.Namespace) -> None:
    """Raise `CliError` (usage) for browser options that make no sense or are not allowed."""
    if not getattr(args, "browser", False):
        return
    try:
        check_address(args.browser_host, args.browser_port, args.allow_lan)
    except BrowserScreenError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def options_from_args(args: argparse.Namespace) -> LiveOptions:
    """Check the command line and turn it into session options; raises `CliError` (usage)."""
    if args.virtual and args.port:
        raise CliError("choose one sensor: --virtual or --port, not both", EXIT_USAGE)
    threshold = args.threshold_deg if args.threshold_deg is not None else default_threshold_deg(args.exercise)
    if not 0.0 < threshold <= THRESHOLD_MAX_DEG:
        raise CliError(f"--threshold-deg must be above 0 and at most {THRESHOLD_MAX_DEG:g} deg, got {threshold:g}",
                       EXIT_USAGE)
    if args.seconds is not None and args.seconds <= 0:
        raise CliError(f"--seconds must be positive, got {args.seconds:g}", EXIT_USAGE)
    check_browser_args(args)
    cue = CueSettings(threshold_deg=threshold, sound=not args.no_sound, haptic=not args.no_haptic)
    return LiveOptions(args.exercise, cue, seconds=args.seconds)


def run_live(args: argparse.Namespace) -> int:
    """The `hiplevel live` command; returns the exit code."""
    options = options_from_args(args)
    summary = asyncio.run(live_main(args, options, sys.stdout))
    if summary is None:
        print(STOPPED_CONNECTING)
        return 0
    wrap = _isatty(sys.stdout)  # on a screen the closing lines fit it too; a log keeps one line each
    for line in summary.lines():
        print(textwrap.fill(line, SUMMARY_WIDTH, subsequent_indent="  ") if wrap else line)
    return 0


def choose_view(out: TextIO, footer: tuple[str, ...] = ()) -> TerminalView | PlainView:
    """Frames on a terminal (coloured when it has colour, `footer` under each), plain lines
    anywhere else."""
    if not _isatty(out):
        return PlainView(out)
    term = os.environ.get("TERM", "")
    color = "NO_COLOR" not in os.environ and term not in ("", "dumb")
    return TerminalView(out, Style(color=color), footer)


def _isatty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


async def live_main(args: argparse.Namespace, options: LiveOptions, out: TextIO) -> LiveSummary | None:
    """Open the sensor the arguments name and run one session; None if stopped while connecting."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        with _keys(sys.stdin, stop):
            async with AsyncExitStack() as stack:
                page = None
                if getattr(args, "browser", False):
                    from hiplevel.live_screen.browser import serve_live_page

                    page = await stack.enter_async_context(
                        serve_live_page(args.browser_host, args.browser_port, args.allow_lan))
                    out.write(f"{BROWSER_LINE}{page.url}\n")
                    if not is_loopback(page.host):
                        out.write(f"  (--allow-lan: anyone who can reach this computer on port {page.port} "
                                  "can watch this screen)\n")
                out.write("Connecting to the sensor...\n")
                out.flush()
                sensor = await _unless_stopped(_open(stack, args, options), stop)
                if sensor is None:
                    if page is not None:
                        page.view.finish(None)
                    return None
                view: View = choose_view(out, (f"  {BROWSER_LINE}{page.url}",) if page else ())
                if page is not None:
                    from hiplevel.live_screen.browser import TeeView

                    view = TeeView(view, page.view)
                from hiplevel.store.device_priors import stored_device_prior

                summary = await LiveSession(sensor, options, view, priors=stored_device_prior).run(stop)
                if page is not None:
                    page.view.finish(summary)  # the page shows the finding before the server stops
                return summary
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _open(stack: AsyncExitStack, args: argparse.Namespace, options: LiveOptions) -> OpenSensor:
    from bleak.exc import BleakError

    try:
        return await open_live_sensor(stack, args, options.exercise, options.seconds, options.cue.threshold_deg)
    except (BleakError, OSError) as exc:
        if args.virtual or args.port:
            raise
        # bleak raises these when the computer has no usable Bluetooth (no adapter, no BlueZ).
        from hiplevel.cli.connect import bluetooth_unavailable

        raise bluetooth_unavailable(exc) from exc


async def _unless_stopped(work: Awaitable[T], stop: asyncio.Event) -> T | None:
    """`work`'s result, or None (work cancelled) when `stop` is set first."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None


@contextlib.contextmanager
def _keys(stdin: TextIO, stop: asyncio.Event) -> Iterator[None]:
    """While inside: a terminal on stdin sends keys straight to us (no echo, no line editing,
    Ctrl-C as a byte); Ctrl-C or q sets `stop`. Restores the terminal on the way out."""
    try:
        fd = stdin.fileno()
        saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    except (OSError, ValueError, termios.error):
        saved = None
    if saved is None:
        yield
        return
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~(termios.ECHO | termios.ICANON | termios.ISIG)  # lflags
    attrs[6][termios.VMIN], attrs[6][termios.VTIME] = 1, 0
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    loop = asyncio.get_running_loop()

    def on_key() -> None:
        try:
            data = os.read(fd, 64)
        except OSError:
            data = b""
        if not data or any(k in STOP_KEYS for k in data):
            stop.set()

    loop.add_reader(fd, on_key)
    try:
        yield
    finally:
        loop.remove_reader(fd)
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
