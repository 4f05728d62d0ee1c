"""Date, machine and versions for the benchmark header (read once per run)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu_model() -> str:
    """The CPU model name (Linux /proc/cpuinfo; platform.processor() elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def micropython_version() -> str:
    """`sys.version` of the interpreter the firmware runs on in the bench."""
    mp = ROOT / ".venv/bin/micropython"
    try:
        p = subprocess.run([str(mp), "-c", "import sys; print(sys.version)"], capture_output=True, text=True, timeout=10)
        return p.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "not installed"


def environment() -> dict[str, str]:
    """Header fields: date (UTC), machine (CPU model, cores), OS and package versions."""
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "hiplevel": _version("hiplevel"),
        "mobgap": _version("mobgap"),
        "imufusion": _version("imufusion"),
        "micropython": micropython_version(),
    }
