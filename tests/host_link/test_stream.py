"""Sequence accounting: drops, duplicates, reordering, resends, wraps, restarts; never a wrong sample."""

from __future__ import annotations

import random

import numpy as np
import pytest

from hiplevel.protocol import Cmd, DataPacket, Flags, PacketType, Reply, ReplyStatus
from hiplevel.link.stream import Gap, SampleBlock, StreamAssembler

RATE_HZ = 100
PERIOD_US = 10_000


def value_of(seq: np.ndarray) -> np.ndarray:
    """The sample a test device puts in slot `seq`: recognisable, so a misplaced sample is caught."""
    seq = np.asarray(seq, dtype=np.int64)
    return np.stack([(seq * 7) % 30011 - 15000, (seq * 13) % 20011 - 10000], axis=1).astype(np.int16)


def packet(seq: int, n: int, t0_us: int = 0, flags: int = 0, seq0: int = 0) -> DataPacket:
    """A DATA_ROLL packet of slots seq..seq+n-1 (unwrapped), sent modulo 2^32 like the device."""
    samples = value_of(np.arange(seq, seq + n))
    samples.setflags(write=False)
    t = t0_us + (seq - seq0) * PERIOD_US
    return DataPacket(PacketType.DATA_ROLL, Flags(flags), RATE_HZ, seq % 2**32, t % 2**32, samples)


def run(asm: StreamAssembler, packets: list[DataPacket], finish: bool = True) -> list[SampleBlock | Gap]:
    out: list[SampleBlock | Gap] = []
    for p in packets:
        out += asm.push(p)
    if finish:
        out += asm.finish()
    return out


def check_in_order_and_right(items: list[SampleBlock | Gap], first_seq: int = 0, t0_us: int = 0) -> tuple[int, int]:
    """Assert released items tile the slots (unwrapped from 0) in order and every sample is the one
    of its slot (device slot = unwrapped + first_seq); returns (samples, lost slots)."""
    nxt, n_samples, n_lost = 0, 0, 0
    for it in items:
        if isinstance(it, Gap):
            assert it.first_seq == nxt and it.count > 0
            nxt += it.count
            n_lost += it.count
            continue
        assert it.seq == nxt
        np.testing.assert_array_equal(it.samples, value_of(it.seqs() + first_seq))
        np.testing.assert_array_equal(it.times_us(), t0_us + it.seqs() * PERIOD_US)
        nxt += it.count
        n_samples += it.count
    return n_samples, n_lost


def test_clean_stream_passes_through() -> None:
    asm = StreamAssembler()
    items = run(asm, [packet(s, 2) for s in range(0, 200, 2)])
    assert check_in_order_and_right(items) == (200, 0)
    assert (asm.stats.received, asm.stats.lost, asm.stats.duplicated) == (200, 0, 0)


def test_drop_then_resend_fills_gap_and_is_held_back_until_then() -> None:
    asm = StreamAssembler()
    out = run(asm, [packet(0, 2), packet(2, 2), packet(6, 2), packet(8, 2)], finish=False)
    assert check_in_order_and_right(out) == (4, 0)  # slots 6.. held back behind the gap
    assert asm.open_gaps == [(4, 2)]
    assert asm.to_wire_seq(4) == 4
    out += asm.push(packet(4, 2, flags=Flags.RESENT))
    out += asm.finish()
    assert check_in_order_and_right(out) == (10, 0)
    s = asm.stats
    assert (s.received, s.resent, s.lost, s.duplicated, s.gaps) == (10, 2, 0, 0, [])


def test_unfilled_gap_is_lost_at_finish_and_late_resend_is_too_late() -> None:
    asm = StreamAssembler()
    out = run(asm, [packet(0, 2), packet(5, 3)])
    assert check_in_order_and_right(out) == (5, 3)
    assert asm.stats.gaps == [(2, 3)] and asm.stats.lost == 3
    assert asm.push(packet(2, 2, flags=Flags.RESENT)) == []
    assert asm.stats.too_late == 2 and asm.stats.duplicated == 0


def test_gap_older_than_hold_window_is_released_as_lost() -> None:
    asm = StreamAssembler(max_hold_slots=10)
    out = run(asm, [packet(0, 2), packet(4, 2)] + [packet(s, 2) for s in range(6, 20, 2)], finish=False)
    assert isinstance(out[1], Gap) and out[1] == Gap(2, 2)
    assert check_in_order_and_right(out)[1] == 2


def test_gap_partly_older_than_window_keeps_its_newer_part_open() -> None:
    asm = StreamAssembler(max_hold_slots=5)
    out = run(asm, [packet(0, 1), packet(11, 1)], finish=False)
    # Slots 1..6 fell out of the 5-slot window behind slot 11; 7..10 may still be resent.
    assert asm.open_gaps == [(7, 4)] and asm.stats.gaps == [(1, 6)]
    out += run(asm, [packet(6, 5, flags=Flags.RESENT)])
    assert check_in_order_and_right(out) == (6, 6)
    assert (asm.stats.resent, asm.stats.too_late) == (4, 1)


def test_duplicates_are_dropped_and_counted() -> None:
    asm = StreamAssembler()
    out = run(asm, [packet(0, 4), packet(2, 4), packet(0, 2), packet(6, 2), packet(6, 2)])
    assert check_in_order_and_right(out) == (8, 0)
    assert asm.stats.duplicated == 2 + 2 + 2 and asm.stats.received == 8


def test_out_of_order_fresh_packet_fills_gap_as_late() -> None:
    asm = StreamAssembler()
    out = run(asm, [packet(0, 2), packet(4, 2), packet(2, 2), packet(6, 2)])
    assert check_in_order_and_right(out) == (8, 0)
    assert (asm.stats.late, asm.stats.resent) == (2, 0)


def test_resend_overlapping_received_and_missing_slots() -> None:
    asm = StreamAssembler()
    out = run(asm, [packet(0, 2), packet(3, 1), packet(6, 2), packet(0, 8, flags=Flags.RESENT)])
    assert check_in_order_and_right(out) == (8, 0)
    assert (asm.stats.resent, asm.stats.duplicated) == (3, 5)  # slots 2, 4, 5 were missing


def test_seq_and_time_wrap() -> None:
    start = 2**32 - 7
    t0 = 2**32 - 35_000
    asm = StreamAssembler()
    pkts = [packet(start + i, 2, t0_us=t0, seq0=start) for i in range(0, 20, 2)]
    pkts.insert(3, pkts.pop(1))  # reorder across the wrap
    out = run(asm, pkts)
    # Unwrapped: slot numbers continue past 2^32 and times past 2^32 us, evenly spaced.
    seqs = np.concatenate([b.seqs() for b in out if isinstance(b, SampleBlock)])
    times = np.concatenate([b.times_us() for b in out if isinstance(b, SampleBlock)])
    assert seqs.tolist() == list(range(20))
    assert times.tolist() == [t0 + i * PERIOD_US for i in range(20)]
    vals = np.concatenate([b.samples for b in out if isinstance(b, SampleBlock)])
    np.testing.assert_array_equal(vals, value_of(np.arange(start, start + 20)))
    assert asm.to_wire_seq(19) == (start + 19) % 2**32


def test_restart_by_start_continues_slots_without_gap() -> None:
    asm = StreamAssembler()
    first = [packet(s, 2) for s in range(0, 10, 2)]
    t_restart = 10 * PERIOD_US + 3_000_000  # START 3 s later, seq back to 0
    again = [DataPacket(PacketType.DATA_ROLL, Flags(0), RATE_HZ, s, t_restart + s * PERIOD_US, value_of(np.arange(s, s + 2)))
             for s in range(0, 6, 2)]
    out = run(asm, first + again)
    blocks = [b for b in out if isinstance(b, SampleBlock)]
    assert asm.stats.restarts == 1 and asm.stats.lost == 0
    assert np.concatenate([b.seqs() for b in blocks]).tolist() == list(range(16))
    assert blocks[-1].t_us == t_restart + 4 * PERIOD_US


def test_reboot_with_clock_reset_keeps_times_increasing() -> None:
    asm = StreamAssembler()
    out = run(asm, [packet(s, 2, t0_us=600_000_000) for s in range(0, 10, 2)] + [packet(s, 2, t0_us=50_000) for s in range(0, 4, 2)])
    times = np.concatenate([b.times_us() for b in out if isinstance(b, SampleBlock)])
    assert asm.stats.restarts == 1 and np.all(np.diff(times) > 0)


def test_resent_packet_with_wrong_time_is_dropped_not_merged() -> None:
    asm = StreamAssembler()
    run(asm, [packet(0, 2), packet(4, 2)], finish=False)
    bad = packet(2, 2, t0_us=5_000_000, flags=Flags.RESENT)
    assert asm.push(bad) == [] and asm.stats.inconsistent_packets == 1
    assert asm.open_gaps == [(2, 2)]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_faults_never_emit_a_wrong_sample(seed: int) -> None:
    """Drops, duplicates, reordering and resends at random: the released stream is always right and
    received + lost covers every slot exactly once."""
    rng = random.Random(seed)
    start = rng.choice([0, 2**32 - 300])
    n_slots = 3000
    sent = [packet(start + s, 4, seq0=start) for s in range(0, n_slots, 4)]
    arrived: list[DataPacket] = []
    for p in sent:
        r = rng.random()
        if r < 0.1:
            continue  # lost on air
        arrived.append(p)
        if r > 0.95:
            arrived.append(p)  # duplicated
    for i in range(0, len(arrived) - 1, 17):  # a few swaps
        arrived[i], arrived[i + 1] = arrived[i + 1], arrived[i]
    asm = StreamAssembler(max_hold_slots=400)
    out: list[SampleBlock | Gap] = []
    for i, p in enumerate(arrived):
        out += asm.push(p)
        if i % 50 == 49:  # the link asks for resends now and then; the device answers some
            for first, count in asm.open_gaps:
                if rng.random() < 0.7:
                    wire = asm.to_wire_seq(first)
                    unwrapped = start + ((wire - start) % 2**32)
                    out += asm.push(packet(unwrapped, count, seq0=start, flags=Flags.RESENT))
    out += asm.finish()
    n_samples, n_lost = 0, 0
    nxt = 0
    for it in out:
        if isinstance(it, Gap):
            assert it.first_seq == nxt
            n_lost += it.count
        else:
            assert it.seq == nxt
            # Slot 0 is the first packet that arrived; map back to the device's numbering.
            dev_seq = start + (np.array([asm.to_wire_seq(int(q)) for q in it.seqs()]) - start) % 2**32
            np.testing.assert_array_equal(it.samples, value_of(dev_seq))
            np.testing.assert_array_equal(it.times_us() - out_t0(out), (dev_seq - dev_seq0(out, asm, start)) * PERIOD_US)
            n_samples += it.count
        nxt += it.count
    s = asm.stats
    assert n_samples == s.received and n_lost == s.lost
    assert s.received + s.lost == asm.next_seq
    assert s.resent > 0 and s.duplicated > 0


def out_t0(out: list[SampleBlock | Gap]) -> int:
    return next(it.t_us - it.seq * PERIOD_US for it in out if isinstance(it, SampleBlock))


def dev_seq0(out: list[SampleBlock | Gap], asm: StreamAssembler, start: int) -> int:
    return start + (asm.to_wire_seq(0) - start) % 2**32


def _start_ok() -> Reply:
    return Reply(int(Cmd.START), 1, ReplyStatus.OK, 0, False, b"")


def test_packets_lost_right_after_start_are_a_gap_not_unknown() -> None:
    # The first two packets after START were lost on air: without the START reply the first slot
    # that arrives would become slot 0 and slots 0-3 would be unknown (found by the soak).
    asm = StreamAssembler()
    assert asm.push_reply(_start_ok()) == []
    run(asm, [packet(s, 2) for s in range(4, 20, 2)], finish=False)
    assert asm.open_gaps == [(0, 4)] and asm.to_wire_seq(0) == 0
    out = asm.push(packet(0, 4, flags=Flags.RESENT))  # what the RESEND of the gap brings back
    out += asm.finish()
    assert check_in_order_and_right(out) == (20, 0) and asm.stats.resent == 4


def test_start_mid_stream_counts_the_new_stream_from_its_slot_0() -> None:
    asm = StreamAssembler()
    out = run(asm, [packet(0, 2), packet(4, 2)], finish=False)  # slots 2-3 still open
    t_restart = 6 * PERIOD_US + 3_000_000
    asm.push_reply(_start_ok())
    # the new stream's first packet (wire seq 0-1) was lost: its wire seq 2 arrives first
    out += asm.push(DataPacket(PacketType.DATA_ROLL, Flags(0), RATE_HZ, 2, t_restart + 2 * PERIOD_US,
                               value_of(np.arange(2, 4))))
    assert asm.stats.restarts == 1
    assert asm.stats.gaps == [(2, 2)]  # START cleared the device's ring: the old gap is lost
    assert asm.open_gaps == [(6, 2)] and asm.to_wire_seq(6) == 0  # the new stream's slot 0
    out += asm.finish()
    assert sum(g.count for g in out if isinstance(g, Gap)) == 4


def test_a_start_that_failed_changes_nothing() -> None:
    asm = StreamAssembler()
    asm.push_reply(Reply(int(Cmd.START), 1, ReplyStatus.IMU_FAULT, 0, False, b""))
    run(asm, [packet(s, 2) for s in range(4, 10, 2)], finish=False)
    assert asm.open_gaps == [] and asm.to_wire_seq(0) == 4  # the first slot seen is slot 0, as before
