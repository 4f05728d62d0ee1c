"""End to end through bleak: the host's BLE link against the virtual device (the real firmware on
MicroPython, fed by the motion simulator), with faults injected on the air.

The virtual device is deterministic given the chip stream: a sample's value depends only on its
device time, never on what the host did. So a faulty run is checked sample by sample against a
fault-free run of the same chip stream, matched by device time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from bleak import BleakClient

from hiplevel.constants import BATTERY_LEVEL_UUID
from hiplevel.link.ble_link import BleLink, BleLinkSettings, LinkStats
from hiplevel.link.ble_scan import find_sensor
from hiplevel.protocol import Channel, Cmd, DataPacket, decode_packet
from hiplevel.sim import ExerciseSpec, SessionSpec, SimSession, simulate_session, write_chip_stream
from hiplevel.link.stream import RING_SLOTS, Gap, SampleBlock, StreamAssembler
from hiplevel.virtual.backend import VirtualClient, VirtualScanner
from hiplevel.virtual.faults import AirFaults, AirStats
from hiplevel.virtual.process import VirtualDevice, VirtualDeviceConfig

pytestmark = pytest.mark.slow

STOP_AT_S = 24.0  # virtual seconds of streaming per run; the chip stream is a little longer
WALL_TIMEOUT_S = 60.0  # failure backstop of every wait, not a timing assertion
FUSION_SETTLE_S = 3.0  # skip the fusion's convergence before comparing with the truth
# The device waits for the host (lead limit) and is held (time stands still on it) until START is
# answered, so the stream starts at the same virtual time (<= LEAD_S) whatever the machine's load.
LEAD_S = 1.0
# Runs that reconnect: the device is held from the end of each loss until the host is connected
# again (reconnecting takes wall-clock time), then the RESEND round trips run on the wall clock
# while the device's 20.48 s ring runs on; at 5x, 15 virtual s of ring are 3 wall s of slack.
FAULT_SPEED = 5.0


@dataclass
class Run:
    """What a consumer of the link saw: samples by device time (us) -> (roll, pitch) cdeg."""

    samples: dict[int, tuple[int, int]]
    gaps: list[Gap]
    link: LinkStats
    air: AirStats


def _simulate() -> SimSession:
    spec = SessionSpec([ExerciseSpec("single-leg-stance", reps=1, hold_s=30.0, weak_side="left")],
                       seed=7, standing_s=6.0, rest_s=4.0)
    return simulate_session(spec)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimSession, Path]:
    sim = _simulate()
    path = write_chip_stream(sim, tmp_path_factory.mktemp("chip") / "session.chip")
    return sim, path


async def _until(predicate: Callable[[], bool]) -> None:
    """Wait until `predicate()` holds (checked every 10 ms); TimeoutError after WALL_TIMEOUT_S."""
    async with asyncio.timeout(WALL_TIMEOUT_S):
        while not predicate():
            await asyncio.sleep(0.01)


async def _hold_until_reconnected(dev: VirtualDevice, link: BleLink, losses: list[tuple[float, float]]) -> None:
    """From the end of each link loss ((start, duration) virtual s) the device is held (time stands
    still on it within LEAD_S) until the host has seen the loss and is connected again: what is
    left in the ring to resend does not depend on how long the host's reconnect took."""
    for k, (start_s, duration_s) in enumerate(sorted(losses), 1):
        await dev.wait_virtual_time(start_s + duration_s, WALL_TIMEOUT_S)
        dev.hold()
        await _until(lambda k=k: link.stats.drops >= k and link.connected.is_set())
        dev.release()


async def _run(chip: Path, *, speed: float, faults: AirFaults | None = None,
               device_link_loss_s: tuple[tuple[float, float], ...] = (), stop_at_s: float = STOP_AT_S) -> Run:
    """Connect, START, stream until `stop_at_s` virtual seconds, STOP, recover what is missing."""
    cfg = VirtualDeviceConfig(chip_stream=chip, speed=speed, link_loss_s=device_link_loss_s, lead_limit_s=LEAD_S)
    dev = VirtualDevice(cfg, faults)
    dev.hold()
    async with dev:
        sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        link = await BleLink(sensor.device, backend=VirtualClient,
                             settings=BleLinkSettings(connect_timeout_s=WALL_TIMEOUT_S)).open()
        await link.request(Cmd.START)  # answered by the held device, at its instant
        dev.release()
        received: list[bytes] = []

        async def consume() -> None:
            async for rx in link:
                if rx.channel == Channel.DATA:
                    received.append(rx.data)

        consumer = asyncio.create_task(consume())
        losses = [*(faults.link_loss_s if faults else ()), *device_link_loss_s]
        await _hold_until_reconnected(dev, link, losses)
        await dev.wait_virtual_time(stop_at_s, WALL_TIMEOUT_S)
        # Held from here: the device stops within LEAD_S and answers STOP and the last RESENDs
        # there, so its chip stream cannot run out however long the host takes.
        dev.hold()
        await asyncio.wait_for(link.connected.wait(), WALL_TIMEOUT_S)
        await link.request(Cmd.STOP)
        await link.settle(tail=True, timeout_s=WALL_TIMEOUT_S)
        await link.close()
        await consumer
        link.finish_accounting()
        air = dev.air_stats
    # Decode as any consumer of the stream would: its own accounting, corrupted packets dropped.
    asm = StreamAssembler()
    items: list[SampleBlock | Gap] = []
    for data in received:
        try:
            pkt = decode_packet(data)
        except Exception:  # noqa: BLE001 - every decode error means "drop it" here
            continue
        if isinstance(pkt, DataPacket):
            items += asm.push(pkt)
    items += asm.finish()
    samples: dict[int, tuple[int, int]] = {}
    for item in items:
        if isinstance(item, SampleBlock):
            for t, (roll, pitch) in zip(item.times_us(), item.samples):
                samples[int(t)] = (int(roll), int(pitch))
    return Run(samples, [i for i in items if isinstance(i, Gap)], link.stats, air)


@pytest.fixture(scope="module")
def reference(session: tuple[SimSession, Path]) -> Run:
    return asyncio.run(_run(session[1], speed=50.0))


def _assert_no_wrong_sample(run: Run, reference: Run) -> int:
    """Every sample of `run` equals the reference sample of the same device time; returns how many
    were compared."""
    common = sorted(set(run.samples) & set(reference.samples))
    wrong = [t for t in common if run.samples[t] != reference.samples[t]]
    assert not wrong, f"{len(wrong)} samples differ from the fault-free run, first at t={wrong[0]} us"
    return len(common)


async def test_scan_finds_the_sensor_with_name_rssi_and_battery(session: tuple[SimSession, Path]) -> None:
    cfg = VirtualDeviceConfig(chip_stream=session[1], speed=20.0, battery_start_pct=76.0)
    async with VirtualDevice(cfg, AirFaults(rssi_dbm=-63)):
        sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner,
                                   accept=lambda s: s.battery_pct is not None)
    assert sensor.name == "hiplevel-1a2b"
    assert sensor.address == "AA:BB:CC:DD:1A:2B"
    assert sensor.rssi_dbm == -63
    # The firmware's voltage gauge reads back the simulated charge within a few percent.
    assert sensor.battery_pct is not None and abs(sensor.battery_pct - 76) <= 3


async def test_gatt_through_bleak_mtu_info_and_notifications(session: tuple[SimSession, Path]) -> None:
    cfg = VirtualDeviceConfig(chip_stream=session[1], speed=20.0)
    async with VirtualDevice(cfg):
        sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        async with BleakClient(sensor.device, backend=VirtualClient, mtu=185) as client:
            assert client.mtu_size == 185
            assert (await client.read_gatt_char(BATTERY_LEVEL_UUID))[0] <= 100
        link = await BleLink(sensor.device, backend=VirtualClient,
                             settings=BleLinkSettings(client_kwargs={"mtu": 100})).open()
        info = await link.read_device_info()
        mtu, max_packet_bytes = link.mtu, link.max_packet_bytes
        await link.close()
    assert (mtu, max_packet_bytes) == (100, 97)
    assert (info.manufacturer, info.model, info.serial) == ("hiplevel", "hiplevel-belt-1", "hiplevel-1a2b")
    assert info.firmware_revision == info.info["fw"]
    assert info.info["protocol"] == 1 and info.info["device_id"] == "hiplevel-1a2b"
    assert info.info["mtu"] == 100  # the device took the MTU the central exchanged


def test_fault_free_stream_is_complete_and_matches_the_truth(session: tuple[SimSession, Path], reference: Run) -> None:
    sim = session[0]
    stats = reference.link.stream
    assert stats.lost == 0 and stats.resent == 0 and stats.duplicated == 0
    assert reference.link.bad_packets == 0
    t_us = np.array(sorted(reference.samples))
    assert np.all(np.diff(t_us) == 10_000)  # 100 Hz, no gap
    assert len(t_us) > (STOP_AT_S - 3.0) * 100
    roll_deg = np.array([reference.samples[t][0] for t in t_us]) / 100.0
    t_s = t_us / 1e6
    truth = np.interp(t_s, sim.truth_1k.t_s, sim.truth_1k.roll_deg)
    # Quiet standing before the set: the pelvis is level, so the device's roll relative to its
    # own neutral stays near 0 deg, as the truth does.
    standing = sim.sets[0]
    quiet = (t_s > max(standing.standing_start_s, t_s[0] + FUSION_SETTLE_S)) & (t_s < standing.standing_end_s)
    assert quiet.sum() > 100
    neutral = np.median(roll_deg[quiet])
    assert np.max(np.abs(roll_deg[quiet] - neutral)) < 1.0
    assert np.max(np.abs(truth[quiet] - np.median(truth[quiet]))) < 1.0
    # Over the whole run the device tracks the true roll (sensor errors included) within a few deg.
    settled = t_s > t_s[0] + FUSION_SETTLE_S
    assert np.median(np.abs((roll_deg - neutral) - (truth - np.median(truth[quiet])))[settled]) < 1.5


def test_dropped_notifications_and_a_5s_link_loss_are_recovered_by_resend(
        session: tuple[SimSession, Path], reference: Run) -> None:
    faults = AirFaults(drop_notify_probability=0.03, link_loss_s=((8.0, 5.0),), seed=42)
    run = asyncio.run(_run(session[1], speed=FAULT_SPEED, faults=faults))
    stats = run.link.stream
    print(f"\ndrops+5 s loss: air {run.air}, link {run.link}")
    assert run.air.dropped > 10 and run.air.link_losses == 1
    assert run.link.drops == 1 and run.link.connects == 2
    # 5 s at 100 Hz went missing during the loss, plus the dropped packets: all resent, none lost.
    assert stats.resent >= 500
    assert stats.lost == 0 and not run.gaps
    compared = _assert_no_wrong_sample(run, reference)
    assert compared > (STOP_AT_S - 4.0) * 100


def test_corrupted_packets_are_counted_dropped_and_resent(session: tuple[SimSession, Path], reference: Run) -> None:
    faults = AirFaults(corrupt_probability=0.05, seed=9)
    run = asyncio.run(_run(session[1], speed=FAULT_SPEED, faults=faults, device_link_loss_s=((10.0, 3.0),)))
    print(f"\ncorruption + device-side loss: air {run.air}, link {run.link}")
    assert run.air.corrupted > 10
    assert run.link.bad_packets == run.air.corrupted  # every corrupted packet counted and dropped
    assert run.link.drops == 1  # the device-side link loss
    assert run.link.stream.resent > 300 and run.link.stream.lost == 0
    _assert_no_wrong_sample(run, reference)


def test_a_loss_longer_than_the_ring_buffer_is_counted_as_one_gap(session: tuple[SimSession, Path], reference: Run) -> None:
    faults = AirFaults(link_loss_s=((4.0, 25.0),), seed=1)
    run = asyncio.run(_run(session[1], speed=FAULT_SPEED, faults=faults, stop_at_s=36.0))
    stats = run.link.stream
    print(f"\n25 s loss: link {run.link}")
    # The ring holds 2048 slots (20.48 s at 100 Hz): what it still held comes back, the older
    # slots are lost as one run ending where the resent ones begin (the oldest may be overwritten
    # while the resend is under way, so the run can be declared in more than one piece). How many
    # come back depends on how fast the host reconnects (wall clock), hence the wide bounds.
    assert 1000 <= stats.resent <= RING_SLOTS
    assert 25.0 * 100 - RING_SLOTS - 100 <= stats.lost <= 1500
    assert sum(g.count for g in run.gaps) == stats.lost
    assert all(a.first_seq + a.count == b.first_seq for a, b in zip(run.gaps, run.gaps[1:]))
    t_us = np.array(sorted(run.samples))
    steps = np.diff(t_us)
    assert np.count_nonzero(steps != 10_000) == 1 and steps.max() == (stats.lost + 1) * 10_000
    assert stats.received + stats.lost == (t_us[-1] - t_us[0]) // 10_000 + 1  # every slot accounted for
    _assert_no_wrong_sample(run, reference)
