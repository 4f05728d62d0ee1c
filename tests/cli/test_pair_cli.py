"""`hiplevel pair`: a belt fresh from flashing accepts no BLE session; paired over its USB cable
(the virtual device's pty) the computer's store keeps its key, and BLE sessions from this
computer then authenticate; `--list` shows it, `--forget` locks it again."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest

from hiplevel.cli.common import EXIT_NO_DEVICE, CliError
from hiplevel.cli.connect import open_sensor
from hiplevel.cli.main import main as cli_main
from hiplevel.link.auth import known_keys
from hiplevel.protocol import Cmd
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session, write_chip_stream
from hiplevel.store import SessionStore
from hiplevel.store.device_keys import paired_sensors
from hiplevel.virtual.process import VirtualDevice, VirtualDeviceConfig

WALL_TIMEOUT_S = 30.0
# The simulated patient stands and waits from this chip time on (never told to go): the device runs
# on at its speed, but its chip stream cannot run out however long a busy machine takes.
WAITS_AT_S = 2.0


@pytest.fixture(scope="module")
def chip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = SessionSpec([ExerciseSpec("walking", reps=40, sets=1, weak_side="left")], seed=5)
    return write_chip_stream(simulate_session(spec), tmp_path_factory.mktemp("chip") / "walk.chip")


async def _hiplevel(*argv: str) -> int:
    """The CLI in a worker thread (it runs its own event loop), this loop keeps the device going."""
    return await asyncio.to_thread(cli_main, list(argv))


async def test_pair_over_usb_then_ble_sessions_authenticate(chip: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HIPLEVEL_BLE_BACKEND", "virtual")
    data = tmp_path / "clinic"
    args = argparse.Namespace(virtual=False, port=None, device=None, timeout=WALL_TIMEOUT_S, data_dir=data)
    cfg = VirtualDeviceConfig(chip_stream=chip, speed=20.0, provision=False,  # as flashed: no key
                              patient_waits_at_s=WAITS_AT_S)
    async with VirtualDevice(cfg) as dev:
        with pytest.raises(CliError) as refused:
            async with open_sensor(args):
                pass
        assert refused.value.exit_code == EXIT_NO_DEVICE
        assert "has no key yet" in str(refused.value) and "hiplevel pair --port" in str(refused.value)

        assert await _hiplevel("pair", "--port", dev.usb_port, "--data-dir", str(data)) == 0
        assert "paired sensor hiplevel-1a2b (key id " in capsys.readouterr().out
        with SessionStore(data) as store:
            (stored,) = paired_sensors(store)
        try:
            async with open_sensor(args) as sensor:
                assert sensor.info["device_id"] == "hiplevel-1a2b"
                assert sensor.link.session is not None
                await sensor.link.request(Cmd.START, timeout_s=WALL_TIMEOUT_S)  # signed by the link
                await sensor.link.request(Cmd.STOP, timeout_s=WALL_TIMEOUT_S)
                info = (await sensor.link.request(Cmd.GET_INFO, timeout_s=WALL_TIMEOUT_S)).payload
                assert b'"refused": 0' in info

            assert await _hiplevel("pair", "--list", "--data-dir", str(data)) == 0
            listing = capsys.readouterr().out
            assert "hiplevel-1a2b" in listing and stored.key_id in listing

            assert await _hiplevel("pair", "--forget", "--port", dev.usb_port, "--data-dir", str(data)) == 0
            assert "key erased" in capsys.readouterr().out
            with SessionStore(data) as store:
                assert paired_sensors(store) == []
            with pytest.raises(CliError) as locked:
                async with open_sensor(args):
                    pass
            assert "has no key yet" in str(locked.value)
        finally:
            known_keys().remove(stored.key)


def test_pair_needs_a_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["pair", "--data-dir", str(tmp_path)]) == 2
    assert "--port" in capsys.readouterr().err
