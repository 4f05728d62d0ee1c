"""The commands say where the sessions are on each backend: a laptop's data folder (what
`--data-dir` takes), a shared store's URL; never the laptop's folder for a shared store, which holds
only the recordings in progress on that computer (docs/store.md, "A practice")."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiplevel.cli.main import main


def test_empty_and_unknown_name_the_store_the_sessions_are_in(backend, tmp_path: Path, monkeypatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "laptop"
    backend.open(data).close()
    monkeypatch.setenv("HIPLEVEL_DATA_DIR", str(data))
    where = ["--data-dir", str(data)] if backend.url is None else ["--store", backend.url]
    place = str(data) if backend.url is None else backend.url.split("?")[0]
    assert main(["sessions", "list", *where]) == 0
    out = capsys.readouterr().out
    assert f"no sessions in {place}" in out
    assert main(["sessions", "list", "--patient", "P-NOPE", *where]) == 1
    err = capsys.readouterr().err
    assert f"no patient P-NOPE in {place}" in err
    if backend.url is not None:
        assert str(data) not in out + err


def test_an_explicit_data_dir_beats_the_shared_store_of_the_environment(shared, tmp_path: Path, monkeypatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A laptop of a practice has $HIPLEVEL_STORE set (docs/store.md, step 4); `--data-dir` on its
    command line still means the SQLite store in that folder, so step 7's "restore a backup into an
    empty folder and run the doctor there" checks the backup, not the shared store."""
    monkeypatch.setenv("HIPLEVEL_STORE", shared.url)
    monkeypatch.setenv("HIPLEVEL_DATA_DIR", str(tmp_path / "laptop"))
    with shared.open(tmp_path / "laptop") as store:
        store.add_patient("P-SHARED")
    check = tmp_path / "check"
    check.mkdir()
    assert main(["sessions", "list", "--data-dir", str(check)]) == 0  # a new, empty laptop store
    assert f"no sessions in {check}" in capsys.readouterr().out
    assert (check / "hiplevel.sqlite3").is_file()
    assert main(["sessions", "list", "--patient", "P-SHARED"]) == 0  # no folder given: the shared store
    assert "no sessions of patient P-SHARED in postgresql://" in capsys.readouterr().out
