"""The batched path of the stream assembler: runs of plain DATA packets (fresh, in order, nothing
held back: what `recording.decode.StreamDecoder.feed_run` finds in a recording) accounted for
together through numpy, with the results of `StreamAssembler.push` packet by packet to the bit
(tests/long/test_vectorized_decode.py compares the two on recordings with every kind of fault).
"""

from __future__ import annotations

import numpy as np

from hiplevel.link.stream import _HALF_WRAP, HOST_AGREE_FRACTION, HOST_AGREE_S, HOST_AHEAD_S, SampleBlock, StreamAssembler
from hiplevel.protocol import SEQ_MODULUS, T_US_MODULUS, Flags, PacketType, period_us


class RunAssembler(StreamAssembler):
    """A `StreamAssembler` that also takes runs of plain packets at once (`push_fresh_run`)."""

    def push_fresh_run(self, kind: PacketType, rate_hz: int, count: int, flags: np.ndarray, seq: np.ndarray,
                       t_us: np.ndarray, samples: np.ndarray, host_time_s: np.ndarray
                       ) -> tuple[int, list[SampleBlock], np.ndarray, np.ndarray]:
        """`push` of the leading packets of a run (one kind, rate and sample count; wire flags, seq,
        t_us as arrays, samples (k, count, fields), host receive times) for as long as each one is
        the plain case: fresh, the slot right after the newest, its device time within tolerance of
        its slot's, nothing held back (no open gap, no START pending), the anchor's period. Those
        `push` would append and release at once; here they are taken together, to the bit (stats,
        anchor, released blocks: consecutive ones of equal flags joined into one). Returns how many
        were taken (0: let `push` judge the first), the blocks, and each taken packet's newest slot
        and device time (what `newest` says after it)."""
        none = (0, [], np.empty(0, np.int64), np.empty(0, np.int64))
        if (self._anchor is None or self._started or self._open or self._pending or count <= 0
                or self._next_release != self._high or not len(seq)):
            return none
        a_seq, a_t, a_period = self._anchor
        period = period_us(rate_hz)
        if period != a_period:
            return none
        flags = np.asarray(flags, dtype=np.int64)
        wire = np.asarray(seq, dtype=np.int64)
        raw = np.asarray(t_us, dtype=np.int64) + self._t_offset
        k = len(wire)
        ok = (flags & int(Flags.RESENT)) == 0
        ok[0] &= bool(wire[0] == (self.to_wire_seq(a_seq) + 1) % SEQ_MODULUS)
        ok[1:] &= wire[1:] == (wire[:-1] + count) % SEQ_MODULUS
        t = np.empty(k, dtype=np.int64)
        t[0] = a_t + self._wrap_delta(int(raw[0]) - a_t)
        step = (np.diff(raw) + _HALF_WRAP) % T_US_MODULUS - _HALF_WRAP  # _wrap_delta
        np.cumsum(step, out=t[1:])
        t[1:] += t[0]
        last = (count - 1) * period
        anchor_t = np.empty(k, dtype=np.int64)
        anchor_t[0], anchor_t[1:] = a_t, t[:-1] + last
        predicted = anchor_t + period
        ok &= np.abs(t - predicted) <= self.time_tolerance_us + self.time_tolerance_frac * abs(period)
        host = np.asarray(host_time_s, dtype=np.float64)
        host_dt = np.empty(k, dtype=np.float64)
        host_dt[1:] = host[1:] - host[:-1]
        if self._anchor_host_s is None:
            host_dt[0] = np.nan  # no host check: the conditions below are False, as without one
        else:
            host_dt[0] = host[0] - self._anchor_host_s
        by_slot = (period + last) / 1e6
        by_time = (t + last - anchor_t) / 1e6
        # `_place`'s corrupted-seq case (tested before the tolerance): never the plain case
        ok &= ~((by_slot > host_dt + HOST_AHEAD_S + HOST_AGREE_FRACTION * np.abs(host_dt))
                & (np.abs(by_time - host_dt) <= HOST_AGREE_S + HOST_AGREE_FRACTION * np.abs(host_dt))
                & (t > anchor_t))
        n = k if ok.all() else int(np.argmin(ok))
        if n == 0:
            return none
        first = a_seq + 1
        slots = first + np.arange(n, dtype=np.int64) * count
        t, flags = t[:n], flags[:n]
        # released blocks: a new one where the flags change or the device time leaves the period
        cut = np.flatnonzero((flags[1:] != flags[:-1]) | (t[1:] != t[:-1] + count * period)) + 1
        bounds = [0, *cut.tolist(), n]
        blocks = []
        for a, b in zip(bounds[:-1], bounds[1:]):
            part = np.array(samples[a:b], dtype=np.int16).reshape((b - a) * count, -1)
            part.setflags(write=False)
            blocks.append(SampleBlock(kind, int(slots[a]), int(t[a]), rate_hz, period, Flags(int(flags[a])), part))
        self.stats.received += n * count
        end = first + n * count
        self._high = self._next_release = end
        newest_t = t + last
        self._anchor = (end - 1, int(newest_t[-1]), period)
        self._anchor_host_s = float(host[n - 1])
        return n, blocks, slots + (count - 1), newest_t
