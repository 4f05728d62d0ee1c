"""Sequence accounting of the sample stream: unwraps `seq` and `t_us`, drops duplicates, holds samples
back while an earlier gap may still be filled by a RESEND, and releases samples strictly in slot
order, each with its unwrapped sequence number and device time.

Rules (docs/protocol.md, "Host decoding rules"): a slot received twice is a duplicate (dropped and
counted); a slot below the highest one received that was missing fills its gap (counted as resent
when the packet has the RESENT flag, as late otherwise); a jump forward opens a gap. A gap that
stays open for more than `max_hold_slots` slots behind the newest one, or at `finish()`, is declared
lost and released as a `Gap`. A packet whose device time disagrees with its slot (by more than
`time_tolerance_*`) is never merged into the current stream: a RESENT one is dropped and counted as
inconsistent; a fresh one (fresh packets arrive in order) starts a new stream (START reset `seq`,
or the device rebooted): open gaps are declared lost and its slots continue after the old ones;
if the device clock restarted too, its times are spliced after the last one by the time the host
saw pass (one period without host times).

Host receive times (`push(packet, host_time_s)`) are a sanity check on device time: a fresh packet
whose device time leaves its slot's prediction by more than the host clock allows, while its slot
agrees with the host clock, has a corrupted time (one flipped bit can move it by hours): it is
placed at its slot's time and counted in `time_corrected`, instead of starting a new stream that
would shift every later sample. Likewise a fresh packet whose slot lies further ahead than the host
clock allows (a corrupted seq: one flipped bit once declared millions of slots lost) is placed by
its device time when that agrees with the host clock (`seq_corrected`). Lost slots are listed once per loss: a long loss declared lost in
parts, as the window moves past it, is one entry of `stats.gaps`.

After a START answered OK (`push_reply`), slots count from the new stream's wire seq 0, so slots
lost before the first packet that arrives are a gap (resendable), not unknown.

`link.run_assembler.RunAssembler` adds the batched path: runs of plain packets taken together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hiplevel.protocol import SEQ_MODULUS, T_US_MODULUS, Cmd, DataPacket, Flags, PacketType, Reply, ReplyStatus

_RESENT = int(Flags.RESENT)  # a plain int: IntFlag's & builds an enum member each time
RING_SLOTS = 2048  # the device ring buffer: older slots cannot be resent (docs/protocol.md)
_HALF_WRAP = 1 << 31
# How far a packet's device-time advance may differ from the host time that passed since the newest
# packet and still count as agreeing: delivery jitter (BLE intervals, host scheduling), plus a share
# of the elapsed time (clock drift, queues), s. A flipped bit of t_us >= 2^19 us (0.5 s) is caught.
HOST_AGREE_S = 0.25
HOST_AGREE_FRACTION = 0.1
# How far a packet's slot may run ahead of the host time that passed before its seq counts as
# corrupted: generous, since a packet delivered late as the anchor makes the host time look short, s.
HOST_AHEAD_S = 2.0


@dataclass(frozen=True, eq=False)
class SampleBlock:
    """Consecutive samples released in order: slot `seq` (unwrapped) onwards, first at device time
    `t_us` (unwrapped, microseconds), spaced by `period_us`; `samples` int16 wire counts."""

    kind: PacketType
    seq: int
    t_us: int
    rate_hz: int
    period_us: int
    flags: Flags
    samples: np.ndarray

    @property
    def count(self) -> int:
        return int(self.samples.shape[0])

    def seqs(self) -> np.ndarray:
        return np.arange(self.seq, self.seq + self.count, dtype=np.int64)

    def times_us(self) -> np.ndarray:
        return self.t_us + np.arange(self.count, dtype=np.int64) * self.period_us


@dataclass(frozen=True)
class Gap:
    """Slots declared lost: `count` slots from unwrapped `first_seq`."""

    first_seq: int
    count: int


@dataclass
class StreamStats:
    """Counts of sample slots (not packets) unless named otherwise."""

    received: int = 0  # unique slots delivered (fresh, late and resent)
    resent: int = 0  # of `received`, slots that filled a gap from a RESENT packet
    late: int = 0  # of `received`, slots that filled a gap without the RESENT flag
    duplicated: int = 0  # slots that arrived again and were dropped
    lost: int = 0  # slots declared lost (released as Gap)
    too_late: int = 0  # slots that arrived after their gap was declared lost (dropped)
    inconsistent_packets: int = 0  # packets whose time disagreed with their seq (dropped)
    time_corrected: int = 0  # fresh packets whose device time disagreed with their slot and the host clock
    seq_corrected: int = 0  # fresh packets whose slot ran ahead of the host clock (corrupted seq), placed by time
    restarts: int = 0  # stream restarts (seq reset by START)
    gaps: list[tuple[int, int]] = field(default_factory=list)  # lost (first_seq, count), in order

    def as_dict(self) -> dict:
        return {k: (list(map(list, v)) if k == "gaps" else v) for k, v in self.__dict__.items()}


class StreamAssembler:
    """Turns DATA packets (any order, duplicates, resends, wraps) into an in-order stream of
    `SampleBlock` and `Gap` items. `push(packet)` returns the items it released.

    max_hold_slots: how far (slots) the newest slot may run ahead of an open gap before that gap is
        declared lost; the default is the device ring size, beyond which RESEND cannot help.
        0 releases immediately (no waiting for resends).
    time_tolerance_frac, time_tolerance_us: allowed disagreement between a packet's device time
        and the time predicted from its slot, as a fraction of the time between them plus a
        constant, microseconds (the MPU6050 sample clock and the ESP32 clock drift apart by <~2 %).
    """

    def __init__(self, max_hold_slots: int = RING_SLOTS, time_tolerance_frac: float = 0.05,
                 time_tolerance_us: int = 20_000) -> None:
        self.max_hold_slots = max_hold_slots
        self.time_tolerance_frac = time_tolerance_frac
        self.time_tolerance_us = time_tolerance_us
        self.stats = StreamStats()
        self._seq_offset = 0  # unwrapped seq = raw seq + offset (changes on restart)
        self._prev_seq_offset: int | None = None  # the offset before the last restart
        self._t_offset = 0  # added to device t_us; changes only when a rebooted device's clock restarts
        self._anchor: tuple[int, int, int] | None = None  # (seq, t_us, period_us) of newest slot
        self._anchor_host_s: float | None = None  # host receive time of the packet that set the anchor
        self._next_release = 0
        self._high = 0  # one past the highest slot seen
        self._pending: dict[int, SampleBlock] = {}
        self._open: list[list[int]] = []  # open gaps [first, count], sorted, within [_next_release, _high)
        self._started = False  # START was answered: the next fresh packet counts from wire seq 0

    @property
    def open_gaps(self) -> list[tuple[int, int]]:
        """Gaps still waiting for a resend: (unwrapped first_seq, count), oldest first."""
        return [(a, n) for a, n in self._open]

    @property
    def newest(self) -> tuple[int, int] | None:
        """(unwrapped slot, unwrapped device time us) of the newest slot seen, None before any."""
        return None if self._anchor is None else (self._anchor[0], self._anchor[1])

    @property
    def next_seq(self) -> int:
        """Unwrapped slot after the newest one seen."""
        return self._high

    def to_wire_seq(self, seq: int) -> int:
        """Unwrapped slot -> the device's seq (mod 2^32) of the current stream, e.g. for RESEND."""
        return (seq - self._seq_offset) % SEQ_MODULUS

    def push_reply(self, reply: Reply) -> list[SampleBlock | Gap]:
        """Account for a reply, in arrival order with the packets: a START answered OK means the
        device counts slots from wire seq 0 again (docs/protocol.md), so the slots before the
        first packet that arrives are a gap to resend, never unknown. Returns what it releases."""
        if reply.cmd == Cmd.START and reply.status == ReplyStatus.OK and not reply.more:
            self._started = True
        return []

    def push(self, pkt: DataPacket, host_time_s: float | None = None) -> list[SampleBlock | Gap]:
        """Account for one DATA packet and return what it releases, in slot order. host_time_s:
        when the host received it (s, any origin), the sanity check on device-time jumps."""
        if pkt.count == 0:
            return []
        if self._started and not int(pkt.flags) & _RESENT:
            return self._push_stream_start(pkt, host_time_s)
        placed = self._place(pkt, host_time_s)
        if placed is None:
            self.stats.inconsistent_packets += 1
            return []
        out: list[SampleBlock | Gap] = []
        seq, t_us, restart = placed
        if restart:
            out += self._restart(pkt, seq, t_us)
            seq, t_us = self._high, t_us
        anchor = self._anchor
        self._merge(pkt, seq, t_us)
        if self._anchor is not anchor:
            self._anchor_host_s = host_time_s
        self._release(out, force_before=self._high - self.max_hold_slots)
        return out

    def _push_stream_start(self, pkt: DataPacket, host_time_s: float | None) -> list[SampleBlock | Gap]:
        """The first fresh packet after START: its wire seq counts from the stream's slot 0."""
        self._started = False
        out: list[SampleBlock | Gap] = []
        raw_t = pkt.t_us + self._t_offset
        if self._anchor is None:
            self._seq_offset = 0
            seq, t_us = pkt.seq, raw_t
        else:
            # START cleared the device's ring: what is still open can no longer be resent.
            self._release(out, force_before=self._high)
            self.stats.restarts += 1
            self._prev_seq_offset = None  # a real restart: the old numbering never comes back
            self._seq_offset = self._high
            seq = self._high + pkt.seq
            a_t = self._anchor[1]
            t_us = a_t + self._wrap_delta(raw_t - a_t)  # the device clock runs on through START
        self._merge(pkt, seq, t_us)
        self._anchor_host_s = host_time_s
        self._release(out, force_before=self._high - self.max_hold_slots)
        return out

    def finish(self) -> list[SampleBlock | Gap]:
        """Declare every open gap lost and release everything held back."""
        out: list[SampleBlock | Gap] = []
        self._release(out, force_before=self._high)
        return out

    # --- placement: unwrap seq and time, detect restarts and inconsistent packets -----------------
    def _place(self, pkt: DataPacket, host_time_s: float | None) -> tuple[int, int, bool] | None:
        raw_t = pkt.t_us + self._t_offset
        if self._anchor is None:
            self._seq_offset = -pkt.seq  # the first slot seen becomes slot 0
            return 0, raw_t, False
        a_seq, a_t, a_period = self._anchor
        d_seq = (pkt.seq - self.to_wire_seq(a_seq)) % SEQ_MODULUS
        if d_seq >= _HALF_WRAP:
            d_seq -= SEQ_MODULUS
        seq = a_seq + d_seq
        period = pkt.period_us if pkt.period_us == a_period or d_seq > 0 else a_period
        predicted = a_t + d_seq * period
        t_us = predicted + self._wrap_delta(raw_t - predicted)
        newest_t = a_t + self._wrap_delta(raw_t - a_t)
        host_dt = None
        if host_time_s is not None and self._anchor_host_s is not None and not int(pkt.flags) & _RESENT:
            host_dt = host_time_s - self._anchor_host_s
        # Device time of this packet's last sample by its t_us and by its slot, against the host clock.
        last = (pkt.count - 1) * period
        by_time, by_slot = (newest_t + last - a_t) / 1e6, (predicted + last - a_t) / 1e6
        if host_dt is not None and d_seq > 0 and by_slot > host_dt + HOST_AHEAD_S + HOST_AGREE_FRACTION * abs(host_dt) \
                and self._agrees(by_time, host_dt) and newest_t > a_t:
            # A slot further ahead than the host saw time pass cannot be (a sample is sent after it
            # is taken): a corrupted seq. Its time agrees with the host: place it by its time.
            slot = a_seq + max(1, int(round((newest_t - a_t) / a_period)))
            self.stats.seq_corrected += 1
            if self._prev_seq_offset is not None and (slot - self._prev_seq_offset) % SEQ_MODULUS == pkt.seq:
                # It continues the numbering from before the last restart: that "restart" was one
                # packet whose seq was corrupted downwards. The stream goes on as it was.
                self._seq_offset, self._prev_seq_offset = self._prev_seq_offset, None
                self.stats.restarts -= 1
            return slot, newest_t, False
        if abs(t_us - predicted) <= self.time_tolerance_us + self.time_tolerance_frac * abs(d_seq * period):
            return seq, t_us, False
        if pkt.period_us != a_period and d_seq > 0:
            return seq, t_us, False  # a rate change: the prediction used the wrong period
        if int(pkt.flags) & _RESENT:
            return None  # a resent sample must match its slot exactly; never guess
        if host_dt is not None and d_seq > 0 and not self._agrees(by_time, host_dt) and self._agrees(by_slot, host_dt):
            self.stats.time_corrected += 1  # a corrupted t_us: its slot agrees with the host clock
            return seq, predicted, False
        # Fresh packets arrive in order, so a fresh packet that does not fit is a new stream.
        if newest_t <= a_t:
            # The device rebooted and its clock restarted: splice its times after ours, by the
            # time the host saw pass, so the pause shows as a gap.
            pause_us = int(round(host_dt * 1e6)) if host_dt is not None else 0
            shift = a_t + max(a_period, pause_us) - newest_t
            self._t_offset += shift
            newest_t += shift
        return seq, newest_t, True

    @staticmethod
    def _agrees(device_dt_s: float, host_dt_s: float) -> bool:
        """Could the device clock have advanced `device_dt_s` while the host saw `host_dt_s` pass?"""
        return abs(device_dt_s - host_dt_s) <= HOST_AGREE_S + HOST_AGREE_FRACTION * abs(host_dt_s)

    @staticmethod
    def _wrap_delta(delta: int) -> int:
        delta %= T_US_MODULUS
        return delta - T_US_MODULUS if delta >= _HALF_WRAP else delta

    def _restart(self, pkt: DataPacket, seq: int, t_us: int) -> list[SampleBlock | Gap]:
        out: list[SampleBlock | Gap] = []
        self._release(out, force_before=self._high)
        self.stats.restarts += 1
        self._prev_seq_offset = self._seq_offset
        self._seq_offset = self._high - pkt.seq  # slots continue after the old stream, no gap
        return out

    # --- merging into pending slots ---------------------------------------------------------------
    def _merge(self, pkt: DataPacket, seq: int, t_us: int) -> None:
        n = pkt.count
        end = seq + n
        period = pkt.period_us
        # Slots already released: duplicates, or too late if their gap was declared lost.
        below = min(end, self._next_release) - seq
        if below > 0:
            lost_overlap = self._overlap_with_lost(seq, seq + below)
            self.stats.too_late += lost_overlap
            self.stats.duplicated += below - lost_overlap
        # Slots inside [next_release, high): fill open gaps, the rest are duplicates.
        lo, hi = max(seq, self._next_release), min(end, self._high)
        if hi > lo:
            filled = 0
            new_open: list[list[int]] = []
            for g_first, g_count in self._open:
                g_end = g_first + g_count
                a, b = max(g_first, lo), min(g_end, hi)
                if a >= b:
                    new_open.append([g_first, g_count])
                    continue
                self._store(pkt, seq, t_us, period, a, b)
                filled += b - a
                if a > g_first:
                    new_open.append([g_first, a - g_first])
                if g_end > b:
                    new_open.append([b, g_end - b])
            self._open = new_open
            self.stats.duplicated += (hi - lo) - filled
            self.stats.received += filled
            if int(pkt.flags) & _RESENT:
                self.stats.resent += filled
            else:
                self.stats.late += filled
        # Slots beyond the newest: a jump forward opens a gap.
        start = max(seq, self._high)
        if end > start:
            if start > self._high:
                self._open.append([self._high, start - self._high])
            self._store(pkt, seq, t_us, period, start, end)
            self.stats.received += end - start
            if int(pkt.flags) & _RESENT:
                self.stats.resent += end - start
            self._high = end
            self._anchor = (end - 1, t_us + (end - 1 - seq) * period, period)

    def _store(self, pkt: DataPacket, seq: int, t_us: int, period: int, a: int, b: int) -> None:
        block = SampleBlock(pkt.type, a, t_us + (a - seq) * period, pkt.rate_hz, period, pkt.flags,
                            pkt.samples[a - seq : b - seq])
        self._pending[a] = block

    def _overlap_with_lost(self, a: int, b: int) -> int:
        total = 0
        for first, count in reversed(self.stats.gaps):
            if first + count <= a:
                break
            total += max(0, min(b, first + count) - max(a, first))
        return total

    # --- release ----------------------------------------------------------------------------------
    def _release(self, out: list[SampleBlock | Gap], force_before: int) -> None:
        while self._next_release < self._high:
            block = self._pending.pop(self._next_release, None)
            if block is not None:
                out.append(block)
                self._next_release += block.count
                continue
            first, count = self._open[0]
            assert first == self._next_release, "pending blocks and open gaps must tile the window"
            if first >= force_before:
                return
            n_lost = min(count, force_before - first)
            if n_lost < count:  # the newer part of the gap may still be resent
                self._open[0] = [first + n_lost, count - n_lost]
            else:
                self._open.pop(0)
            self.stats.lost += n_lost
            prev = self.stats.gaps[-1] if self.stats.gaps else None
            if prev is not None and prev[0] + prev[1] == first:
                self.stats.gaps[-1] = (prev[0], prev[1] + n_lost)  # the same loss, declared in parts
            else:
                self.stats.gaps.append((first, n_lost))
            out.append(Gap(first, n_lost))
            self._next_release += n_lost
