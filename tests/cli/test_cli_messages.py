"""What a person sees when a command cannot do what was asked: each message names the thing that
failed (the folder, the patient, the port and its kind, the bad value) once, and nothing is created
or left behind by a command that only reads."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pytest

from hiplevel.cli.main import main
from hiplevel.store import SessionStore

READ_COMMANDS = [
    ["sessions", "list"],
    ["sessions", "list", "--patient", "P-1"],
    ["sessions", "show", "S-1"],
    ["sessions", "export", "--patient", "P-1", "--out", "{tmp}/export"],
    ["sessions", "delete", "S-1", "--yes"],
    ["report", "S-1", "--out", "{tmp}/reports"],
    ["report", "--patient", "P-1", "--out", "{tmp}/reports"],
]


@pytest.mark.parametrize("argv", READ_COMMANDS, ids=lambda a: " ".join(a[:3]))
def test_a_data_dir_that_does_not_exist_is_an_error_not_an_empty_store(
        argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-folder"
    code = main([*(a.format(tmp=tmp_path) for a in argv), "--data-dir", str(missing)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"data folder {missing} does not exist" in err
    assert not missing.exists()  # nothing was created in its place


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with SessionStore(data) as store:
        store.add_patient("P-HERE")
    return data


@pytest.mark.parametrize("argv", [
    ["sessions", "list", "--patient", "P-NOPE"],
    ["sessions", "export", "--patient", "P-NOPE", "--out", "{tmp}/export"],
    ["report", "--patient", "P-NOPE", "--out", "{tmp}/reports"],
], ids=lambda a: " ".join(a[:2]))
def test_an_unknown_patient_is_named(argv: list[str], store_dir: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*(a.format(tmp=tmp_path) for a in argv), "--data-dir", str(store_dir)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"no patient P-NOPE in {store_dir}" in err
    assert not (tmp_path / "export").exists() and not (tmp_path / "reports").exists()


def test_a_known_patient_without_sessions_says_so(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions", "list", "--patient", "P-HERE", "--data-dir", str(store_dir)]) == 0
    assert f"no sessions of patient P-HERE in {store_dir}" in capsys.readouterr().out


def test_a_usb_port_that_is_not_there_is_named_with_its_errno_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = tmp_path / "ttyNOPE"
    assert main(["info", "--port", str(port)]) == 3
    err = capsys.readouterr().err
    assert f"could not open the USB serial port {port}: No such file or directory (errno 2)" in err
    assert err.count("errno") + err.count("Errno") == 1 and err.count(str(port)) == 1
    assert "Bluetooth" not in err


def test_no_bluetooth_names_the_bluez_socket_with_its_errno_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    socket = tmp_path / "system_bus_socket"
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={socket}")
    monkeypatch.delenv("HIPLEVEL_BLE_BACKEND", raising=False)
    assert main(["info", "--timeout", "1"]) == 3
    err = capsys.readouterr().err
    assert (f"Bluetooth is not available on this computer (BlueZ's D-Bus socket {socket}: "
            "No such file or directory (errno 2))") in err
    assert err.count("errno") + err.count("Errno") == 1
    assert "--port auto" in err


@pytest.mark.parametrize(("option", "named"), [
    ("walking:reps=abc", "reps='abc' in 'walking:reps=abc': reps must be a whole number"),
    ("walking:drop_deg=big", "drop_deg='big' in 'walking:drop_deg=big': drop_deg must be a number"),
    ("walking:weak_side=middle", "'walking:weak_side=middle': weak_side"),
])
def test_simulate_names_the_bad_value(option: str, named: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["simulate", str(tmp_path / "sim"), "-e", option])
    assert exc.value.code == 2
    assert named in capsys.readouterr().err


def test_flash_checks_for_mpremote_before_compiling_with_the_checkout_install_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from hiplevel import flashing

    if flashing.Path(sys.executable).parent.joinpath("mpremote").exists():
        pytest.skip("mpremote is installed beside this Python: the missing-tool path cannot be shown here")
    monkeypatch.setenv("PATH", str(tmp_path))  # no mpremote on PATH either
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code = main(["flash", "--port", str(tmp_path / "ttyUSB0")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "mpremote not found" in err
    # hiplevel runs from this source checkout: the hint installs the extra from it.
    root = Path(flashing.__file__).resolve().parents[2]
    assert f"-m pip install -e '{root}[flash]'" in err
    assert "compiled" not in out and not list(tmp_path.glob("hiplevel-fw-*"))


def test_flash_dry_run_without_out_cleans_its_temporary_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert main(["flash", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"compiled \d+ files \(a check only: --out keeps the image\)", out)
    assert not list(tmp_path.glob("hiplevel-fw-*"))
