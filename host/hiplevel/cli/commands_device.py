"""Commands that talk to a sensor: scan, info, record, live, calibrate, flash, pair."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from hiplevel.cli.common import (
    EXIT_ERROR,
    CliError,
    add_data_dir,
    add_device_options,
    deferred,
    progress,
)
from hiplevel.constants import EXERCISES
from hiplevel.live_screen.browser_access import add_browser_options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="list hiplevel sensors nearby, with battery and signal")
    add_device_options(p)
    p.set_defaults(func=deferred("hiplevel.cli.device_actions:scan"))

    for name in ("info", "connect"):
        p = sub.add_parser(name, help="connect to a sensor and show its firmware, calibration and battery")
        add_device_options(p)
        add_data_dir(p)  # where --virtual keeps the virtual device's flash
        p.set_defaults(func=deferred("hiplevel.cli.device_actions:info"))

    p = sub.add_parser("record", help="record a session from the sensor into the session store")
    add_device_options(p)
    add_data_dir(p)
    p.add_argument("--patient", default=None, help="pseudonymous patient id (default: a new one, e.g. P-7F3A)")
    p.add_argument("--exercise", choices=EXERCISES, action="append", help="exercise of each set (repeat per set)")
    p.add_argument("--sets", type=int, default=1, help="sets per exercise (default 1)")
    p.add_argument("--set-seconds", type=float, default=None,
                   help="length of each set, s (default 60; with --virtual the simulated patient's usual set)")
    p.add_argument("--raw", action="store_true", help="stream raw 6-axis data instead of the device's roll")
    p.set_defaults(func=deferred("hiplevel.cli.device_actions:record"))

    p = sub.add_parser("live", help="live biofeedback: a level gauge of the pelvis, rep count and cues")
    add_device_options(p)
    p.add_argument("--exercise", choices=EXERCISES, default="walking")
    p.add_argument("--threshold-deg", type=float, default=None, help="cue when the drop passes this, deg (default: the exercise's flag threshold: "
                   "walking 7, single-leg squat 10, others 4)")
    p.add_argument("--no-sound", action="store_true", help="no terminal bell on a drop")
    p.add_argument("--no-haptic", action="store_true", help="do not buzz the sensor on a drop")
    p.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")
    add_browser_options(p)
    p.set_defaults(func=deferred("hiplevel.live_screen.command:run_live"))

    p = sub.add_parser("calibrate", help="guided calibration: gyro bias, six faces, alignment on the belt")
    add_device_options(p)
    add_data_dir(p)
    p.add_argument("--out", type=Path, default=None,
                   help="calibration file or folder to write (default: calibration/ in the data folder)")
    p.add_argument("--push", action="store_true", help="send the calibration to the sensor and read it back")
    p.set_defaults(func=deferred("hiplevel.cli.calibrate_action:calibrate"))

    p = sub.add_parser("pair", help="give a sensor its key over USB and keep it here (BLE sessions need it)")
    p.add_argument("--port", help="serial port of the sensor's USB cable (e.g. /dev/ttyUSB0, or 'auto')")
    add_data_dir(p)
    p.add_argument("--list", action="store_true", help="list the sensors paired with this computer's store")
    p.add_argument("--forget", action="store_true", help="erase the sensor's key (over USB) and this store's copy")
    p.set_defaults(func=deferred("hiplevel.cli.pair_action:pair"))

    p = sub.add_parser("flash", help="compile the firmware with mpy-cross and copy it to a board with mpremote")
    p.add_argument("--port", help="serial port of the board (e.g. /dev/ttyUSB0); omit with --dry-run")
    p.add_argument("--dry-run", action="store_true", help="only compile, into --out")
    p.add_argument("--out", type=Path, default=None, help="where to put the compiled image")
    p.set_defaults(func=_flash)


def _flash(args: argparse.Namespace) -> int:
    from hiplevel.flashing import FlashError, compile_firmware, copy_to_board, firmware_sources, mpremote_path

    if not args.dry_run and not args.port:
        raise CliError("which board? give --port (e.g. /dev/ttyUSB0), or --dry-run to only compile", 2)
    try:
        if not args.dry_run:
            mpremote_path()  # before compiling: no point building an image that cannot be copied
        with tempfile.TemporaryDirectory(prefix="hiplevel-fw-") as tmp:
            out = args.out or Path(tmp)
            n = len(firmware_sources())
            written = list(progress(compile_firmware(out), n, "compiling"))
            if args.out:
                print(f"compiled {len(written)} files into {out}")
            else:
                print(f"compiled {len(written)} files" + (" (a check only: --out keeps the image)" if args.dry_run else ""))
            if args.dry_run:
                return 0
            copied = list(progress(copy_to_board(out, args.port), len(written), "flashing"))
        print(f"copied {len(copied)} files to {args.port}; the board has been reset.")
        print(f"Next: `hiplevel pair --port {args.port}` gives it its key (it accepts no BLE connection "
              "until then); `hiplevel scan` should list it within a few seconds.")
    except FlashError as exc:
        raise CliError(str(exc), EXIT_ERROR) from exc
    return 0
