"""Access control end to end on the virtual device (the real firmware on MicroPython, reached
through bleak): a nearby central without the key (plain bleak, as any phone or laptop) is refused
SET_CALIB, TARE, SET_RATE and STOP, each refusal counted, and reads no movement data while the
session streams; a command recorded off the air is refused when replayed; a central that never
authenticates is hung up on; the host with the key notices nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from bleak import BleakClient

from hiplevel.constants import COMMAND_CHAR_UUID, DATA_CHAR_UUID, REPLY_CHAR_UUID, SERIAL_NUMBER_UUID
from hiplevel.link.ble_link import BleLink, BleLinkSettings
from hiplevel.link.ble_scan import find_sensor
from hiplevel.protocol import Cmd, ReplyStatus, decode_reply, encode_command, set_haptic_payload
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session, write_chip_stream
from hiplevel.virtual import VirtualClient, VirtualDevice, VirtualDeviceConfig, VirtualScanner

WALL_TIMEOUT_S = 60.0
EVIL_CALIB = json.dumps({"version": 1, "calib_id": "evil", "align": [[-1, 0, 0], [0, -1, 0], [0, 0, 1]]}).encode()
ATTEMPTS = (  # what a phone nearby tries, with its payload
    (Cmd.SET_CALIB, EVIL_CALIB),
    (Cmd.TARE, b""),
    (Cmd.SET_RATE, bytes((50,))),
    (Cmd.STOP, b""),
)


@pytest.fixture(scope="module")
def chip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = SessionSpec([ExerciseSpec("walking", reps=60, sets=1, weak_side="left")], seed=4)
    return write_chip_stream(simulate_session(spec), tmp_path_factory.mktemp("chip") / "walk.chip")


class Intruder:
    """A central with bleak and no key: writes commands, collects what is notified to it."""

    def __init__(self, client: BleakClient) -> None:
        self.client = client
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()
        self.data_packets = 0

    async def listen(self) -> None:
        await self.client.start_notify(REPLY_CHAR_UUID, lambda _c, d: self.replies.put_nowait(bytes(d)))
        await self.client.start_notify(DATA_CHAR_UUID, lambda _c, d: self._on_data())

    def _on_data(self) -> None:
        self.data_packets += 1

    async def command(self, packet: bytes) -> ReplyStatus:
        """Write one command (long ones in chunks of the MTU) and wait for its reply."""
        room = self.client.mtu_size - 3
        cmd, token, payload = packet[0], packet[1], packet[3:]
        parts = [payload[i : i + room - 3] for i in range(0, len(payload), room - 3)] or [b""]
        for i, part in enumerate(parts):
            chunk = i | (0x80 if i < len(parts) - 1 else 0)
            await self.client.write_gatt_char(COMMAND_CHAR_UUID, bytes((cmd, token, chunk)) + part, response=True)
        while True:
            reply = decode_reply(await asyncio.wait_for(self.replies.get(), WALL_TIMEOUT_S))
            if reply.token == token and not reply.more:
                return reply.status


async def _host(device) -> BleLink:  # type: ignore[no-untyped-def]
    return await BleLink(device, backend=VirtualClient, settings=BleLinkSettings(connect_timeout_s=WALL_TIMEOUT_S)).open()


async def _security(link: BleLink) -> dict:
    return json.loads((await link.request(Cmd.GET_INFO, timeout_s=WALL_TIMEOUT_S)).payload)["security"]


async def test_a_central_without_the_key_is_refused_counted_and_reads_nothing(chip: Path) -> None:
    async with VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=20.0)) as dev:
        sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        host = await _host(sensor.device)
        await host.request(Cmd.START, timeout_s=WALL_TIMEOUT_S)
        # The clinic's laptop wanders off; the session goes on (the belt keeps streaming).
        await host.close()

        async with BleakClient(sensor.device, backend=VirtualClient, mtu=185) as client:
            intruder = Intruder(client)
            await intruder.listen()
            # What anyone in range may read: the Device Information service.
            assert (await client.read_gatt_char(SERIAL_NUMBER_UUID)).decode() == "hiplevel-1a2b"
            statuses = {cmd.name: await intruder.command(encode_command(cmd, 0x40 + i, payload))
                        for i, (cmd, payload) in enumerate(ATTEMPTS)}
            statuses["GET_INFO"] = await intruder.command(encode_command(Cmd.GET_INFO, 0x50))
            # Two seconds of streaming go by while it is connected: none of it reaches it.
            await dev.wait_virtual_time(dev.virtual_time_s + 2.0, WALL_TIMEOUT_S)
            status_probe = await intruder.command(encode_command(Cmd.GET_STATUS, 0x51))
            data_seen = intruder.data_packets

        assert statuses == {"SET_CALIB": ReplyStatus.AUTH_REQUIRED, "TARE": ReplyStatus.AUTH_REQUIRED,
                            "SET_RATE": ReplyStatus.AUTH_REQUIRED, "STOP": ReplyStatus.AUTH_REQUIRED,
                            "GET_INFO": ReplyStatus.AUTH_REQUIRED}
        assert status_probe == ReplyStatus.AUTH_REQUIRED
        assert data_seen == 0

        host = await _host(sensor.device)
        try:
            sec = await _security(host)
            info = json.loads((await host.request(Cmd.GET_INFO, timeout_s=WALL_TIMEOUT_S)).payload)
            calib = json.loads((await host.request(Cmd.GET_CALIB, timeout_s=WALL_TIMEOUT_S)).payload)
        finally:
            await host.close()
    assert sec["refused"] == 6
    for cmd, _ in ATTEMPTS:
        assert sec["refused_by_cmd"][str(int(cmd))] == 1, cmd.name
    assert info["rate_hz"] == 100 and calib["calib_id"] is None  # nothing it sent took effect
    assert info["mode"] == 1


async def test_a_command_recorded_off_the_air_is_refused_when_replayed(chip: Path) -> None:
    async with VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=20.0)):
        sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        host = await _host(sensor.device)
        heard: list[bytes] = []  # every write the host made, as a sniffer would have it
        host.sent_listeners.append(lambda packet, _t: heard.append(packet))
        await host.request(Cmd.SET_HAPTIC, set_haptic_payload(True, 9.0, 250), timeout_s=WALL_TIMEOUT_S)
        (signed,) = [p for p in heard if p[0] & 0x7F == Cmd.SET_HAPTIC]
        assert signed[0] & 0x80  # it went signed, without the caller asking
        await host.close()

        async with BleakClient(sensor.device, backend=VirtualClient, mtu=185) as client:
            intruder = Intruder(client)
            await intruder.listen()
            replayed = await intruder.command(signed)

        host = await _host(sensor.device)
        try:
            # the same bytes in the host's own next connection fail too (a new session key)
            await host.send_packet(signed)
            sec = await _security(host)
            info = json.loads((await host.request(Cmd.GET_INFO, timeout_s=WALL_TIMEOUT_S)).payload)
        finally:
            await host.close()
    assert replayed == ReplyStatus.AUTH_FAILED
    assert sec["auth_failures"] == 2
    assert info["haptic"]["threshold_cdeg"] == 900  # the host's own command took effect, once


async def test_a_central_that_never_authenticates_is_hung_up_on(chip: Path) -> None:
    cfg = VirtualDeviceConfig(chip_stream=chip, speed=20.0, auth_timeout_s=5.0)
    async with VirtualDevice(cfg) as dev:
        sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        gone = asyncio.Event()
        client = BleakClient(sensor.device, lambda _c: gone.set(), backend=VirtualClient)
        await client.connect()
        connected_at = dev.virtual_time_s
        await asyncio.wait_for(gone.wait(), WALL_TIMEOUT_S)  # it holds the line and does nothing
        held_s = dev.virtual_time_s - connected_at
        host = await _host(sensor.device)  # the device advertises again: the clinic gets in
        try:
            sec = await _security(host)
        finally:
            await host.close()
    assert 4.0 <= held_s <= 7.0  # the 5 s timeout (TIME messages come once a virtual second)
    assert sec["auth_timeouts"] == 1 and sec["dropped"] == 1


async def test_pairing_encrypts_the_link_and_an_encrypted_only_sensor_needs_it(chip: Path) -> None:
    cfg = VirtualDeviceConfig(chip_stream=chip, speed=20.0, ble_encrypted_only=True)
    async with VirtualDevice(cfg):
        sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        link = await BleLink(sensor.device, backend=VirtualClient,
                             settings=BleLinkSettings(connect_timeout_s=WALL_TIMEOUT_S, pair=True)).open()
        try:
            await link.request(Cmd.START, timeout_s=WALL_TIMEOUT_S)
            sec = await _security(link)
            first = await asyncio.wait_for(link.receive(), WALL_TIMEOUT_S)
        finally:
            await link.close()
        # the same computer again: its bond is found, nothing new is stored
        link = await BleLink(sensor.device, backend=VirtualClient,
                             settings=BleLinkSettings(connect_timeout_s=WALL_TIMEOUT_S, pair=True)).open()
        try:
            again = await _security(link)
        finally:
            await link.close()
    assert sec["pairing"] is True and sec["encrypted"] is True and sec["bonds"] == 2
    assert first is not None
    assert again["encrypted"] is True and again["bonds"] == 2


def test_the_virtual_device_keeps_its_key_where_the_firmware_reads_it() -> None:
    from hiplevel import paths
    from hiplevel.virtual.spawn import DEVICE_KEY_FILE

    assert f'KEY_FILE = "{DEVICE_KEY_FILE}"' in (paths.firmware_dir() / "app.py").read_text()
