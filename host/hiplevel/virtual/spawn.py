"""The virtual device's body: its flash folder, the key it was paired with, its USB cable (a pty)
and the `micropython vdevice.py CONFIG.json` process (docs/virtual-device.md)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import termios
import tty
from pathlib import Path
from typing import Final

from hiplevel import paths
from hiplevel.virtual.config import VirtualDeviceConfig, micropython_executable

DEVICE_KEY_FILE: Final[str] = "auth.key"  # firmware/app.py KEY_FILE: the device key on its flash


def new_flash(folder: Path) -> Path:
    """A new virtual device's flash in `folder` (created): the `*.json` files of `firmware/`, as a
    board has them after `hiplevel flash`."""
    folder.mkdir(parents=True)
    for f in paths.firmware_dir().glob("*.json"):
        shutil.copy(f, folder / f.name)
    return folder


def provision_key(flash: Path, config: VirtualDeviceConfig, address: str) -> bytes:
    """Put a key on the device's flash before it boots, as a belt paired at flashing time has it
    (`hiplevel pair --port` does the same over USB), and keep it in this process's key ring, so a
    BleLink here authenticates as the paired clinic computer. Returns the key."""
    from hiplevel.link.auth import known_keys, new_key

    key = config.key if config.key is not None else new_key()
    (flash / DEVICE_KEY_FILE).write_bytes(key)
    tail = address.split(":")[-2:]
    known_keys().add(f"hiplevel-{tail[0]}{tail[1]}".lower(), key)
    return key


def usb_cable() -> tuple[int, int]:
    """A raw pty pair (master, slave): the device process inherits the master as its UART, the
    slave's name is the port a host opens. A host closing the port does not hang up the cable for
    the next one, and a full port (nobody reading) loses bytes rather than block the device."""
    master, slave = os.openpty()
    tty.setraw(slave)
    attrs = termios.tcgetattr(slave)
    attrs[2] &= ~termios.HUPCL
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    os.set_blocking(master, False)
    return master, slave


async def spawn(config: VirtualDeviceConfig, flash: Path, config_path: Path, usb_master: int) -> asyncio.subprocess.Process:
    """Start the firmware on MicroPython with the stand-ins, its pipe on stdin/stdout; closes this
    process's copy of `usb_master`."""
    config_path.write_text(json.dumps(config.to_json(flash, usb_fd=usb_master)))
    env = dict(os.environ)
    # `.frozen` first: the unix port keeps asyncio there and MICROPYPATH replaces its default.
    env["MICROPYPATH"] = os.pathsep.join([".frozen", str(paths.firmware_dir()), str(paths.stand_ins_dir())])
    try:
        return await asyncio.create_subprocess_exec(
            micropython_executable(), str(paths.stand_ins_dir() / "vdevice.py"), str(config_path),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=env, cwd=str(flash), pass_fds=(usb_master,),
        )
    finally:
        os.close(usb_master)  # the device process has its own copy
