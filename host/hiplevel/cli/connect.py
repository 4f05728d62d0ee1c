"""Open a link to a sensor the way the CLI options say: BLE (default), USB serial (--port), or the
virtual device (--virtual: the real firmware on MicroPython with a simulated patient).

Every command that talks to a sensor goes through `open_sensor`, so they all find, name and fail
the same way.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from hiplevel.cli.common import EXIT_NO_DEVICE, CliError
from hiplevel.link.base import Link

NOT_FOUND_HINT = "is it charged and advertising (LED blinking)? Is Bluetooth on?"
USB_HINT = "is the sensor plugged in and switched on? `--port auto` finds it"
NO_BLUETOOTH_HINT = "connect the sensor by USB and use --port auto (or --virtual to try without a sensor)"
DBUS_SYSTEM_BUS_DEFAULT = "unix:path=/var/run/dbus/system_bus_socket"  # BlueZ is reached over it (Linux)
# Developer switches (docs/virtual-device.md): talk BLE to in-process virtual devices instead of the
# radio; inject device-side faults into --virtual; give up reconnecting sooner.
ENV_BLE_BACKEND = "HIPLEVEL_BLE_BACKEND"  # "virtual"
ENV_VIRTUAL_FAULTS = "HIPLEVEL_VIRTUAL_FAULTS"  # JSON {"link_loss": [[t_s, dur_s]], "i2c_fail": [[t0, t1]]}
ENV_RECONNECT_GIVE_UP_S = "HIPLEVEL_RECONNECT_GIVE_UP_S"
ENV_BLE_PAIR = "HIPLEVEL_BLE_PAIR"  # "1": pair (LE Secure Connections) on connect (docs/security.md)
RECONNECT_GIVE_UP_S = 60.0
# The virtual device's pipe answers in microseconds, but a loaded CI machine can stall for seconds.
VIRTUAL_TIMEOUT_S = 60.0
# A held --virtual device (open_sensor(hold_virtual=True)) stands still within this many virtual s
# of the host's pace, and while held.
VIRTUAL_LEAD_S = 2.0
VIRTUAL_FLASH_FOLDER = "virtual-device"  # in the data folder


@dataclass
class Sensor:
    """An open sensor: its link, what it told about itself, and for the virtual device the device
    process and the simulated patient behind it."""

    link: Link
    name: str
    info: dict[str, Any] = field(default_factory=dict)
    battery_pct: int | None = None
    firmware: str | None = None
    rssi_dbm: int | None = None
    virtual: Any = None  # hiplevel.virtual.process.VirtualDevice
    sim: Any = None  # hiplevel.sim.SimSession


# Seconds of exercise per rep at the simulator's default pacing (the slope of set length over reps,
# measured on its output at 10 and 20 reps): walking ~103 steps/min; band-walk one lateral step; a
# single-leg hold lasts its hold plus the stepping into and out of it.
SIM_SECONDS_PER_REP: Final[dict[str, float]] = {
    "walking": 0.58,
    "band-walk": 1.2,
    "step-down": 5.2,
    "single-leg-squat": 6.3,
    "clamshell": 3.7,
}
SIM_HOLD_EXTRA_S: Final[float] = 5.5
SIM_DEFAULT_REPS: Final[dict[str, int]] = {"walking": 24, "band-walk": 12, "single-leg-stance": 2, "step-down": 8,
                                           "single-leg-squat": 8, "clamshell": 12}
SIM_DEFAULT_HOLD_S: Final[float] = 20.0
SIM_HOLD_RANGE_S: Final[tuple[float, float]] = (5.0, 30.0)


def sim_set_shape(exercise: str, seconds: float | None) -> dict[str, Any]:
    """`ExerciseSpec` keywords (reps, and hold_s for single-leg stance) for a simulated set of about
    `seconds` s of exercise (None: the simulated patient's usual set)."""
    if exercise == "single-leg-stance":
        if seconds is None:
            return {"reps": SIM_DEFAULT_REPS[exercise], "hold_s": SIM_DEFAULT_HOLD_S}
        # two holds fill the set, each as long as the range allows; more holds when it does not
        lo, hi = SIM_HOLD_RANGE_S
        hold = min(hi, max(lo, seconds / 2.0 - SIM_HOLD_EXTRA_S))
        return {"reps": max(2, round(seconds / (hold + SIM_HOLD_EXTRA_S))), "hold_s": hold}
    if seconds is None:
        return {"reps": SIM_DEFAULT_REPS.get(exercise, 10)}
    return {"reps": max(2, math.ceil(seconds / SIM_SECONDS_PER_REP[exercise]))}


def default_virtual_patient(exercises: list[str] | None = None, weak_side: str = "right", seed: int = 7,
                            sets: int = 1, set_seconds: float | None = None):
    """A simulated patient with a weak gluteus medius on `weak_side` doing `exercises`, each set
    lasting about `set_seconds` s (None: the simulated patient's usual set)."""
    from hiplevel.sim import ExerciseSpec, SessionSpec

    specs = [ExerciseSpec(name, sets=sets, weak_side=weak_side, drop_deg=8.0, **sim_set_shape(name, set_seconds))
             for name in exercises or ["walking", "band-walk", "single-leg-stance"]]
    return SessionSpec(specs, rate_hz=100.0, seed=seed, mount_offset_deg=(1.5, -2.0, 3.0), noise=True)


def os_error_words(exc: BaseException) -> str:
    """The innermost operating-system reason behind `exc`, its errno once: 'No such file or
    directory (errno 2)' (pyserial and D-Bus wrap the OSError and repeat it in their messages)."""
    found: OSError | None = None
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, OSError) and e.strerror:
            found = e
        e = e.__cause__ or e.__context__
    if found is None:
        return str(exc) or type(exc).__name__
    return f"{found.strerror} (errno {found.errno})" if found.errno else str(found.strerror)


def bluetooth_unavailable(exc: BaseException) -> CliError:
    """The error for a computer where bleak cannot reach Bluetooth: names what failed (BlueZ's
    D-Bus socket on Linux, else bleak's own words) and the way round it."""
    if isinstance(exc, OSError):
        address = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS", DBUS_SYSTEM_BUS_DEFAULT)
        where = address.split("path=", 1)[1].split(",", 1)[0] if "path=" in address else address
        what = f"BlueZ's D-Bus socket {where}: {os_error_words(exc)}"
    else:
        what = str(exc) or type(exc).__name__
    return CliError(f"Bluetooth is not available on this computer ({what}); {NO_BLUETOOTH_HINT}", EXIT_NO_DEVICE)


def virtual_flash_dir(data_dir: Path | None) -> Path:
    """The flash of the virtual device that `info --virtual` and `calibrate --virtual` talk to, kept
    in the data folder (`virtual-device/`) so that a pushed calibration stays, as on a board. Made
    on first use. (`record`, `live` and `demo` start a new virtual device each time: their simulated
    patient wears a different chip than the calibration's simulated person.)"""
    from hiplevel.paths import default_data_dir
    from hiplevel.virtual.spawn import new_flash

    folder = Path(data_dir if data_dir is not None else default_data_dir()) / VIRTUAL_FLASH_FOLDER
    return folder if folder.is_dir() else new_flash(folder)


@asynccontextmanager
async def open_sensor(args: argparse.Namespace, sim_spec=None, speed: float = 1.0,
                      mtu: int = 185, virtual_flash: Path | None = None,
                      patient_waits_at_s: float | None = None, hold_virtual: bool = False) -> AsyncIterator[Sensor]:
    """Find and connect to the sensor named by the options; closes everything on exit.

    sim_spec: the simulated patient for --virtual (default: `default_virtual_patient()`).
    speed: virtual seconds per wall second for --virtual (0 = as fast as possible).
    virtual_flash: the --virtual device's flash folder, kept after it stops (None: a new one).
    patient_waits_at_s: the simulated patient waits there for `let_patient_start()` (live).
    hold_virtual: the --virtual device's time stands still (it answers all the same) until
    `sensor.virtual.release()`, e.g. once START is answered, and it never runs more than
    VIRTUAL_LEAD_S ahead of the host: the script plays from its start however long connecting took."""
    from bleak.exc import BleakError

    from hiplevel.errors import DeviceNotFoundError, LinkError

    async with AsyncExitStack() as stack:
        try:
            if getattr(args, "virtual", False):
                sensor = await _open_virtual(stack, sim_spec, speed, mtu, virtual_flash, patient_waits_at_s,
                                             hold_virtual)
            elif getattr(args, "port", None):
                sensor = await _open_serial(stack, args.port)
            elif os.environ.get(ENV_BLE_BACKEND) == "virtual":
                from hiplevel.virtual.backend import VirtualClient, VirtualScanner

                _load_paired_keys(args)
                sensor = await _open_ble(stack, args.device, args.timeout, VirtualScanner, VirtualClient, mtu)
            else:
                _load_paired_keys(args)
                sensor = await _open_ble(stack, args.device, args.timeout)
        except DeviceNotFoundError as exc:
            if getattr(args, "port", None):
                raise CliError(f"no USB serial port looks like a hiplevel sensor: {USB_HINT}",
                               EXIT_NO_DEVICE) from exc
            what = f"sensor {args.device!r}" if getattr(args, "device", None) else "sensor"
            raise CliError(f"no hiplevel {what} found over Bluetooth within {args.timeout:g} s: {NOT_FOUND_HINT}",
                           EXIT_NO_DEVICE) from exc
        except LinkError as exc:
            if getattr(args, "port", None) and not getattr(args, "virtual", False):
                raise CliError(f"could not open the USB serial port {args.port}: {os_error_words(exc)}; {USB_HINT}",
                               EXIT_NO_DEVICE) from exc
            raise CliError(f"could not connect over Bluetooth: {exc}", EXIT_NO_DEVICE) from exc
        except (BleakError, OSError) as exc:
            # No adapter, BlueZ/D-Bus missing, radio off: bleak raises these before any scan.
            raise bluetooth_unavailable(exc) from exc
        yield sensor


def _load_paired_keys(args: argparse.Namespace) -> None:
    """The keys `hiplevel pair` stored, into this process's key ring (BLE links authenticate with them)."""
    from hiplevel.cli.store_access import chosen_store_url
    from hiplevel.link.auth import known_keys
    from hiplevel.store.device_keys import load_paired_keys

    data_dir = getattr(args, "data_dir", None)
    load_paired_keys(known_keys(), data_dir, chosen_store_url(data_dir, getattr(args, "store", None)))


async def _open_ble(stack: AsyncExitStack, device: str | None, timeout_s: float, backend_scanner=None,
                    backend_client=None, mtu: int | None = None) -> Sensor:
    from hiplevel.link.ble_link import BleLink, BleLinkSettings
    from hiplevel.link.ble_scan import find_sensor

    found = await find_sensor(device, timeout_s, backend=backend_scanner)
    kwargs = {"mtu": mtu} if mtu else {}
    give_up_s = float(os.environ.get(ENV_RECONNECT_GIVE_UP_S, RECONNECT_GIVE_UP_S))
    settings = BleLinkSettings(connect_timeout_s=max(timeout_s, 10.0), reconnect_give_up_s=give_up_s,
                               client_kwargs=kwargs, pair=os.environ.get(ENV_BLE_PAIR, "") == "1")
    link = await BleLink(found.device, backend=backend_client, settings=settings).open()
    stack.push_async_callback(link.close)
    info = await link.read_device_info()
    return Sensor(link=link, name=found.name or found.address, info=info.info,
                  battery_pct=info.battery_pct if info.battery_pct is not None else found.battery_pct,
                  firmware=info.firmware_revision, rssi_dbm=found.rssi_dbm)


async def _open_serial(stack: AsyncExitStack, port: str) -> Sensor:
    from hiplevel.link.serial_link import SerialLink
    from hiplevel.protocol import Cmd

    link = await SerialLink.open(None if port == "auto" else port)
    stack.push_async_callback(link.close)
    reply = await link.request(Cmd.GET_INFO)
    info = json.loads(bytes(reply.payload).decode("utf-8"))
    return Sensor(link=link, name=str(info.get("device_id", port)), info=info, firmware=info.get("fw"))


async def _open_virtual(stack: AsyncExitStack, sim_spec, speed: float, mtu: int,
                        flash: Path | None = None, patient_waits_at_s: float | None = None,
                        hold: bool = False) -> Sensor:
    from hiplevel.sim import simulate_session, write_chip_stream
    from hiplevel.virtual.backend import VirtualClient, VirtualScanner
    from hiplevel.virtual.process import VirtualDevice, VirtualDeviceConfig

    sim = simulate_session(sim_spec or default_virtual_patient())
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hiplevel-virtual-")))
    chip = write_chip_stream(sim, tmp / "patient.chip")
    faults = json.loads(os.environ.get(ENV_VIRTUAL_FAULTS, "{}"))
    device = VirtualDevice(VirtualDeviceConfig(
        chip_stream=chip, speed=speed, firmware_state_dir=flash, patient_waits_at_s=patient_waits_at_s,
        link_loss_s=tuple(tuple(w) for w in faults.get("link_loss", ())),
        i2c_fail_s=tuple(tuple(w) for w in faults.get("i2c_fail", ())),
        lead_limit_s=VIRTUAL_LEAD_S if hold else 0.0,
    ))
    if hold:
        device.hold()
    await stack.enter_async_context(device)
    sensor = await _open_ble(stack, None, VIRTUAL_TIMEOUT_S, VirtualScanner, VirtualClient, mtu)
    sensor.virtual, sensor.sim = device, sim
    return sensor
