"""The virtual device: the real firmware (`firmware/`) on the MicroPython unix port, with stand-ins
for `machine` and `bluetooth` (`mp/`), a simulated MPU6050 fed by the motion simulator, and bleak
backends that reach it (docs/virtual-device.md).

    async with VirtualDevice(VirtualDeviceConfig(chip_stream=path, speed=20.0)) as dev:
        link = await BleLink(dev.address, backend=VirtualClient).open()

Importing this package starts nothing; a device process runs only inside `VirtualDevice`.
"""

from hiplevel.virtual.backend import VirtualClient, VirtualScanner
from hiplevel.virtual.config import DeviceGoneError, VirtualDeviceConfig
from hiplevel.virtual.faults import AirFaults, AirStats
from hiplevel.virtual.process import VirtualDevice
from hiplevel.virtual.registry import find_device, running_devices

__all__ = [
    "AirFaults", "AirStats", "DeviceGoneError", "VirtualClient", "VirtualDevice", "VirtualDeviceConfig",
    "VirtualScanner", "find_device", "running_devices",
]
