"""`record --virtual` and `demo` hold the virtual device until START is answered: the simulated
patient's script plays from its start, so the recording holds the whole first set whatever the
machine's load (at speed 0 the device would otherwise run on while the host connects)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from hiplevel.capture import PlannedSet, ScriptPacer, capture
from hiplevel.cli.connect import VIRTUAL_LEAD_S, open_sensor
from hiplevel.protocol import Cmd
from hiplevel.recording import RecordingWriter, decode_recording
from hiplevel.sim import ExerciseSpec, SessionSpec

pytestmark = pytest.mark.slow

TIME_PERIOD_S = 1.0  # the device reports its time once a virtual second


async def test_a_held_virtual_device_starts_streaming_before_the_first_set(tmp_path: Path) -> None:
    spec = SessionSpec([ExerciseSpec("walking", reps=10, weak_side="right")], seed=3, standing_s=6.0, rest_s=1.0)
    args = argparse.Namespace(virtual=True, port=None, device=None, timeout=60.0)
    async with open_sensor(args, sim_spec=spec, speed=0.0, hold_virtual=True) as sensor:
        # Connected and answering, yet its time stands still: the host's pace does not matter.
        for _ in range(5):
            assert (await sensor.link.request(Cmd.GET_INFO)).ok
        held_s = sensor.virtual.virtual_time_s
        assert held_s <= VIRTUAL_LEAD_S + TIME_PERIOD_S
        plan = [PlannedSet(s.exercise, i) for i, s in enumerate(sensor.sim.sets, 1)]
        first_set_s = sensor.sim.sets[0].start_s
        with RecordingWriter(tmp_path / "r.hlrec") as writer:
            counts = await capture(sensor, writer, plan, ScriptPacer(sensor.link, sensor.sim, device=sensor.virtual))
    assert not counts["interrupted"] and counts["sets_done"] == 1
    session = decode_recording(tmp_path / "r.hlrec")
    first_sample_s = session.imu.meta["device_t_us"][0] / 1e6
    assert first_sample_s <= VIRTUAL_LEAD_S + TIME_PERIOD_S < first_set_s
    starts = [e for _t, e in session.events if e.get("type") == "set_start"]
    assert len(starts) == 1 and starts[0]["device_t_us"] >= first_set_s * 1e6
