"""The keys of the sensors paired with this computer (docs/security.md): one row per sensor in the
store's `device_keys` table, written by `hiplevel pair` and read whenever a BLE link authenticates.

A key is as sensitive as the recordings next to it: whoever has the data folder can command the
sensors paired from it. The folder's file permissions protect both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hiplevel.protocol.auth import KEY_BYTES, key_id
from hiplevel.store.schema import StoreError


@dataclass(frozen=True)
class PairedSensor:
    """A sensor's key as stored: device id, key, key id (hex) and when it was paired (ISO UTC)."""

    device_id: str
    key: bytes
    key_id: str
    paired_at: str


def save_device_key(store, device_id: str, key: bytes) -> PairedSensor:
    """Store (or replace) the key of `device_id`. `store` is a SessionStore."""
    if len(key) != KEY_BYTES:
        raise StoreError(f"a device key is {KEY_BYTES} bytes, not {len(key)}")
    entry = PairedSensor(device_id, bytes(key), key_id(key).hex(), store._now())
    with store._write() as c:
        c.execute("DELETE FROM device_keys WHERE device_id = ? OR key_id = ?", (device_id, entry.key_id))
        c.execute("INSERT INTO device_keys (device_id, key_id, key_hex, paired_at) VALUES (?, ?, ?, ?)",
                  (device_id, entry.key_id, key.hex(), entry.paired_at))
    return entry


def paired_sensors(store) -> list[PairedSensor]:
    """Every stored key, by device id."""
    with store._read() as c:
        rows = c.execute("SELECT device_id, key_hex, key_id, paired_at FROM device_keys ORDER BY device_id").fetchall()
    return [PairedSensor(r["device_id"], bytes.fromhex(r["key_hex"]), r["key_id"], r["paired_at"]) for r in rows]


def forget_device_key(store, device_id: str) -> bool:
    """Delete the key of `device_id`; True when there was one."""
    with store._write() as c:
        return c.execute("DELETE FROM device_keys WHERE device_id = ?", (device_id,)).rowcount > 0


def load_paired_keys(keyring, data_dir: str | Path | None = None, url: str | None = None) -> int:
    """Add the keys of the store (`url`, $HIPLEVEL_STORE, else SQLite in the data folder, default
    the user's) to `keyring`; returns how many. A folder without a SQLite store holds none
    (nothing is created)."""
    from hiplevel.store.backend import no_store_yet
    from hiplevel.store.db import SessionStore

    if no_store_yet(data_dir, url):
        return 0
    with SessionStore(data_dir, url=url, recover=False) as store:
        sensors = paired_sensors(store)
    for s in sensors:
        keyring.add(s.device_id, s.key)
    return len(sensors)
