"""Sample-by-sample comparison of a faulty soak session with the fault-free one, and memory slopes.

The virtual device is deterministic given its chip stream: a raw sample's value depends only on its
device time. So every slot the faulty session's device produced (slot 0 at START to its last slot
at STOP, from its own DIAG report) has a known value in the fault-free run, and each one is either
received with that value, or missing: counted when the recording declares it lost (a gap), and
uncounted otherwise. A received sample with another value, or at a device time the device never
sampled, is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from hiplevel.errors import ProtocolError
from hiplevel.protocol import DataPacket, Flags, decode_packet
from hiplevel.recording import decode_recording, read_recording
from hiplevel.recording.decode import DecodedSession

from bench.soak_plan import SoakFaults
from bench.soak_run import SoakRun

T_US_MODULUS = 1 << 32


@dataclass(frozen=True)
class Samples:
    """Raw samples of a decoded recording by device time: t_us (int64, sorted), values (N, 6)
    (accel g, gyro deg/s as decoded), seq (unwrapped slot), and the decoded session."""

    t_us: np.ndarray
    values: np.ndarray
    seq: np.ndarray
    session: DecodedSession


def samples_of(run: SoakRun) -> Samples:
    """Decode the run's recording the way `hiplevel analyze` does."""
    session = decode_recording(run.recording)
    imu = session.imu
    if imu is None or not len(imu):
        empty = np.zeros(0, dtype=np.int64)
        return Samples(empty, np.zeros((0, 6)), empty, session)
    t = np.asarray(imu.meta["device_t_us"], dtype=np.int64)
    order = np.argsort(t, kind="stable")
    values = np.column_stack([imu.acc_g, imu.gyro_dps])[order]
    return Samples(t[order], values, np.asarray(imu.meta["seq"], dtype=np.int64)[order], session)


def _data_packets(rec) -> Iterator[tuple[Any, DataPacket]]:
    """The DATA packets of a recording's data channel that decode, with how each was received."""
    for rx in rec.received():
        if rx.channel != 1:
            continue
        try:
            pkt = decode_packet(rx.data)
        except ProtocolError:
            continue
        if isinstance(pkt, DataPacket):
            yield rx, pkt


def slot0_time_us(run: SoakRun, period_us: int) -> int:
    """Device time of the stream's slot 0 (START), from any DATA packet of the recording:
    t_us - seq * period (the virtual device's clock starts at 0, so no 2^32 wrap before it)."""
    for _, pkt in _data_packets(read_recording(run.recording)):
        if pkt.count:
            return (pkt.t_us - pkt.seq * period_us) % T_US_MODULUS
    raise ValueError(f"{run.recording}: no DATA packet")


@dataclass(frozen=True)
class Comparison:
    """Counts of sample slots of the faulty session.

    expected: slots the device produced (START to STOP). received: of those, received.
    lost_counted / lost_uncounted: missing slots inside / outside a declared gap.
    declared_lost: slots the recording declares lost (decoder's count); over_declared: declared
    lost but received or outside the session. wrong: received with another value than the
    fault-free run; phantom: received at a device time the device never sampled.
    resent: slots that came back through RESEND. uncounted_at: device times (s) of the first
    uncounted slots, to look at. missing_s: device times (s) of every missing slot.
    time_base_error_s: `first_sample_time_error_s` of the session.
    """

    expected: int
    received: int
    lost_counted: int
    lost_uncounted: int
    declared_lost: int
    over_declared: int
    wrong: int
    phantom: int
    resent: int
    gaps: int
    restarts: int
    uncounted_at: tuple[float, ...]
    missing_s: np.ndarray
    time_base_error_s: float


def compare(reference: Samples, run: SoakRun, samples: Samples, period_us: int) -> Comparison:
    """Compare a faulty session with the fault-free reference (whose window must cover it)."""
    t0 = slot0_time_us(run, period_us)
    expected_t = t0 + np.arange(run.final_seq + 1, dtype=np.int64) * period_us
    missing_ref = np.setdiff1d(expected_t, reference.t_us, assume_unique=True)
    if len(missing_ref):
        raise ValueError(f"the reference run does not cover the session: {len(missing_ref)} slots, first at "
                         f"{missing_ref[0] / 1e6:.2f} s")
    got = samples.t_us
    in_window = np.isin(got, expected_t)
    phantom = int(np.count_nonzero(~in_window))
    ref_idx = np.searchsorted(reference.t_us, got[in_window])
    wrong = int(np.count_nonzero(np.any(reference.values[ref_idx] != samples.values[in_window], axis=1)))
    missing = np.setdiff1d(expected_t, got, assume_unique=True)
    # Declared gaps are in the decoder's unwrapped slots: place them on the device clock through
    # the received samples (t = a + seq * period within one stream).
    gap_t = np.zeros(0, dtype=np.int64)
    if len(got):
        a = samples.t_us - samples.seq * period_us
        anchor = int(a[0])
        gap_t = np.concatenate([anchor + np.arange(first, first + count, dtype=np.int64) * period_us
                                for first, count in samples.session.gaps] or [gap_t])
    counted = np.isin(missing, gap_t)
    over = int(np.count_nonzero(~np.isin(gap_t, missing)))
    stats = samples.session.stats
    return Comparison(
        expected=len(expected_t), received=int(np.count_nonzero(in_window)),
        lost_counted=int(np.count_nonzero(counted)), lost_uncounted=int(np.count_nonzero(~counted)),
        declared_lost=int(stats.lost), over_declared=over, wrong=wrong, phantom=phantom,
        resent=int(stats.resent), gaps=len(stats.gaps), restarts=int(stats.restarts),
        uncounted_at=tuple(float(t) / 1e6 for t in missing[~counted][:10]), missing_s=missing / 1e6,
        time_base_error_s=first_sample_time_error_s(run, samples))


RECOVERY_SLACK_S = 5.0  # after a disconnect or pause: reconnecting and resending take virtual time too
IN_FLIGHT_S = 1.0  # before a disconnect: packets sent as the link went down
IMU_RETRY_SLACK_S = 1.0  # after an I2C fault: the firmware retries the IMU every 0.5 s


def missing_by_cause(c: Comparison, faults: SoakFaults, start_s: float) -> dict[str, int]:
    """Missing slots by the fault they fall in (plan times count from `start_s`, virtual s):
    I2C faults (never sampled), disconnects and host pauses (what the ring no longer held),
    and the rest (drops or corruption whose resends failed too)."""
    t = c.missing_s - start_s
    i2c = np.zeros(len(t), dtype=bool)
    for a, b in faults.i2c_fail_s:
        i2c |= (t >= a) & (t < b + IMU_RETRY_SLACK_S)
    away = np.zeros(len(t), dtype=bool)
    for a, d in (*faults.air.link_loss_s, *faults.device_link_loss_s, *faults.host_pauses):
        away |= (t >= a - IN_FLIGHT_S) & (t < a + d + RECOVERY_SLACK_S)
    away &= ~i2c
    return {"in I2C faults": int(i2c.sum()), "in disconnects and pauses": int(away.sum()),
            "elsewhere": int(len(t) - i2c.sum() - away.sum())}


def slope_per_hour(t_s: np.ndarray, values: np.ndarray) -> float:
    """Least-squares slope of values against time, per hour (NaN with fewer than 3 points)."""
    t_s, values = np.asarray(t_s, dtype=float), np.asarray(values, dtype=float)
    if len(t_s) < 3 or np.ptp(t_s) == 0:
        return float("nan")
    return float(np.polyfit(t_s / 3600.0, values, 1)[0])


def device_memory(run: SoakRun, warmup_s: float = 120.0) -> tuple[np.ndarray, np.ndarray]:
    """(stream time s, live heap bytes after a collection) of the device's DIAG reports while
    streaming, after `warmup_s`."""
    t = np.array([d["t_ms"] / 1000.0 - run.start_virtual_s for d in run.diag])
    alloc = np.array([d["mem_alloc"] for d in run.diag], dtype=float)
    keep = t >= warmup_s
    return t[keep], alloc[keep]


FLOOR_WINDOW_S = 300.0  # host memory: the lowest sample of each 5 min, so a passing backlog of
# packets (after a pause or a reconnect) does not read as growth; a leak raises the floor


def host_memory(run: SoakRun, warmup_s: float = 120.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(stream time s, traced Python bytes, RSS bytes) after `warmup_s`: the floor (lowest
    sample) of each FLOOR_WINDOW_S window, at that sample's time."""
    m = np.array(run.host_mem, dtype=float).reshape(-1, 3)
    m = m[m[:, 0] >= warmup_s]
    rows = []
    for w in np.unique(m[:, 0] // FLOOR_WINDOW_S):
        part = m[m[:, 0] // FLOOR_WINDOW_S == w]
        rows.append([part[np.argmin(part[:, 1]), 0], part[:, 1].min(), part[:, 2].min()])
    f = np.array(rows).reshape(-1, 3)
    return f[:, 0], f[:, 1], f[:, 2]


def first_sample_time_error_s(run: SoakRun, samples: Samples) -> float:
    """Session time the decoder gives the first fresh packet's first sample minus the time that
    packet arrived (both s since the recording's origin): how far a host clock step moved the
    session's time base (the samples sit on the device clock, anchored by the clock fit)."""
    rec = read_recording(run.recording)
    imu = samples.session.imu
    if imu is None or not len(imu):
        return float("nan")
    dev_t = np.asarray(imu.meta["device_t_us"], dtype=np.int64)
    for rx, pkt in _data_packets(rec):
        if pkt.count and not pkt.flags & Flags.RESENT:
            hit = np.flatnonzero(dev_t == pkt.t_us)
            if len(hit):
                return float(imu.t_s[hit[0]]) - (rx.host_time_s - rec.origin_s)
    return float("nan")
