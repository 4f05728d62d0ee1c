# BLE bond secrets: what the stack asks the application to keep when a central bonds (LE Secure
# Connections long-term keys, identity keys), handed back when the central returns, so it need not
# pair again. Kept in RAM and in ble_bonds.json on the flash, written through a ThrottledFile (a
# central pairing over and over cannot wear the flash), at most MAX_SECRETS entries (the oldest
# goes first, as aioble's limit_peers does).
import json

from micropython import const

from flashfile import ThrottledFile

MAX_SECRETS = const(24)  # a few secrets per bonded central: room for several clinic computers
_WRITE_MIN_MS = const(10000)


class BondStore:
    """`get(sec_type, index, key)` and `set(sec_type, key, value)` answer the stack's
    _IRQ_GET_SECRET / _IRQ_SET_SECRET (no flash access there); `poll()` writes from the loop."""

    def __init__(self, path, clock):
        self._entries = []  # [sec_type, key bytes, value bytes], oldest first
        self._file = ThrottledFile(path, clock, _WRITE_MIN_MS)
        try:
            with open(path) as f:
                for sec_type, key, value in json.loads(f.read()):
                    self._entries.append([int(sec_type), bytes.fromhex(key), bytes.fromhex(value)])
        except (OSError, ValueError, TypeError):
            self._entries = []  # no bonds, or a damaged file: centrals pair again
        self._dirty = False

    def __len__(self):
        return len(self._entries)

    def get(self, sec_type, index, key):
        """The value for (sec_type, key), or with key None the index'th of that type; else None."""
        n = 0
        for e in self._entries:
            if e[0] != sec_type:
                continue
            if key is None:
                if n == index:
                    return e[2]
                n += 1
            elif e[1] == key:
                return e[2]
        return None

    def set(self, sec_type, key, value):
        """Store (value None: delete) the secret; True when the store changed or holds it."""
        key = bytes(key)
        kept = [e for e in self._entries if not (e[0] == sec_type and e[1] == key)]
        removed = len(kept) != len(self._entries)
        if value is None:
            if not removed:
                return False
        else:
            kept.append([sec_type, key, bytes(value)])
            while len(kept) > MAX_SECRETS:
                kept.pop(0)
        self._entries = kept
        self._dirty = True
        return True

    def poll(self):
        """Write changed secrets to flash when the file's turn has come (from the main loop)."""
        if self._dirty:
            self._dirty = False
            try:
                self._file.put(json.dumps([[e[0], e[1].hex(), e[2].hex()] for e in self._entries]))
            except OSError:
                self._dirty = True  # the next poll tries again
        self._file.poll()
