"""What the virtual device says first when it boots, read straight off its pipe (no host-side
dispatch in between, so "first" is exact): its first advertisement's scan response already
carries the measured battery level, never 255 (unknown)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hiplevel import paths
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session, write_chip_stream
from hiplevel.virtual import VirtualDeviceConfig, pipe
from hiplevel.virtual.config import micropython_executable

BATTERY_SERVICE = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_PCT = 63  # not the config default (90): the advert must carry this device's own level
WALL_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def chip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = SessionSpec([ExerciseSpec("single-leg-stance", reps=1, hold_s=5.0)], seed=2, standing_s=4.0, rest_s=2.0)
    return write_chip_stream(simulate_session(spec), tmp_path_factory.mktemp("chip") / "boot.chip")


def _boot_messages(config: VirtualDeviceConfig, state: Path, until_kind: int) -> list[tuple[int, bytes]]:
    """Pipe messages of a fresh vdevice.py process, in order, up to the first `until_kind` one."""
    config_path = state / "CONFIG.json"
    config_path.write_text(json.dumps(config.to_json(state)))
    env = dict(os.environ)
    env["MICROPYPATH"] = os.pathsep.join([".frozen", str(paths.firmware_dir()), str(paths.stand_ins_dir())])
    proc = subprocess.Popen(
        [micropython_executable(), str(paths.stand_ins_dir() / "vdevice.py"), str(config_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(state),
    )
    assert proc.stdin is not None and proc.stdout is not None
    messages: list[tuple[int, bytes]] = []
    try:
        # the device keeps talking (TIME every virtual second) and ends with END when the chip
        # stream runs out, so these reads cannot block for ever
        while True:
            header = proc.stdout.read(3)
            if len(header) < 3:
                break
            kind, length = pipe.decode_header(header)
            messages.append((kind, proc.stdout.read(length)))
            if kind == until_kind:
                break
        proc.stdin.write(pipe.quit_msg())
        proc.stdin.close()
        proc.wait(timeout=WALL_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return messages


def test_first_advertisement_carries_the_measured_battery(chip: Path, tmp_path: Path) -> None:
    for f in paths.firmware_dir().glob("*.json"):
        shutil.copy(f, tmp_path / f.name)
    config = VirtualDeviceConfig(chip_stream=chip, speed=0.0, battery_start_pct=BATTERY_PCT,
                                 battery_drain_pct_per_h=0.0)
    messages = _boot_messages(config, tmp_path, pipe.ADVERTISE)
    kinds = [k for k, _ in messages]
    assert kinds[-1] == pipe.ADVERTISE and kinds.count(pipe.ADVERTISE) == 1, kinds
    assert pipe.SERVICES in kinds  # the GATT table is published before advertising starts
    advert = pipe.parse_advertise(messages[-1][1])
    assert advert.adv is not None and advert.resp is not None
    fields = pipe.parse_ad(advert.adv)
    pipe.parse_ad(advert.resp, into=fields)
    assert fields.local_name == "hiplevel-1a2b"
    assert fields.service_data[BATTERY_SERVICE] == bytes([BATTERY_PCT])
