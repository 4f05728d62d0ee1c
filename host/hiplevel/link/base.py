"""The transport interface every link (BLE, serial, replay, virtual) implements.

In the style of bleak's notification handling: the producer side (a BLE notify callback, a serial
read thread, a replay task) only timestamps the bytes and queues them; the consumer iterates
`async for rx in link` and gets one `Received(channel, data, host_time_s)` per packet, in arrival
order, until the link disconnects or closes (a `None` sentinel on the queue ends the iteration).
Replies are also routed to `request()` callers, matched by (cmd, token), without being removed from
the stream, so a recorder still sees every byte that arrived. On a link with an authenticated
`session` (link/auth.py) `request()` signs the state-changing commands itself, so callers never
see the difference.

Host times are `time.monotonic()` seconds (`host_now_s`), one clock for the whole process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiplevel.errors import ChunkError, CommandFailedError, CommandTimeoutError, LinkClosedError, ProtocolError
from hiplevel.protocol import (SIGNED_COMMANDS, Channel, DataPacket, Reply, ReplyAssembler, ReplyStatus, StatusPacket,
                               decode_packet, decode_reply, encode_command, split_command)

if TYPE_CHECKING:
    from hiplevel.link.auth import HostSession

log = logging.getLogger(__name__)

DEFAULT_COMMAND_TIMEOUT_S = 2.0
# Default ATT MTU 23 minus the 3-byte ATT header: the smallest packet any link must accept.
DEFAULT_MAX_PACKET_BYTES = 20


def host_now_s() -> float:
    """Host receive clock: `time.monotonic()`, seconds."""
    return time.monotonic()


@dataclass(frozen=True, slots=True)
class Received:
    """One packet as it arrived: logical channel (DATA or REPLY), the exact bytes, and the host
    monotonic time (s) at which the transport handed them over."""

    channel: Channel
    data: bytes
    host_time_s: float


class Link(ABC):
    """Base of all transports. Subclasses implement `_send_packet` and `_close` and call
    `_deliver` (event-loop thread) or `_deliver_threadsafe` (other threads) for each received
    packet and `_deliver_end` once when the link goes away."""

    #: largest command packet the transport carries in one write (ATT_MTU - 3 on BLE).
    max_packet_bytes: int = DEFAULT_MAX_PACKET_BYTES

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Received | None] = asyncio.Queue()
        self._assembler = ReplyAssembler()
        self._waiters: dict[tuple[int, int], asyncio.Future[Reply]] = {}
        self._next_token = 0
        self._ended = False
        self._closed = False
        #: replies that could not be decoded or assembled (still delivered raw to the stream).
        self.bad_replies = 0
        #: replies to no pending request (delivered raw to the stream, not assembled).
        self.unsolicited_replies = 0
        #: called with (packet, host_time_s) for every command packet sent, e.g. by a recorder.
        self.sent_listeners: list[Callable[[bytes, float], None]] = []
        #: the authenticated session of this connection (BLE), or None (USB, or none yet).
        self.session: HostSession | None = None
        # Signed commands leave in counter order: signing and sending happen under this lock.
        self._sign_lock = asyncio.Lock()

    # --- producer side ---------------------------------------------------------------------------
    def _deliver(self, channel: int, data: bytes, host_time_s: float | None = None) -> None:
        """Queue one received packet (call from the event-loop thread)."""
        if self._ended:
            return
        t = host_now_s() if host_time_s is None else host_time_s
        rx = Received(Channel(channel), bytes(data), t)
        self._queue.put_nowait(rx)
        if rx.channel == Channel.REPLY:
            self._route_reply(rx.data)

    def _deliver_threadsafe(self, loop: asyncio.AbstractEventLoop, channel: int, data: bytes, host_time_s: float) -> None:
        """Queue one packet from a thread that is not the event loop's (time taken by the caller)."""
        loop.call_soon_threadsafe(self._deliver, channel, data, host_time_s)

    def _deliver_end(self) -> None:
        """Mark the end of the stream (disconnect or close); pending requests fail."""
        if self._ended:
            return
        self._ended = True
        self._queue.put_nowait(None)
        for fut in self._waiters.values():
            if not fut.done():
                fut.set_exception(LinkClosedError("link ended while waiting for a reply"))
        self._waiters.clear()

    def _route_reply(self, data: bytes) -> None:
        try:
            reply = decode_reply(data)
        except ProtocolError as exc:
            self.bad_replies += 1
            log.warning("dropped reply %s: %s", data.hex(), exc)
            return
        if (reply.cmd, reply.token) not in self._waiters:
            # Nobody asked: the bytes are on the stream already; assembling them would only let
            # a device fill the host's memory with partial replies nobody will collect.
            self.unsolicited_replies += 1
            return
        try:
            reply = self._assembler.feed(reply)
        except ChunkError as exc:
            self.bad_replies += 1
            log.warning("dropped reply %s: %s", data.hex(), exc)
            return
        if reply is None:
            return
        fut = self._waiters.pop((reply.cmd, reply.token), None)
        if fut is not None and not fut.done():
            fut.set_result(reply)

    # --- consumer side ---------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Packets received and not yet taken by the consumer."""
        return self._queue.qsize()

    def __aiter__(self) -> AsyncIterator[Received]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Received]:
        while True:
            item = await self._queue.get()
            if item is None:
                return
            yield item

    async def receive(self, timeout_s: float | None = None) -> Received | None:
        """Next packet, or None at the end of the stream; `asyncio.TimeoutError` after `timeout_s`."""
        return await asyncio.wait_for(self._queue.get(), timeout_s)

    @property
    def ended(self) -> bool:
        """True once the link disconnected or was closed (no more packets will be queued)."""
        return self._ended

    # --- commands --------------------------------------------------------------------------------
    async def send_command(self, cmd: int, token: int, payload: bytes = b"", chunk: int = 0, more: bool = False) -> None:
        """Send one command packet as is (no reply wait)."""
        await self.send_packet(encode_command(cmd, token, payload, chunk, more))

    async def send_packet(self, packet: bytes) -> None:
        """Send one already-encoded command packet on the command channel."""
        if self._ended or self._closed:
            raise LinkClosedError("link is closed")
        # Listeners hear of the packet before it leaves, so a recorder logs a command before its reply.
        t = host_now_s()
        for listener in self.sent_listeners:
            listener(bytes(packet), t)
        await self._send_packet(packet)

    def new_token(self) -> int:
        """A token (0..255) not used by a request still waiting for its reply."""
        for _ in range(256):
            self._next_token = (self._next_token + 1) & 0xFF
            if all(tok != self._next_token for _, tok in self._waiters):
                return self._next_token
        raise CommandFailedError("256 requests pending, no free token", status=int(ReplyStatus.BUSY))

    async def request(
        self, cmd: int, payload: bytes = b"", timeout_s: float = DEFAULT_COMMAND_TIMEOUT_S, check: bool = True
    ) -> Reply:
        """Send a command (in chunks if needed) and wait for its complete reply.

        Raises `CommandTimeoutError` after `timeout_s` seconds, `LinkClosedError` if the link ends,
        and `CommandFailedError` when `check` is set and the status is not OK.
        """
        return await self._request(cmd, payload, timeout_s, check, self.send_packet, self.session)

    async def _request(self, cmd: int, payload: bytes, timeout_s: float, check: bool,
                       send: Callable[[bytes], Awaitable[None]], session: HostSession | None) -> Reply:
        token = self.new_token()
        fut: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._waiters[(int(cmd), token)] = fut
        try:
            if session is not None and int(cmd) in SIGNED_COMMANDS:
                async with self._sign_lock:
                    wire_cmd, wire_payload = session.wire(cmd, payload)
                    for packet in split_command(wire_cmd, token, wire_payload, self.max_packet_bytes):
                        await send(packet)
            else:
                for packet in split_command(int(cmd), token, payload, self.max_packet_bytes):
                    await send(packet)
            reply = await asyncio.wait_for(fut, timeout_s)
        except asyncio.TimeoutError:
            raise CommandTimeoutError(f"no reply to command {int(cmd):#04x} within {timeout_s} s") from None
        finally:
            self._waiters.pop((int(cmd), token), None)
            self._assembler.discard(int(cmd), token)
        if check and reply.status != ReplyStatus.OK:
            raise CommandFailedError(f"command {int(cmd):#04x} answered {reply.status.name}", status=int(reply.status))
        return reply

    # --- lifetime --------------------------------------------------------------------------------
    async def close(self) -> None:
        """Close the transport and end the stream (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._close()
        finally:
            self._deliver_end()

    async def __aenter__(self) -> Link:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @abstractmethod
    async def _send_packet(self, packet: bytes) -> None:
        """Transport-specific write of one command packet."""

    @abstractmethod
    async def _close(self) -> None:
        """Transport-specific shutdown."""


async def data_packets(link: Link) -> AsyncIterator[tuple[Received, DataPacket | StatusPacket]]:
    """The decoded DATA and STATUS packets of a link's stream, with how each was received, until
    the link ends. Replies are left to `Link.request`; packets that do not decode are skipped here
    (the link's own accounting counts them)."""
    async for rx in link:
        if rx.channel != Channel.DATA:
            continue
        try:
            pkt = decode_packet(rx.data)
        except ProtocolError:
            continue
        yield rx, pkt
