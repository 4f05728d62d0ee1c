# Files on the ESP32's flash that a host can make the device rewrite (the calibration, BLE bond
# secrets): written at most once per interval, the latest content winning, and never when the
# content is what the flash already holds. Flash sectors wear out after about 10^5 erases; a host
# repeating SET_CALIB every loop iteration would otherwise rewrite a sector hundreds of times a
# second.


class ThrottledFile:
    """`put(data)` stores `data` (str or bytes) in `path`: at once when the last write is at least
    `min_interval_ms` old (raises OSError when the flash cannot be written), else at the first
    `poll()` after that. `current`: what the file holds now (None: unknown or absent). `clock`
    offers ticks_ms/ticks_diff. `writes` counts flash writes, `errors` failed deferred ones."""

    def __init__(self, path, clock, min_interval_ms, current=None):
        self.path = path
        self._clock = clock
        self._min_ms = min_interval_ms
        self._last_ms = None
        self._written = current
        self._pending = None
        self.writes = 0
        self.errors = 0

    @property
    def pending(self):
        """True while content waits for its turn to be written."""
        return self._pending is not None

    def put(self, data):
        """True when `data` is on flash now, False when it is queued for a later poll()."""
        if data == self._written:
            self._pending = None
            return True
        if not self._due():
            self._pending = data
            return False
        self._write(data)
        return True

    def poll(self):
        """Write queued content once its turn has come (from the main loop)."""
        if self._pending is None or not self._due():
            return
        try:
            self._write(self._pending)
        except OSError:
            self.errors += 1
            self._last_ms = self._clock.ticks_ms()  # try again one interval later

    def _due(self):
        c = self._clock
        return self._last_ms is None or c.ticks_diff(c.ticks_ms(), self._last_ms) >= self._min_ms

    def _write(self, data):
        self._last_ms = self._clock.ticks_ms()
        with open(self.path, "wb" if isinstance(data, (bytes, bytearray)) else "w") as f:
            f.write(data)
        self._written = data
        self._pending = None
        self.writes += 1
