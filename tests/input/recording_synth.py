"""Recordings of simulated sessions, as the recorder writes them, with faults put in on purpose.

`write_recording(sim, path)` encodes the simulator's 6-axis samples as the device sends them (DATA_RAW
packets of 5 samples, wire counts, device clock in us) arriving at the host 4-9 ms after their last
sample, with a `set_start`/`set_end` event around each simulated set (carrying the device time of
the newest sample, as `capture` writes them). Faults: `lose` drops the packets of a time span (a
link outage, nothing resent), `edit` rewrites one packet's bytes (a flipped bit), and
`corrupt_bytes` overwrites a stretch of the finished file (storage damage).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from hiplevel.link.base import Received
from hiplevel.protocol import Channel, PacketType, encode_data_packet
from hiplevel.recording import RecordingWriter
from hiplevel.sim import SimSession

PER_PACKET = 5
ORIGIN_S = 5000.0  # host monotonic clock at the start of the recording
DEVICE_T0_US = 3_000_000


class _Clock:
    def __init__(self) -> None:
        self.t = ORIGIN_S

    def __call__(self) -> float:
        return self.t


def wire_samples(sim: SimSession) -> np.ndarray:
    """The session's samples in wire counts (1/4096 g, 1/32 deg/s), int16, (N, 6)."""
    acc = np.clip(np.round(sim.imu.acc_g * 4096), -32768, 32767)
    gyro = np.clip(np.round(sim.imu.gyro_dps * 32), -32768, 32767)
    return np.column_stack([acc, gyro]).astype(np.int16)


def write_recording(sim: SimSession, path: Path, lose: tuple[tuple[float, float], ...] = (),
                    edit: dict[int, Callable[[bytearray], None]] | None = None, seed: int = 0) -> Path:
    """Write `sim` as a recording at `path`. lose: (start_s, end_s) spans whose packets never
    arrive; edit: {packet number: function that changes its bytes in place}."""
    rng = np.random.default_rng(seed)
    rate = int(round(sim.spec.rate_hz))
    period_us = int(round(1e6 / rate))
    samples = wire_samples(sim)
    n = len(samples) // PER_PACKET * PER_PACKET
    edit = edit or {}
    clock = _Clock()
    bounds = [(number, s.exercise, s.start_s, s.end_s) for number, s in enumerate(sim.sets, 1)]
    marks = sorted([(start, "set_start", i, ex) for i, ex, start, _ in bounds]
                   + [(end, "set_end", i, ex) for i, ex, _, end in bounds])
    with RecordingWriter(path, {"patient_id": "P-SYN", "session_id": "S-SYN"}, clock=clock, fsync=False) as w:
        w.write_meta(stream_mode="raw")
        for k, first in enumerate(range(0, n, PER_PACKET)):
            t_last = (first + PER_PACKET - 1) / rate
            clock.t = ORIGIN_S + t_last + 0.004 + 0.005 * float(rng.random())
            while marks and marks[0][0] <= t_last:
                _, kind, number, exercise = marks.pop(0)
                newest_us = DEVICE_T0_US + (first - 1) * period_us
                w.write_event(kind, exercise=exercise, set=number, side="left", device_t_us=newest_us)
            if any(a <= t_last and first / rate <= b for a, b in lose):
                continue
            pkt = bytearray(encode_data_packet(PacketType.DATA_RAW, 0, rate, first, DEVICE_T0_US + first * period_us,
                                               samples[first:first + PER_PACKET]))
            if k in edit:
                edit[k](pkt)
            w.write_received(Received(Channel.DATA, bytes(pkt), clock.t))
        for _, kind, number, exercise in marks:
            w.write_event(kind, exercise=exercise, set=number, side="left")
    return path


def flip_bit(byte: int, bit: int) -> Callable[[bytearray], None]:
    """An `edit` that flips one bit of one byte of a packet (header: seq at bytes 4-7, t_us at 8-11)."""
    def apply(pkt: bytearray) -> None:
        pkt[byte] ^= 1 << bit
    return apply


def corrupt_bytes(path: Path, offset: int, length: int, seed: int = 1) -> None:
    """Overwrite `length` bytes of the file from `offset` with random bytes (storage damage)."""
    data = bytearray(path.read_bytes())
    data[offset:offset + length] = np.random.default_rng(seed).integers(0, 256, length, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
