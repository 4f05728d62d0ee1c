"""A device (broken or hostile) that sends partial replies without end cannot grow the host's
memory: replies to no pending request are not assembled, and partial ones are capped."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc

import pytest

import hiplevel.protocol as P
from hiplevel.errors import ChunkError
from hiplevel.link.base import Link
from hiplevel.protocol import Channel, Cmd, ReplyStatus

CHUNK_BYTES = 500
FLOOD = 20_000  # 10 MB of partial replies, every (cmd, token) pair a few times over


class _QuietLink(Link):
    """A transport that sends nowhere: the test plays the device through `_deliver`."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[bytes] = []

    async def _send_packet(self, packet: bytes) -> None:
        self.sent.append(packet)

    async def _close(self) -> None:
        return None


def _flood(link: Link, spare: tuple[int, int] | None = None) -> None:
    """Partial replies to every (cmd, token) pair but `spare`."""
    body = bytes(CHUNK_BYTES)
    for i in range(FLOOD):
        if (i % 256, (i // 256) % 256) == spare:
            continue
        link._deliver(Channel.REPLY, P.encode_reply(i % 256, (i // 256) % 256, 0, body, 0, more=True))
        while not link._queue.empty():  # the consumer keeps up with the stream
            link._queue.get_nowait()


def _retained_bytes(fn) -> int:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fn()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before


async def test_endless_partial_replies_do_not_grow_memory() -> None:
    link = _QuietLink()
    retained = _retained_bytes(lambda: _flood(link))
    assert retained < 1_000_000, f"{retained} bytes kept after {FLOOD * CHUNK_BYTES} bytes of partial replies"
    assert link.unsolicited_replies == FLOOD


async def test_a_pending_request_still_gets_its_chunked_reply_through_a_flood() -> None:
    link = _QuietLink()
    task = asyncio.create_task(link.request(Cmd.GET_CALIB, timeout_s=5.0))
    while not link.sent:
        await asyncio.sleep(0)  # let the request register and send
    token = link.sent[0][1]
    text = b'{"version": 1, "calib_id": "x"}'
    link._deliver(Channel.REPLY, P.encode_reply(Cmd.GET_CALIB, token, 0, text[:10], 0, more=True))
    _flood(link, spare=(Cmd.GET_CALIB, token))
    link._deliver(Channel.REPLY, P.encode_reply(Cmd.GET_CALIB, token, 0, text[10:], 1, more=False))
    reply = await task
    assert reply.status == ReplyStatus.OK and reply.payload == text


def test_reply_assembler_holds_a_bounded_number_of_partial_replies() -> None:
    asm = P.ReplyAssembler()
    for i in range(FLOOD):
        asm.feed(P.Reply(i % 256, (i // 256) % 256, ReplyStatus.OK, 0, True, bytes(CHUNK_BYTES)))
    assert len(asm.pending()) <= 16
    assert asm.pending_bytes() <= 16 * CHUNK_BYTES
    with pytest.raises(ChunkError):  # one reply cannot grow past the size limit either
        for i in range(100):
            asm.feed(P.Reply(1, 1, ReplyStatus.OK, i, True, bytes(1024)))
