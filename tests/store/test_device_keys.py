"""The paired sensors' keys in the store (store/device_keys.py), on both backends: one appended
migration, save, replace, list, forget, and loading them into a key ring without creating a
store."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiplevel.link.auth import KeyRing
from hiplevel.protocol.auth import key_id
from hiplevel.store import StoreError
from hiplevel.store.backend import open_backend
from hiplevel.store.device_keys import forget_device_key, load_paired_keys, paired_sensors, save_device_key
from hiplevel.store.schema import MIGRATIONS, migrate

KEY_A = bytes(range(16))
KEY_B = bytes(range(16, 32))


def test_an_older_store_gains_the_table_by_migration(backend, tmp_path: Path) -> None:
    b = open_backend(backend.url, tmp_path)
    migrate(b, tmp_path, target=len(MIGRATIONS) - 1)  # a store from before pairing
    b.close()
    with backend.open(tmp_path) as store:
        assert store.schema_version_ == len(MIGRATIONS)
        save_device_key(store, "hiplevel-1a2b", KEY_A)
        assert [s.device_id for s in paired_sensors(store)] == ["hiplevel-1a2b"]


def test_save_replace_list_and_forget(backend, tmp_path: Path) -> None:
    with backend.open(tmp_path) as store:
        a = save_device_key(store, "hiplevel-1a2b", KEY_A)
        assert a.key_id == key_id(KEY_A).hex() and a.paired_at
        save_device_key(store, "hiplevel-0001", KEY_B)
        save_device_key(store, "hiplevel-1a2b", KEY_B[::-1])  # paired again: the new key replaces the old
        got = {s.device_id: s.key for s in paired_sensors(store)}
        assert got == {"hiplevel-0001": KEY_B, "hiplevel-1a2b": KEY_B[::-1]}
        assert forget_device_key(store, "hiplevel-0001") is True
        assert forget_device_key(store, "hiplevel-0001") is False
        assert [s.device_id for s in paired_sensors(store)] == ["hiplevel-1a2b"]
        with pytest.raises(StoreError):
            save_device_key(store, "hiplevel-x", b"short")


def test_keys_load_into_a_key_ring_and_no_store_is_created(backend, tmp_path: Path) -> None:
    with backend.open(tmp_path / "data") as store:
        save_device_key(store, "hiplevel-1a2b", KEY_A)
    ring = KeyRing()
    assert load_paired_keys(ring, tmp_path / "data", url=backend.url) == 1
    entry = ring.lookup(key_id(KEY_A))
    assert entry is not None and entry.device_id == "hiplevel-1a2b" and entry.key == KEY_A
    if backend.kind == "sqlite":
        assert load_paired_keys(KeyRing(), tmp_path / "nothing-here") == 0
        assert not (tmp_path / "nothing-here").exists()
