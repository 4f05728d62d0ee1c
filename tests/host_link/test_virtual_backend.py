"""The virtual device's bleak backends on their own: what a radio would do on scans, connects,
link loss, writes and the end of the device, plus the device-side faults of CONFIG.json."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakDeviceNotFoundError, BleakError

from hiplevel.constants import COMMAND_CHAR_UUID, DATA_CHAR_UUID, SERVICE_UUID
from hiplevel.link.ble_link import BleLink, find_sensor, scan
from hiplevel.protocol import Cmd, DataPacket, Flags, decode_packet
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session, write_chip_stream
from hiplevel.virtual import AirFaults, VirtualClient, VirtualDevice, VirtualDeviceConfig, VirtualScanner

pytestmark = pytest.mark.slow

WALL_TIMEOUT_S = 60.0


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
        # The scan window only bounds the wait: virtual devices are heard as soon as scanning starts.
        sensors = await scan(timeout_s=0.2, backend=VirtualScanner)
        found = await find_sensor("hiplevel-0002", timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
    assert [s.name for s in sensors] == ["hiplevel-0001", "hiplevel-0002"]
    assert [s.rssi_dbm for s in sensors] == [-50, -80]
    assert found.address == "AA:BB:CC:DD:00:02"


async def test_link_loss_disconnects_and_the_device_is_unreachable_until_it_ends(chip: Path) -> None:
    async with VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=20.0)) as dev:
        dropped = asyncio.Event()
        client = BleakClient(dev.address, lambda _c: dropped.set(), backend=VirtualClient, timeout=WALL_TIMEOUT_S)
        await client.connect()
        dev.drop_link(2.0)
        t_lost = dev.virtual_time_s
        await asyncio.wait_for(dropped.wait(), WALL_TIMEOUT_S)
        assert not client.is_connected
        with pytest.raises(BleakError):
            await client.write_gatt_char(COMMAND_CHAR_UUID, b"\x0c\x01\x00")
        await client.connect()  # a radio central keeps trying; it gets through once in range
        assert dev.virtual_time_s >= t_lost + 2.0
        with pytest.raises(BleakError):
            await client.write_gatt_char(COMMAND_CHAR_UUID, bytes(client.mtu_size))  # > ATT_MTU - 3
        with pytest.raises(BleakError):
            await client.read_gatt_char(DATA_CHAR_UUID)  # notify only
        dropped.clear()
        await dev.wait_ended(WALL_TIMEOUT_S)
        await asyncio.wait_for(dropped.wait(), WALL_TIMEOUT_S)  # the device is gone: supervision timeout
    assert dev.returncode == 0 and dev.air_stats.link_losses == 1
    with pytest.raises(BleakDeviceNotFoundError):
        await BleakClient(dev.address, backend=VirtualClient).connect()


async def test_i2c_failure_window_shows_as_imu_fault_and_slots_that_are_truly_lost(chip: Path) -> None:
    cfg = VirtualDeviceConfig(chip_stream=chip, speed=50.0, i2c_fail_s=((3.0, 3.5),))
    async with VirtualDevice(cfg) as dev:
        sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        link = await BleLink(sensor.device, backend=VirtualClient).open()
        await link.request(Cmd.START)
        flags = Flags(0)

        async def consume() -> None:
            nonlocal flags
            async for rx in link:
                if rx.channel == 1:
                    pkt = decode_packet(rx.data)
                    if isinstance(pkt, DataPacket):
                        flags |= pkt.flags

        consumer = asyncio.create_task(consume())
        await dev.wait_virtual_time(6.0, WALL_TIMEOUT_S)
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
