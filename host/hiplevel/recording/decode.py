"""Decoding of received packets (a recording, a replay or a live link) into sample series.

Output series are NaN-free: lost slots are *absent* and listed in `gaps` (unwrapped slot, count).
Times `t_s` are host seconds since the recording started (the recording header's monotonic origin),
obtained from device times through the fitted `ClockSync`, so samples and host events (exercise
labels, set boundaries) share one time base and stay aligned over an hour.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from hiplevel.link.clock_sync import ClockReport, ClockSync
from hiplevel.link.jitter import JitterMeter, JitterReport
from hiplevel.errors import ProtocolError
from hiplevel.link.base import Received
from hiplevel.protocol import (
    MAX_RATE_HZ,
    MIN_RATE_HZ,
    PROTOCOL_VERSION,
    SAMPLE_FIELDS,
    SAMPLE_SIZE_BYTES,
    Channel,
    Flags,
    PacketType,
    StatusPacket,
    acc_counts_to_g,
    cdeg_to_deg,
    decode_packet,
    decode_reply,
    gyro_counts_to_dps,
)
from hiplevel.recording.reader import Damage, Recording, RecordRun, read_recording
from hiplevel.samples import ImuSeries, RollSeries
from hiplevel.link.run_assembler import RunAssembler
from hiplevel.link.stream import RING_SLOTS, Gap, SampleBlock, StreamStats

log = logging.getLogger(__name__)
_RESENT = int(Flags.RESENT)
FRESH_RUN_PACKETS = 4096  # packets judged together at most (a packet out of the plain case costs a look at as many)


@dataclass(frozen=True)
class DecodedSession:
    """Everything decoded from one session.

    roll / imu: the DATA_ROLL / DATA_RAW samples (None if the session had none); their `meta` holds
        `seq` (unwrapped slot per sample), `flags` (uint8 per sample), `device_t_us`, `rate_hz` and
        `gaps`. gaps: lost slots (first_seq, count), unwrapped, over both kinds (one entry per loss).
    damage / torn_tail: the recording's unreadable bytes (`Recording.damage`, `torn_tail`), with
        origin_s, the host time of t = 0, to place them on the session clock (`damage_summary`).
    """

    roll: RollSeries | None
    imu: ImuSeries | None
    gaps: list[tuple[int, int]]
    stats: StreamStats
    packet_errors: dict[str, int]
    status: list[tuple[float, StatusPacket]]
    events: list[tuple[float, dict[str, Any]]]
    clock: ClockReport
    jitter: JitterReport
    metadata: dict[str, Any] = field(default_factory=dict)
    damage: tuple[Damage, ...] = ()
    torn_tail: Damage | None = None
    origin_s: float = 0.0
    gap_times: tuple[tuple[float, float], ...] | None = None

    def summary(self) -> dict[str, Any]:
        """Loss and timing figures as plain numbers (for the CLI and reports)."""
        s = self.stats
        expected = s.received + s.lost
        return {
            "samples": s.received, "lost": s.lost, "resent": s.resent, "late": s.late,
            "duplicated": s.duplicated, "too_late": s.too_late, "restarts": s.restarts,
            "inconsistent_packets": s.inconsistent_packets, "time_corrected": s.time_corrected, "seq_corrected": s.seq_corrected, "gaps": len(s.gaps),
            "loss_pct": 100.0 * s.lost / expected if expected else 0.0,
            "packet_errors": dict(self.packet_errors),
            "drift_ppm": self.clock.drift_ppm, "delay_p95_ms": self.clock.delay_p95_ms,
            "rate_hz": self.jitter.rate_hz, "jitter_rms_us": self.jitter.jitter_rms_us,
            "clock_steps_s": [round(st.size_s, 3) for st in self.clock.steps],
        }

    def damage_summary(self) -> dict[str, Any]:
        """The recording's damage as plain numbers: `damaged_bytes`, `regions` (offset, length,
        reason, from_s / to_s: session times of the valid records either side, None at an end,
        `samples_lost`: lost slots whose gap overlaps that span), `torn_tail_bytes`, and
        `samples_lost` over all regions. Empty regions and zeros for an undamaged file."""
        series = self.imu if self.imu is not None and len(self.imu) else self.roll
        seq = np.asarray(series.meta["seq"], float) if series is not None and len(series) > 1 else None
        if self.gap_times is not None:  # a recording decoded as a stream: the times found on the way
            spans = list(self.gap_times)
        elif seq is not None:
            spans = [tuple(np.interp([first - 1, first + count], seq, series.t_s)) for first, count in self.gaps]
        regions = []
        for d in self.damage:
            a = None if d.after_host_s is None else d.after_host_s - self.origin_s
            b = None if d.before_host_s is None else d.before_host_s - self.origin_s
            lost = 0
            if (seq is not None or self.gap_times is not None) and d.offset >= 0:  # -1: an event not JSON
                lo, hi = (-np.inf if a is None else a - 0.5), (np.inf if b is None else b + 0.5)
                for (_, count), (g0, g1) in zip(self.gaps, spans):
                    lost += count if g0 < hi and g1 > lo else 0
            regions.append({"offset": d.offset, "length": d.length, "reason": d.reason,
                            "from_s": None if a is None else round(a, 3), "to_s": None if b is None else round(b, 3),
                            "samples_lost": lost})
        tail = self.torn_tail.length if self.torn_tail is not None else 0
        return {"damaged_bytes": sum(d.length for d in self.damage) + tail, "regions": regions,
                "torn_tail_bytes": tail, "samples_lost": sum(r["samples_lost"] for r in regions)}


def decode_received(items: Iterable[Received], origin_s: float | None = None,
                    events: list[tuple[float, dict[str, Any]]] | None = None,
                    metadata: dict[str, Any] | None = None, max_hold_slots: int = RING_SLOTS) -> DecodedSession:
    """Decode received packets in arrival order. `origin_s`: host time of t = 0 (default: the first
    packet's receive time)."""
    released: list[SampleBlock | Gap] = []
    d = decode_stream(items, released.append, max_hold_slots)
    origin = origin_s if origin_s is not None else (d.first_t or 0.0)
    timebase = _Timebase.fit(released, d.clock, origin) if d.clock.ready else None
    roll, imu = _series(released, timebase, d.asm.stats.gaps) if timebase else (None, None)
    placed = [(timebase.event_s(t, e) if timebase else t, e) for t, e in (events or [])]
    return DecodedSession(roll, imu, list(d.asm.stats.gaps), d.asm.stats, dict(d.errors), d.status, placed,
                          d.clock.report(), d.jitter.report(), metadata or {})


@dataclass
class Decoding:
    """What `decode_stream` found besides the samples it handed on: the assembler (stats, gaps),
    the fitted clock and jitter, packet errors, status packets, the first receive time."""

    asm: RunAssembler
    clock: ClockSync
    jitter: JitterMeter
    errors: Counter
    status: list[tuple[float, StatusPacket]]
    first_t: float | None


def decode_stream(items: Iterable[Received], on_release: Callable[[SampleBlock | Gap], None],
                  max_hold_slots: int = RING_SLOTS) -> Decoding:
    """Decode received packets in arrival order, handing each `SampleBlock` and `Gap` the assembler
    releases to `on_release` (in stream order) instead of keeping them."""
    dec = StreamDecoder(on_release, max_hold_slots)
    for rx in items:
        dec.feed(rx)
    return dec.finish()


class StreamDecoder:
    """`decode_stream` one packet at a time: `feed(rx)`, then `finish()` for the `Decoding`."""

    def __init__(self, on_release: Callable[[SampleBlock | Gap], None], max_hold_slots: int = RING_SLOTS) -> None:
        self.on_release = on_release
        self.d = Decoding(RunAssembler(max_hold_slots=max_hold_slots), ClockSync(), JitterMeter(), Counter(), [],
                          None)

    def feed(self, rx: Received) -> None:
        d = self.d
        d.first_t = rx.host_time_s if d.first_t is None else d.first_t
        try:
            if rx.channel != 1:
                # replies are validated and counted; a START answered OK restarts the slot count
                for item in d.asm.push_reply(decode_reply(rx.data)):
                    self.on_release(item)
                return
            pkt = decode_packet(rx.data)
        except ProtocolError as exc:
            d.errors[type(exc).__name__] += 1
            log.debug("dropped packet %s: %s", rx.data.hex(), exc)
            return
        if isinstance(pkt, StatusPacket):
            d.status.append((rx.host_time_s, pkt))
            return
        asm = d.asm
        high_before = asm.next_seq
        for item in asm.push(pkt, rx.host_time_s):
            self.on_release(item)
        newest = asm.newest
        if not int(pkt.flags) & _RESENT and asm.next_seq > high_before and newest is not None:
            # Only fresh packets that extend the stream tell when a sample was taken (their last
            # one, just before sending); resent ones are late by design.
            d.clock.observe(newest[1], rx.host_time_s)
            d.jitter.observe(newest[0], newest[1])

    def feed_run(self, run: RecordRun, after: Callable[[], None] | None = None,
                 room: Callable[[], int] | None = None) -> None:
        """`feed` of each packet of a `RecordRun`, in order, to the bit: stretches of DATA packets that
        `RunAssembler.push_fresh_run` takes (the plain case: fresh, in order, nothing held back)
        go through numpy together, the clock and jitter fits too; any other packet through `feed`.
        after: called after each packet fed alone and each stretch; room: how many more samples
        the caller takes before `after` must see them, so that a stretch stops at the packet
        where per-packet feeding would first have reached it."""
        rows = run.rows
        k = len(rows)
        if not k:
            return
        d = self.d
        host = rows["host_time_s"]
        if d.first_t is None:
            d.first_t = float(host[0])
        ver, count, rate = rows["ver_type"], rows["count"], rows["rate_hz"]
        kind_of = {0x10 * PROTOCOL_VERSION | int(t): t for t in (PacketType.DATA_ROLL, PacketType.DATA_RAW)}
        fields = {t: len(SAMPLE_FIELDS[t]) for t in kind_of.values()}
        # stretches of packets of one kind, count and rate that `decode_packet` accepts
        size = np.zeros(k, dtype=np.int64)
        for v, t in kind_of.items():
            size[ver == v] = SAMPLE_SIZE_BYTES[t]
        valid = (size > 0) & (12 + count.astype(np.int64) * size == run.length) & (rate >= MIN_RATE_HZ) \
            & (rate <= MAX_RATE_HZ)
        key = np.where(valid, ver.astype(np.int64) << 16 | count.astype(np.int64) << 8 | rate, -1)
        cuts = np.flatnonzero(key[1:] != key[:-1]) + 1
        ends = np.append(cuts, k)
        asm = d.asm
        i = 0
        while i < k:
            if valid[i]:
                kind = kind_of[int(ver[i])]
                n_samples, hz = int(count[i]), int(rate[i])
                j = min(int(ends[np.searchsorted(ends, i, side="right")]), i + FRESH_RUN_PACKETS)
                if room is not None:
                    j = min(j, i + max(1, -(-room() // max(n_samples, 1))))
                part = rows[i:j]
                n, blocks, newest_seq, newest_t = asm.push_fresh_run(
                    kind, hz, n_samples, part["flags"], part["seq"], part["t_us"],
                    part["samples"].reshape(j - i, n_samples, fields[kind]) if n_samples else part["samples"],
                    host[i:j])
                if n:
                    for b in blocks:
                        self.on_release(b)
                    d.clock.observe_many(newest_t, host[i:i + n])
                    d.jitter.observe_many(newest_seq, newest_t)
                    i += n
                    if after is not None:
                        after()
                    continue
            self.feed(Received(Channel.DATA, run.packet(i), float(host[i])))
            i += 1
            if after is not None:
                after()

    def finish(self) -> Decoding:
        for item in self.d.asm.finish():
            self.on_release(item)
        self.d.clock.finish()
        return self.d


@dataclass(frozen=True)
class _Timebase:
    """The session clock of decoded series: the *device* sample clock (steady, the one the motion
    was sampled on), anchored so that its first sample sits at the host time it was taken
    (seconds since the recording's origin). Host-timed events are moved onto it through the inverse
    of the fitted clock mapping, or placed exactly when they carry the device time they refer to
    (`device_t_us`, e.g. the newest sample shown when a set was started). This keeps sample spacing
    free of host scheduling noise and stays right when device and host clocks run at very
    different rates (the virtual device running faster than real time)."""

    dev0_us: float
    t0_s: float
    host_per_dev: float  # host seconds per device second, from the clock fit

    @staticmethod
    def fit(released: list[SampleBlock | Gap], clock: ClockSync, origin_s: float) -> _Timebase | None:
        firsts = [b.times_us()[0] for b in released if isinstance(b, SampleBlock) and b.count]
        return _Timebase.at(float(min(firsts)), clock, origin_s) if firsts else None

    @staticmethod
    def at(dev0: float, clock: ClockSync, origin_s: float) -> _Timebase:
        """The timebase whose first sample is at device time dev0, us."""
        h0, h1 = (float(x) for x in clock.to_host_s(np.array([dev0, dev0 + 1e6])))
        return _Timebase(dev0, h0 - origin_s, max(h1 - h0, 1e-9))

    def series_s(self, t_us: np.ndarray) -> np.ndarray:
        return self.t0_s + (np.asarray(t_us, dtype=np.float64) - self.dev0_us) / 1e6

    def event_s(self, host_rel_s: float, event: dict[str, Any]) -> float:
        dev_us = event.get("device_t_us")
        if isinstance(dev_us, (int, float)):
            return float(self.series_s(np.array([dev_us]))[0])
        return self.t0_s + (host_rel_s - self.t0_s) / self.host_per_dev


def decode_recording(src: Recording | str | os.PathLike[str], max_hold_slots: int = RING_SLOTS) -> DecodedSession:
    """Decode a recording (or a path to one) into series, gaps and statistics."""
    rec = src if isinstance(src, Recording) else read_recording(src)
    rel_events = [(t - rec.origin_s, e) for t, e in rec.events]
    session = decode_received(rec.received(), origin_s=rec.origin_s, events=rel_events, metadata=rec.metadata,
                              max_hold_slots=max_hold_slots)
    return replace(session, damage=tuple(rec.damage), torn_tail=rec.torn_tail, origin_s=rec.origin_s)


def _series(released: list[SampleBlock | Gap], timebase: _Timebase,
            gaps: list[tuple[int, int]]) -> tuple[RollSeries | None, ImuSeries | None]:
    blocks = [b for b in released if isinstance(b, SampleBlock)]
    out: dict[PacketType, dict[str, np.ndarray]] = {}
    for kind in (PacketType.DATA_ROLL, PacketType.DATA_RAW):
        mine = [b for b in blocks if b.kind == kind]
        if not mine:
            continue
        t_us = np.concatenate([b.times_us() for b in mine])
        out[kind] = {
            "t_s": timebase.series_s(t_us),
            "samples": np.concatenate([b.samples for b in mine]),
            "seq": np.concatenate([b.seqs() for b in mine]),
            "flags": np.concatenate([np.full(b.count, int(b.flags), dtype=np.uint8) for b in mine]),
            "device_t_us": t_us,
            "rate_hz": np.concatenate([np.full(b.count, b.rate_hz, dtype=np.int16) for b in mine]),
        }
    roll = imu = None
    if PacketType.DATA_ROLL in out:
        d = out[PacketType.DATA_ROLL]
        roll = RollSeries(d["t_s"], cdeg_to_deg(d["samples"][:, 0]), cdeg_to_deg(d["samples"][:, 1]),
                          meta=_meta(d, gaps))
    if PacketType.DATA_RAW in out:
        d = out[PacketType.DATA_RAW]
        imu = ImuSeries(d["t_s"], acc_counts_to_g(d["samples"][:, :3]), gyro_counts_to_dps(d["samples"][:, 3:]),
                        meta=_meta(d, gaps))
    return roll, imu


def _meta(d: dict[str, np.ndarray], gaps: list[tuple[int, int]]) -> dict[str, Any]:
    rates = d["rate_hz"]
    return {"seq": d["seq"], "flags": d["flags"], "device_t_us": d["device_t_us"],
            "rate_hz": int(np.bincount(rates).argmax()) if len(rates) else 0, "gaps": list(gaps)}
