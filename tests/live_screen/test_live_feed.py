"""The live feed: fresh packets to samples at once, resent/late/duplicate skipped, live loss, wraps."""

import numpy as np
import pytest

from hiplevel.live_screen.feed import LiveFeed
from hiplevel.protocol import Flags, PacketType, decode_packet, encode_data_packet

RATE_HZ = 100
PERIOD_US = 10_000


def roll_pkt(seq: int, t_us: int, rolls_cdeg: list[int], flags: int = 0):
    samples = np.array([[r, -r] for r in rolls_cdeg])
    return decode_packet(encode_data_packet(PacketType.DATA_ROLL, flags, RATE_HZ, seq, t_us, samples))


def test_roll_samples_come_out_at_once_in_degrees_with_device_times():
    feed = LiveFeed()
    a = feed.push(roll_pkt(0, 5_000_000, [100, 250]), host_time_s=1.0)
    b = feed.push(roll_pkt(2, 5_020_000, [-600]), host_time_s=1.02)
    assert a is not None and b is not None and not a.raw
    np.testing.assert_allclose(a.t_s, [0.0, 0.01])
    np.testing.assert_allclose(a.roll_deg, [1.0, 2.5])
    np.testing.assert_allclose(a.pitch_deg, [-1.0, -2.5])
    np.testing.assert_allclose(b.t_s, [0.02])
    assert b.host_time_s == 1.02 and feed.loss_pct == 0.0


def test_a_gap_is_not_waited_for_and_counts_as_live_loss():
    feed = LiveFeed()
    feed.push(roll_pkt(0, 0, [0] * 5), 0.0)
    after_gap = feed.push(roll_pkt(10, 10 * PERIOD_US, [0] * 5), 0.1)
    assert after_gap is not None and after_gap.missed_slots == 5
    np.testing.assert_allclose(after_gap.t_s[0], 0.10)
    assert feed.missed_slots == 5 and feed.shown_slots == 10
    assert feed.loss_pct == pytest.approx(100 * 5 / 15)


def test_resent_late_and_duplicate_packets_are_skipped():
    feed = LiveFeed()
    feed.push(roll_pkt(0, 0, [0] * 5), 0.0)
    feed.push(roll_pkt(10, 10 * PERIOD_US, [0] * 5), 0.1)
    assert feed.push(roll_pkt(5, 5 * PERIOD_US, [0] * 5, flags=Flags.RESENT), 0.2) is None  # resend of the gap
    assert feed.push(roll_pkt(5, 5 * PERIOD_US, [0] * 5), 0.2) is None  # late, without the flag
    assert feed.push(roll_pkt(10, 10 * PERIOD_US, [0] * 5), 0.2) is None  # duplicate
    assert feed.skipped_packets == 3
    nxt = feed.push(roll_pkt(15, 15 * PERIOD_US, [0]), 0.3)
    assert nxt is not None and nxt.missed_slots == 0


def test_seq_and_device_clock_wraps_keep_time_going_forward():
    feed = LiveFeed()
    t0 = (1 << 32) - 15_000  # device clock 15 ms before its u32 wrap
    seq0 = (1 << 32) - 1
    a = feed.push(roll_pkt(seq0, t0, [0, 0]), 0.0)
    b = feed.push(roll_pkt((seq0 + 2) % (1 << 32), (t0 + 2 * PERIOD_US) % (1 << 32), [0, 0]), 0.02)
    assert a is not None and b is not None
    np.testing.assert_allclose(np.concatenate([a.t_s, b.t_s]), [0.0, 0.01, 0.02, 0.03])
    assert feed.missed_slots == 0


def test_raw_packets_give_acceleration_in_g_and_rate_in_deg_per_s():
    feed = LiveFeed()
    raw = np.array([[0, 0, 4096, 32, -64, 0], [2048, 0, 4096, 0, 0, 320]])
    pkt = decode_packet(encode_data_packet(PacketType.DATA_RAW, 0, RATE_HZ, 0, 0, raw))
    s = feed.push(pkt, 0.0)
    assert s is not None and s.raw and s.roll_deg is None
    np.testing.assert_allclose(s.acc_g, [[0, 0, 1], [0.5, 0, 1]])
    np.testing.assert_allclose(s.gyro_dps, [[1, -2, 0], [0, 0, 10]])
