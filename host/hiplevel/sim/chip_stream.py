"""The chip stream file (`*.chip`, docs/virtual-device.md): what the MPU6050's sensing elements
output at 1 kHz in the chip frame, after the DLPF and before the register quantisation, which the
simulated chip applies by its own configured ranges."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hiplevel.sim.imu_model import DEFAULT_MOUNT_AXES, axes_matrix
from hiplevel.sim.motion import FS_INTERNAL_HZ
from hiplevel.sim.spec import SimSession

CHIP_MAGIC = b"HLCHIP1\n"
CHIP_HEADER = struct.Struct("<8sII")
CHIP_RECORD_DTYPE = np.dtype("<f4")
CHIP_FIELDS = ("ax_g", "ay_g", "az_g", "gx_dps", "gy_dps", "gz_dps", "temp_c")


@dataclass(frozen=True)
class ChipStream:
    """A chip stream: rate_hz and (N, 7) float32 records (CHIP_FIELDS, chip frame)."""

    rate_hz: int
    records: np.ndarray


def chip_records(sim: SimSession, mount_axes: list[str] | tuple[str, ...] = DEFAULT_MOUNT_AXES) -> np.ndarray:
    """(N, 7) float32 chip-frame records of a simulated session (N = 1 kHz samples).

    mount_axes: the board's mount as the firmware config states it, body axis i = chip axis
    mount_axes[i] (with sign); the sensor frame (body + mount offset) is mapped to the chip frame."""
    a = axes_matrix(mount_axes)
    rec = np.empty((len(sim.sensor_1k), 7), dtype=np.float32)
    rec[:, 0:3] = sim.sensor_1k.acc_g @ a
    rec[:, 3:6] = sim.sensor_1k.gyro_dps @ a
    rec[:, 6] = sim.temp_c
    return rec


def write_chip_stream(sim: SimSession, path: str | Path, mount_axes: list[str] | tuple[str, ...] = DEFAULT_MOUNT_AXES) -> Path:
    """Write the session's 1 kHz chip stream to `path` (little-endian, see docs/virtual-device.md)."""
    rec = chip_records(sim, mount_axes)
    path = Path(path)
    with path.open("wb") as fh:
        fh.write(CHIP_HEADER.pack(CHIP_MAGIC, int(FS_INTERNAL_HZ), len(rec)))
        fh.write(rec.astype(CHIP_RECORD_DTYPE).tobytes())
    return path


def read_chip_stream(path: str | Path) -> ChipStream:
    """Read a chip stream file; ValueError if the magic or the length is wrong."""
    data = Path(path).read_bytes()
    if len(data) < CHIP_HEADER.size:
        raise ValueError(f"{path}: too short for a chip stream header")
    magic, rate, n = CHIP_HEADER.unpack_from(data)
    if magic != CHIP_MAGIC:
        raise ValueError(f"{path}: bad magic {magic!r}")
    body = data[CHIP_HEADER.size :]
    if len(body) != n * 7 * 4:
        raise ValueError(f"{path}: header says {n} records, body holds {len(body) / 28:.1f}")
    return ChipStream(rate, np.frombuffer(body, dtype=CHIP_RECORD_DTYPE).reshape(n, 7).copy())
