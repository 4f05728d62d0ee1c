"""A 2-minute session from the virtual device over the BLE link, recorded to disk, read back,
replayed as a transport and decoded: every path gives the same bytes and the same samples."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from hiplevel.link.base import Received
from hiplevel.link.ble_link import BleLink, BleLinkSettings
from hiplevel.link.ble_scan import find_sensor
from hiplevel.link.replay import ReplayLink
from hiplevel.protocol import Cmd
from hiplevel.recording import DecodedSession, RecordingWriter, decode_received, decode_recording, read_recording
from hiplevel.recording.writer import record_link
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session, write_chip_stream
from hiplevel.virtual.backend import VirtualClient, VirtualScanner
from hiplevel.virtual.process import VirtualDevice, VirtualDeviceConfig

pytestmark = pytest.mark.slow

SESSION_S = 120.0
WALL_TIMEOUT_S = 120.0


def _same_samples(a: DecodedSession, b: DecodedSession) -> None:
    assert a.roll is not None and b.roll is not None
    np.testing.assert_array_equal(a.roll.roll_deg, b.roll.roll_deg)
    np.testing.assert_array_equal(a.roll.pitch_deg, b.roll.pitch_deg)
    np.testing.assert_array_equal(a.roll.t_s, b.roll.t_s)
    np.testing.assert_array_equal(a.roll.meta["seq"], b.roll.meta["seq"])
    assert a.gaps == b.gaps and a.stats == b.stats


async def test_two_minute_session_is_recorded_replayed_and_decoded_identically(tmp_path) -> None:  # type: ignore[no-untyped-def]
    spec = SessionSpec([ExerciseSpec("walking", reps=200, cadence_spm=100.0, weak_side="right", drop_deg=7.0)], seed=5,
                       standing_s=4.0, rest_s=4.0)
    sim = simulate_session(spec)
    assert sim.truth_1k.t_s[-1] >= SESSION_S
    chip = write_chip_stream(sim, tmp_path / "walk.chip")
    path = tmp_path / "session.hlrec"
    live: list[Received] = []
    # speed 0: the firmware runs as fast as the host keeps up (lead limit); nothing here
    # reconnects. Held (time stands still on it) until START is answered, so the stream starts at
    # ~1 s whatever the load.
    dev = VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=0.0, lead_limit_s=1.0))
    dev.hold()
    async with dev:
        sensor = await find_sensor(timeout_s=WALL_TIMEOUT_S, backend=VirtualScanner)
        link = await BleLink(sensor.device, backend=VirtualClient,
                             settings=BleLinkSettings(connect_timeout_s=WALL_TIMEOUT_S)).open()
        with RecordingWriter(path, header={"session_id": "virtual-walk"}, fsync=False) as writer:
            recorder = asyncio.create_task(record_link(link, writer, on_received=live.append))
            info = await link.read_device_info()  # answered by the held device at its instant
            writer.write_meta(device=info.info)
            await link.request(Cmd.START)
            dev.release()
            await dev.wait_ended(WALL_TIMEOUT_S)
            await link.close()  # ends the stream: the recorder writes what is left and returns
            n_recorded = await recorder
    assert n_recorded == len(live)

    rec = read_recording(path)
    assert rec.torn_tail is None and not rec.damage
    assert list(rec.received()) == live  # bytes, channels and receive times, exactly

    replay = ReplayLink(rec, speed=None)
    replayed = [rx async for rx in replay]
    assert replayed == live

    from_live = decode_received(live, origin_s=rec.origin_s)
    from_file = decode_recording(rec)
    from_replay = decode_received(replayed, origin_s=rec.origin_s)
    _same_samples(from_live, from_file)
    _same_samples(from_live, from_replay)

    assert from_file.stats.lost == 0 and not from_file.gaps
    assert from_file.roll is not None and len(from_file.roll) >= (SESSION_S - 10.0) * 100
    assert from_file.stats.received == link.stats.stream.received  # the link's own accounting agrees
