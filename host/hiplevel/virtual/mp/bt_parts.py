# Parts of the `bluetooth` stand-in (bluetooth.py) that are not the BLE object: UUID, as the ESP32
# port's, and the default in-memory air that records what the device sends. Simulation only.

_BASE_UUID_TAIL = "-0000-1000-8000-00805f9b34fb"


class UUID:
    """16-bit (int or 4-hex-digit str) or 128-bit (str) UUID."""

    def __init__(self, value):
        if isinstance(value, UUID):
            self._s = value._s
            return
        if isinstance(value, int):
            self._s = "%08x%s" % (value, _BASE_UUID_TAIL)
            return
        if isinstance(value, (bytes, bytearray, memoryview)):
            b = bytes(value)
            if len(b) == 2:
                self._s = "%08x%s" % (b[0] | (b[1] << 8), _BASE_UUID_TAIL)
                return
            h = "".join("%02x" % x for x in reversed(b))
            self._s = "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
            return
        s = str(value).lower()
        if len(s) <= 6:
            self._s = "%08x%s" % (int(s, 16), _BASE_UUID_TAIL)
        else:
            self._s = s
        if len(self._s) != 36:
            raise ValueError("invalid UUID")

    def full(self):
        """Lowercase 128-bit string form (the form bleak reports)."""
        return self._s

    def is16(self):
        return self._s.endswith(_BASE_UUID_TAIL) and self._s.startswith("0000")

    def le_bytes(self):
        # Little-endian, as in advertising data (the real UUID exposes this via the buffer protocol)
        if self.is16():
            v = int(self._s[4:8], 16)
            return bytes((v & 0xFF, v >> 8))
        h = self._s.replace("-", "")
        return bytes(reversed(bytes(int(h[i : i + 2], 16) for i in range(0, 32, 2))))

    def __eq__(self, other):
        return isinstance(other, UUID) and other._s == self._s

    def __hash__(self):
        return hash(self._s)

    def __str__(self):
        if self.is16():
            return "UUID(0x%s)" % self._s[4:8]
        return "UUID('%s')" % self._s

    __repr__ = __str__


class LoopbackAir:
    """In-memory air: records everything the device does (tests)."""

    def __init__(self):
        self.services = None
        self.adverts = []  # (adv, resp, interval_us)
        self.notifies = []  # (conn, value_handle, data)
        self.disconnects = []

    def on_services(self, services):
        self.services = services

    def on_advertise(self, adv, resp, interval_us):
        self.adverts.append((adv, resp, interval_us))

    def on_notify(self, conn, value_handle, data):
        self.notifies.append((conn, value_handle, data))

    def on_disconnect(self, conn):
        self.disconnects.append(conn)

    def advertising(self):
        return bool(self.adverts) and self.adverts[-1][2] is not None
