"""The CLI's surface: help everywhere, bad arguments, flash's compile step."""

import subprocess
import sys

import pytest

from hiplevel.cli.main import build_parser, main

COMMANDS = ["scan", "info", "record", "live", "calibrate", "flash", "analyze", "report", "sessions", "simulate", "demo"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: hiplevel " + command in capsys.readouterr().out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_unknown_exercise_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "x.csv", "--exercise", "jumping-jacks"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_flash_without_port_says_what_to_do(capsys):
    assert main(["flash"]) == 2
    assert "give --port" in capsys.readouterr().err


def test_flash_dry_run_compiles_every_firmware_file(tmp_path):
    from hiplevel.flashing import firmware_sources

    out = tmp_path / "image"
    assert main(["flash", "--dry-run", "--out", str(out)]) == 0
    sources = firmware_sources()
    assert sources, "firmware/ has no Python files"
    for rel in sources:
        compiled = out / (rel if rel.name in ("main.py", "boot.py") else rel.with_suffix(".mpy"))
        assert compiled.is_file(), rel


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "hiplevel", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("hiplevel ")
