"""Every compiled kernel setup.py lists is built and current wherever a C compiler is at hand.

The kernels are optional (`Extension(optional=True)`): a kernel that no longer compiles is skipped by
the build with a warning nobody reads, hiplevel falls back on its numpy paths (the same results,
slower), and the kernels' own tests skip. This test turns that silence into a failure on a machine
that can build them (CI, a developer's checkout), and a kernel older than its C sources (an edit
not yet rebuilt: `make test` rebuilds) into a clear message."""

from __future__ import annotations

import importlib
import re
import shutil
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NATIVE = ROOT / "host" / "hiplevel" / "_native"
SETUP = ROOT / "setup.py"


def _kernels() -> list[str]:
    """The kernel names of setup.py's KERNELS tuple (read as text: setup.py is not imported)."""
    m = re.search(r"KERNELS\s*=\s*\(([^)]*)\)", SETUP.read_text(encoding="utf-8"))
    assert m, "setup.py no longer lists KERNELS = (...)"
    return re.findall(r'"(\w+)"', m.group(1))


def _compiler_at_hand() -> bool:
    cc = (sysconfig.get_config_var("CC") or "").split()
    return bool(cc) and shutil.which(cc[0]) is not None


pytestmark = [
    pytest.mark.skipif(not SETUP.exists(), reason="not a source checkout (no setup.py)"),
    pytest.mark.skipif(not _compiler_at_hand(), reason="no C compiler here: the numpy paths are used"),
]


def test_setup_lists_the_kernels() -> None:
    names = _kernels()
    assert "fusekernel" in names and len(names) == len(set(names)) >= 9


@pytest.mark.parametrize("name", _kernels() if SETUP.exists() else [])
def test_the_kernel_is_built_and_current(name: str) -> None:
    try:
        module = importlib.import_module(f"hiplevel._native.{name}")
    except ImportError as e:
        pytest.fail(f"hiplevel._native.{name} is not built ({e}): compile host/hiplevel/_native/{name}.c "
                    "by hand with setup.py's flags to see the error")
    built = Path(module.__file__).stat().st_mtime
    sources = [NATIVE / f"{name}.c", *NATIVE.glob("*.h")]
    newer = [p.name for p in sources if p.stat().st_mtime > built + 1.0]
    assert not newer, f"hiplevel._native.{name} is older than {newer}: rebuild (`make test` does)"
