"""The virtual device's bleak backends on their own: what a radio would do on scans, connects,
link loss, writes and the end of the device, plus the device-side faults of CONFIG.json."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakDeviceNotFoundError, BleakError

from hiplevel.constants import BATTERY_LEVEL_UUID, COMMAND_CHAR_UUID, DATA_CHAR_UUID, SERVICE_UUID
from hiplevel.link.ble_link import BleLink
from hiplevel.link.ble_scan import find_sensor, scan
from hiplevel.protocol import Cmd, DataPacket, Flags, decode_packet
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session, write_chip_stream
from hiplevel.virtual import AirFaults, VirtualClient, VirtualDevice, VirtualDeviceConfig, VirtualScanner

pytestmark = pytest.mark.slow

WALL_TIMEOUT_S = 60.0  # failure backstop of every wait, not a timing assertion
LEAD_S = 1.0  # the device's clock waits while this far ahead of the host (lead limit)


async def until(predicate: Callable[[], bool], timeout_s: float = WALL_TIMEOUT_S) -> None:
    """Wait until `predicate()` holds (checked every 10 ms); TimeoutError after `timeout_s`."""
    async with asyncio.timeout(timeout_s):
        while not predicate():
            await asyncio.sleep(0.01)


async def open_held(dev: VirtualDevice) -> BleLink:
    """Connect to the held device (time stands still on it; it answers), START and let it run: the
    stream starts within one lead limit of the device's start, however long the host took."""
    sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
    link = await BleLink(sensor.device, backend=VirtualClient).open()
    await link.request(Cmd.START)
    dev.release()
    return link


@pytest.fixture(scope="module")
def chip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = SessionSpec([ExerciseSpec("single-leg-stance", reps=1, hold_s=5.0)], seed=2, standing_s=4.0, rest_s=2.0)
    return write_chip_stream(simulate_session(spec), tmp_path_factory.mktemp("chip") / "still.chip")


async def test_passive_scan_gets_no_scan_response_and_filters_by_service(chip: Path) -> None:
    async with VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=20.0)):
        heard: asyncio.Future[tuple] = asyncio.get_running_loop().create_future()

        def on_advert(device, adv) -> None:  # type: ignore[no-untyped-def]
            if not heard.done():
                heard.set_result((device, adv))

        async with BleakScanner(on_advert, [SERVICE_UUID], "passive", backend=VirtualScanner):
            device, adv = await asyncio.wait_for(heard, WALL_TIMEOUT_S)
        async with BleakScanner(service_uuids=["0000feaa-0000-1000-8000-00805f9b34fb"], backend=VirtualScanner) as other:
            assert other.discovered_devices == []
    assert device.address == "AA:BB:CC:DD:1A:2B"
    assert adv.service_uuids == [SERVICE_UUID]
    assert adv.local_name is None and adv.service_data == {}  # name and battery are in the scan response


async def test_scan_lists_every_sensor_strongest_first_and_finds_one_by_name(chip: Path) -> None:
    near = VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=20.0, address="AA:BB:CC:DD:00:01"), AirFaults(rssi_dbm=-50))
    far = VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=20.0, address="AA:BB:CC:DD:00:02"), AirFaults(rssi_dbm=-80))
    async with far, near:
        found = await find_sensor("hiplevel-0002", timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        await find_sensor("hiplevel-0001", timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        # Both advertise now, and a scanner hears a current advertisement as soon as it starts:
        # the scan window only bounds the wait.
        sensors = await scan(timeout_s=0.2, backend=VirtualScanner)
    assert [s.name for s in sensors] == ["hiplevel-0001", "hiplevel-0002"]
    assert [s.rssi_dbm for s in sensors] == [-50, -80]
    assert found.address == "AA:BB:CC:DD:00:02"


async def test_link_loss_disconnects_and_the_device_is_unreachable_until_it_ends(chip: Path) -> None:
    # Held until connected, and again from the end of the loss until connected again: the device's
    # 11 s chip cannot run out while a busy host reconnects.
    dev = VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=5.0, lead_limit_s=LEAD_S))
    dev.hold()
    async with dev:
        dropped = asyncio.Event()
        client = BleakClient(dev.address, lambda _c: dropped.set(), backend=VirtualClient, timeout=WALL_TIMEOUT_S)
        await client.connect()
        dev.release()
        dev.drop_link(2.0)
        t_lost = dev.virtual_time_s
        await asyncio.wait_for(dropped.wait(), WALL_TIMEOUT_S)
        assert not client.is_connected
        with pytest.raises(BleakError):
            await client.write_gatt_char(COMMAND_CHAR_UUID, b"\x0c\x01\x00")
        await dev.wait_virtual_time(t_lost + 2.0, WALL_TIMEOUT_S)  # the loss is over
        dev.hold()
        await client.connect()  # a radio central keeps trying; it gets through once in range
        assert dev.virtual_time_s >= t_lost + 2.0
        with pytest.raises(BleakError):
            await client.write_gatt_char(COMMAND_CHAR_UUID, bytes(client.mtu_size))  # > ATT_MTU - 3
        with pytest.raises(BleakError):
            await client.read_gatt_char(DATA_CHAR_UUID)  # notify only
        dropped.clear()
        dev.release()
        await dev.wait_ended(WALL_TIMEOUT_S)
        await asyncio.wait_for(dropped.wait(), WALL_TIMEOUT_S)  # the device is gone: supervision timeout
    assert dev.returncode == 0 and dev.air_stats.link_losses == 1
    with pytest.raises(BleakDeviceNotFoundError):
        await BleakClient(dev.address, backend=VirtualClient).connect()


async def test_i2c_failure_shows_as_imu_fault_and_slots_that_are_truly_lost(chip: Path) -> None:
    dev = VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=20.0, lead_limit_s=LEAD_S))
    dev.hold()
    async with dev:
        link = await open_held(dev)
        flags = Flags(0)
        streaming, recovered = asyncio.Event(), asyncio.Event()

        async def consume() -> None:
            nonlocal flags
            async for rx in link:
                if rx.channel == 1:
                    pkt = decode_packet(rx.data)
                    if isinstance(pkt, DataPacket) and not pkt.flags & Flags.RESENT:
                        streaming.set()
                        if flags & Flags.IMU_FAULT and not pkt.flags & Flags.IMU_FAULT:
                            recovered.set()  # fresh samples again after the fault
                        flags |= pkt.flags

        consumer = asyncio.create_task(consume())
        await asyncio.wait_for(streaming.wait(), WALL_TIMEOUT_S)
        dev.fail_i2c(0.5)  # from the device's current time on: after the stream has started
        await asyncio.wait_for(recovered.wait(), WALL_TIMEOUT_S)
        dev.hold()  # it stands still and answers: its 11 s chip cannot run out before STOP
        await link.request(Cmd.STOP)
        await link.settle(timeout_s=WALL_TIMEOUT_S)
        await link.close()
        await consumer
    stats = link.finish_accounting()
    assert flags & Flags.IMU_FAULT
    # The slots of the failure window never had a sample: RESEND cannot bring them back.
    assert link.stats.resend_not_available >= 1
    print(f"\ni2c window: {link.stats}")
    assert 30 <= stats.lost <= 100 and len(stats.gaps) >= 1


async def test_a_device_side_loss_begun_now_drops_the_link_and_resend_recovers_it(chip: Path) -> None:
    dev = VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=5.0, lead_limit_s=LEAD_S))
    dev.hold()
    async with dev:
        link = await open_held(dev)
        await until(lambda: link.assembler.next_seq > 50)  # the stream runs
        dev.lose_link_on_device(2.0)
        await until(lambda: link.stats.drops == 1)
        # The device's disconnect came after its TIMEs up to then: the loss began at most one TIME
        # period (1 s) after the newest the host has seen now.
        await dev.wait_virtual_time(dev.virtual_time_s + 1.0 + 2.0, WALL_TIMEOUT_S)  # the loss is over
        dev.hold()  # until the host is back: its reconnect cannot outlast the 11 s chip
        await until(lambda: link.connected.is_set())
        dev.release()
        await until(lambda: link.assembler.next_seq > 500)
        dev.hold()  # the RESEND of what went missing is answered at a standstill
        await until(lambda: not link.assembler.open_gaps)
        await link.request(Cmd.STOP)
        await link.settle(timeout_s=WALL_TIMEOUT_S)
        await link.close()
    stats = link.finish_accounting()
    assert link.stats.connects == 2
    # 2 s at 100 Hz went missing while the device was away: all of it came back from its ring.
    assert stats.resent >= 180 and stats.lost == 0


async def test_diag_reports_the_firmware_heap_and_its_last_slot(chip: Path) -> None:
    dev = VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=20.0, lead_limit_s=LEAD_S, diag_period_s=1.0))
    dev.hold()
    async with dev:
        link = await open_held(dev)
        await until(lambda: link.assembler.next_seq > 300)
        await link.request(Cmd.STOP)
        await link.settle(timeout_s=WALL_TIMEOUT_S)
        await link.close()
    # leaving the context waited for the device's last report, sent as it stopped
    stats = link.finish_accounting()
    diag = dev.diagnostics
    t_ms = [d["t_ms"] for d in diag]
    assert len(diag) >= 4 and t_ms == sorted(t_ms) and max(b - a for a, b in zip(t_ms, t_ms[1:])) <= 1000
    assert all(d["mem_alloc"] > 0 and d["mem_free"] > 0 for d in diag)
    last = diag[-1]
    assert last["streaming"] is False and last["imu_errors"] == 0
    assert last["seq"] + 1 == stats.received and stats.lost == 0  # every slot since START arrived


async def test_a_held_device_waits_within_its_lead_limit_and_runs_on_when_released(chip: Path) -> None:
    # speed 0: without the limit the device would run through its 11 s chip in a fraction of a second
    dev = VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=0.0, lead_limit_s=LEAD_S, diag_period_s=0.5))
    dev.hold()
    async with dev:
        sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        async with BleakClient(sensor.device, backend=VirtualClient, timeout=WALL_TIMEOUT_S) as client:
            battery = await client.read_gatt_char(BATTERY_LEVEL_UUID)  # answered while it waits
        # time stands still, the firmware runs on: it authenticates the link and answers commands
        link = await BleLink(sensor.device, backend=VirtualClient).open()
        info = await link.request(Cmd.GET_INFO)
        await link.close()
        held = [d["t_ms"] for d in dev.diagnostics]
        dev.release()
        await dev.wait_ended(WALL_TIMEOUT_S)
    assert battery[0] <= 100 and info.ok
    slack_ms = 250  # the clock moves on by the firmware's sleep after the check (1 ms; 100 ms at IMU reset)
    assert held and max(held) <= LEAD_S * 1000 + slack_ms
    assert dev.ended.is_set() and dev.diagnostics[-1]["t_ms"] >= 10_000
    assert all(d["t_ms"] <= d["acked_ms"] + LEAD_S * 1000 + slack_ms for d in dev.diagnostics)
