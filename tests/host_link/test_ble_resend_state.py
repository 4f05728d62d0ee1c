"""The BLE link's RESEND bookkeeping over a long session, without a radio: a link whose device
answers every RESEND at once (the resent samples first, then the reply, as the firmware does).
What the link remembers about gaps must not grow with the session: an hour of drops leaves no
trace once every gap is filled (found by the soak, bench/soak.py: the host's memory grew)."""

from __future__ import annotations

import asyncio

import numpy as np

from hiplevel.link.base import host_now_s
from hiplevel.link.ble_link import BleLink
from hiplevel.protocol import Channel, Cmd, Flags, PacketType, Reply, ReplyStatus, encode_data_packet

RATE_HZ = 100
PERIOD_US = 10_000
PER_PACKET = 5


def _packet(seq: int, n: int, flags: int = 0) -> bytes:
    samples = np.stack([np.arange(seq, seq + n), -np.arange(seq, seq + n)], axis=1) % 30_000
    return encode_data_packet(PacketType.DATA_ROLL, flags, RATE_HZ, seq, seq * PERIOD_US, samples)


class AnsweringLink(BleLink):
    """A connected BleLink whose device resends whatever is asked, at once."""

    def __init__(self) -> None:
        super().__init__("AA:BB:CC:DD:1A:2B")
        self.connected.set()
        self.asked: list[tuple[int, int]] = []

    async def _resend(self, first: int, count: int) -> Reply:
        self.asked.append((first, count))
        self._handle((Channel.DATA, _packet(first, count, Flags.RESENT), host_now_s()))
        body = first.to_bytes(4, "little") + count.to_bytes(2, "little")
        return Reply(int(Cmd.RESEND), 0, ReplyStatus.OK, 0, False, body)


async def test_filled_gaps_leave_no_resend_state_behind() -> None:
    link = AnsweringLink()
    n_packets = 1400  # 70 s at 100 Hz, every 7th packet lost on air
    for k in range(n_packets):
        if k % 7 != 3:
            link._handle((Channel.DATA, _packet(k * PER_PACKET, PER_PACKET), host_now_s()))
        while link._resend_busy():  # the device answers at once: let each RESEND run its course
            await asyncio.sleep(0)
    stats = link.finish_accounting()
    assert len(link.asked) == n_packets // 7 + (n_packets % 7 > 3)  # one RESEND per lost packet
    assert stats.lost == 0 and stats.resent == len(link.asked) * PER_PACKET
    assert link.assembler.open_gaps == []
    # Every gap is filled: nothing about them is kept (before the fix: one entry per gap ever seen).
    assert link._resend_tries == {}
