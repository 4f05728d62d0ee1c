"""Fresh DATA packets, in arrival order, turned into samples for the live view, pure.

The live view wants each sample as soon as it arrives, never held back behind a gap (the recorder's
`StreamAssembler` waits for RESEND to fill gaps; live feedback cannot). So this feed takes only
fresh packets that move the stream forward: resent, late and duplicate packets are skipped (the
link and a recorder still account for them), and slots that did not arrive in time count as
"live loss". Device times are unwrapped (u32 microseconds) and given in seconds since the first
sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.protocol import (
    SEQ_MODULUS,
    T_US_MODULUS,
    DataPacket,
    PacketType,
    acc_counts_to_g,
    cdeg_to_deg,
    gyro_counts_to_dps,
)

_HALF_SEQ = SEQ_MODULUS // 2
_HALF_T_US = T_US_MODULUS // 2
US_PER_S = 1_000_000


@dataclass(frozen=True)
class LiveSamples:
    """Samples of one fresh packet. t_s: (N,) device time, s since the feed's first sample.
    roll_deg/pitch_deg: (N,) device fusion, absolute (not tared), deg, for DATA_ROLL packets;
    acc_g/gyro_dps: (N, 3) body frame for DATA_RAW packets (the other pair is None).
    host_time_s: when the packet arrived (host monotonic clock, s). missed_slots: slots skipped
    just before this packet (lost on air or not yet resent)."""

    t_s: np.ndarray
    host_time_s: float
    flags: int
    missed_slots: int = 0
    roll_deg: np.ndarray | None = None
    pitch_deg: np.ndarray | None = None
    acc_g: np.ndarray | None = None
    gyro_dps: np.ndarray | None = None

    @property
    def raw(self) -> bool:
        return self.acc_g is not None

    def __len__(self) -> int:
        return len(self.t_s)


class LiveFeed:
    """Takes DATA packets as they arrive; `push` returns the samples that move the stream forward
    (None for resent, late or duplicate packets). Counts live loss in sample slots."""

    def __init__(self) -> None:
        self._next_wire_seq: int | None = None
        self._first_t_us: int | None = None
        self._last_wire_t_us = 0
        self._last_t_us = 0  # unwrapped
        #: slots that reached the feed on time / that were skipped (never shown live).
        self.shown_slots = 0
        self.missed_slots = 0
        #: packets skipped because they were resent, late or duplicated.
        self.skipped_packets = 0

    @property
    def loss_pct(self) -> float:
        """Live loss: skipped slots over all slots since the first sample, %."""
        total = self.shown_slots + self.missed_slots
        return 100.0 * self.missed_slots / total if total else 0.0

    def push(self, pkt: DataPacket, host_time_s: float) -> LiveSamples | None:
        """One DATA packet as it arrived (host monotonic time, s)."""
        if pkt.count == 0:
            return None
        missed = 0
        if self._next_wire_seq is not None:
            ahead = (pkt.seq - self._next_wire_seq) % SEQ_MODULUS
            if pkt.resent or ahead >= _HALF_SEQ:
                self.skipped_packets += 1
                return None
            missed = ahead
        t_us = self._unwrap_t_us(pkt.t_us)
        if self._first_t_us is None:
            self._first_t_us = t_us
        self._next_wire_seq = (pkt.seq + pkt.count) % SEQ_MODULUS
        self.shown_slots += pkt.count
        self.missed_slots += missed
        period = pkt.period_us
        t_s = (t_us - self._first_t_us + np.arange(pkt.count, dtype=np.int64) * period) / US_PER_S
        self._last_t_us = t_us + (pkt.count - 1) * period
        self._last_wire_t_us = self._last_t_us % T_US_MODULUS
        s = pkt.samples
        if pkt.type == PacketType.DATA_RAW:
            return LiveSamples(t_s, host_time_s, int(pkt.flags), missed,
                               acc_g=acc_counts_to_g(s[:, 0:3]), gyro_dps=gyro_counts_to_dps(s[:, 3:6]))
        return LiveSamples(t_s, host_time_s, int(pkt.flags), missed,
                           roll_deg=cdeg_to_deg(s[:, 0]), pitch_deg=cdeg_to_deg(s[:, 1]))

    def _unwrap_t_us(self, wire_t_us: int) -> int:
        if self._first_t_us is None:
            return wire_t_us
        delta = (wire_t_us - self._last_wire_t_us) % T_US_MODULUS
        if delta >= _HALF_T_US:  # earlier than the last sample: a clock restart; keep time moving
            delta = 0
        return self._last_t_us + delta
