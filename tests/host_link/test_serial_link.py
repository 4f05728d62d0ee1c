"""Serial link over a real pseudo-terminal pair: pyserial opens the slave by its tty name, the test
drives the master as the device, with frames encoded per docs/protocol.md."""

from __future__ import annotations

import asyncio
import os
import tty

import numpy as np
import pytest
import hypothesis  # noqa: F401  - imported before the pytest summary needs it (CPython 3.11 AST bug)
from serial.tools.list_ports_common import ListPortInfo

from hiplevel.errors import CommandFailedError, CommandTimeoutError
from hiplevel.link.framing import FrameDecoder, encode_frame
from hiplevel.link.serial_link import SerialLink, match_ports
from hiplevel.protocol import Cmd, PacketType, ReplyStatus, decode_command, decode_packet, encode_data_packet, encode_reply
from hostlink_vectors import load_vectors

WALL_TIMEOUT_S = 60.0  # failure backstop of the waits below, not a timing assertion


class PtyDevice:
    """The device end of a pty: writes frames, reads and deframes commands (non-blocking)."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(self.master)
        self.tty_name = os.ttyname(slave)
        self._slave = slave  # kept open so the pty does not hang up before pyserial opens it
        self.decoder = FrameDecoder(synced=False, channels=(3,))
        os.set_blocking(self.master, False)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    async def commands(self, n: int, timeout_s: float = WALL_TIMEOUT_S) -> list[bytes]:
        got: list[bytes] = []
        loop = asyncio.get_running_loop()
        event = asyncio.Event()

        def readable() -> None:
            try:
                chunk = os.read(self.master, 4096)
            except BlockingIOError:
                return
            got.extend(p for _, p in self.decoder.feed(chunk))
            if len(got) >= n:
                event.set()

        loop.add_reader(self.master, readable)
        try:
            await asyncio.wait_for(event.wait(), timeout_s)
        finally:
            loop.remove_reader(self.master)
        return got

    def close(self) -> None:
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def device():
    dev = PtyDevice()
    yield dev
    dev.close()


async def test_packets_arrive_deframed_with_channel_and_times(device: PtyDevice) -> None:
    link = await SerialLink.open(device.tty_name)
    vec = next(v for v in load_vectors("frame") if v["name"] == "serial_frame_data_roll")
    packets = [encode_data_packet(PacketType.DATA_ROLL, 0, 100, s, s * 10_000, np.array([[s, -s], [s + 1, -s - 1]]))
               for s in range(0, 40, 2)]
    stream = b"garbage before sync" + b"\x00" + bytes.fromhex(vec["hex"])
    stream += b"".join(encode_frame(1, p) for p in packets)
    corrupt = bytearray(encode_frame(1, packets[0]))
    corrupt[5] ^= 0xFF
    stream += bytes(corrupt) + encode_frame(2, encode_reply(5, 7, 0, b"\xc8\xfe"))
    for i in range(0, len(stream), 7):  # dribble it in like a UART would
        device.send(stream[i : i + 7])
    got = [await asyncio.wait_for(link.receive(), WALL_TIMEOUT_S) for _ in range(22)]
    assert got[0].data == bytes.fromhex(vec["fields"]["packet_hex"]) and got[0].channel == 1
    assert [g.data for g in got[1:21]] == packets
    assert got[21].channel == 2 and got[21].data == bytes.fromhex("1405070000c8fe")
    assert all(b.host_time_s >= a.host_time_s for a, b in zip(got, got[1:]))
    assert decode_packet(got[5].data).seq == 8
    assert link.frame_stats.dropped_crc == 1 and link.frame_stats.frames_ok == 22
    await link.close()
    assert await link.receive() is None


async def test_request_reply_over_pty(device: PtyDevice) -> None:
    link = await SerialLink.open(device.tty_name)

    async def act_as_device() -> None:
        # The host joined the line mid-stream as far as it knows: it syncs on the first 0x00.
        device.send(b"\x00")
        for _ in range(2):  # the host sends its second command after the first reply
            (raw,) = await device.commands(1)
            cmd = decode_command(raw)
            status = ReplyStatus.OK if cmd.cmd == Cmd.TARE else ReplyStatus.BUSY
            payload = b"\xc8\xfe" if status == ReplyStatus.OK else b""
            device.send(encode_frame(2, encode_reply(cmd.cmd, cmd.token, status, payload)))

    task = asyncio.create_task(act_as_device())
    reply = await link.request(Cmd.TARE, timeout_s=WALL_TIMEOUT_S)
    assert reply.payload == b"\xc8\xfe"
    with pytest.raises(CommandFailedError) as err:
        await link.request(Cmd.START, timeout_s=WALL_TIMEOUT_S)
    assert err.value.status == ReplyStatus.BUSY
    await task
    await link.close()


async def test_request_times_out_when_device_is_silent(device: PtyDevice) -> None:
    link = await SerialLink.open(device.tty_name)
    with pytest.raises(CommandTimeoutError):  # no reply ever comes: the short timeout is not a race
        await link.request(Cmd.GET_INFO, timeout_s=0.2)
    await link.close()


def test_port_discovery_by_description_then_vid_pid() -> None:
    def port(dev: str, vid: int | None, pid: int | None, desc: str) -> ListPortInfo:
        p = ListPortInfo(dev, skip_link_detection=True)
        p.vid, p.pid, p.description = vid, pid, desc
        return p

    ports = [port("/dev/ttyUSB1", 0x10C4, 0xEA60, "CP2102 USB to UART"),
             port("/dev/ttyS0", None, None, "ttyS0"),
             port("/dev/ttyACM0", 0x2E8A, 0x0005, "hiplevel belt sensor"),
             port("/dev/ttyUSB0", 0x1234, 0x5678, "some modem")]
    assert [p.device for p in match_ports(ports)] == ["/dev/ttyACM0", "/dev/ttyUSB1"]
