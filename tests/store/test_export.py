"""Exports are pseudonymous by default: no display name, no free text, no local paths."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from store_synth import small_session

from hiplevel.store import SessionStore, StoreError


def test_export_strips_identifying_text(backend, tmp_path: Path) -> None:
    store = backend.open(tmp_path / "data")
    pid = store.add_patient(display_name="Ada Lovelace")
    rec = tmp_path / "data" / "recordings" / "ada-lovelace.hlrec"
    store.save_session(small_session(pid, recording=str(rec), notes="knee pain after stairs, Ada's daughter called"))
    js, cs = store.export_patient(pid, tmp_path / "export")
    blob = js.read_text() + cs.read_text()
    for secret in ("Ada", "Lovelace", "knee pain", "ada-lovelace", str(tmp_path)):
        assert secret not in blob
    doc = json.loads(js.read_text())
    assert doc["patient_id"] == pid and len(doc["sessions"][0]["sets"]) == 2
    rows = list(csv.DictReader(cs.open()))
    assert len(rows) == 8 and {r["patient_id"] for r in rows} == {pid}
    assert rows[0]["flags"] == "pelvic_drop" and float(rows[0]["start_s"]) == pytest.approx(11.0)

    full_js, _ = store.export_patient(pid, tmp_path / "backup", include_identifying=True)
    full = json.loads(full_js.read_text())
    assert full["display_name"] == "Ada Lovelace" and full["sessions"][0]["recording_path"] == "recordings/ada-lovelace.hlrec"


def test_export_unknown_patient(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        SessionStore(tmp_path).export_patient("P-NONE", tmp_path)
