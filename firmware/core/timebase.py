# Device time beyond the 2^30 wrap of MicroPython's ticks_us: a wrap count next to the 30-bit
# ticks, so no big integer is ever built (the wire carries the time modulo 2^32).
_TICKS_PERIOD = 1 << 30
_TICKS_HALF = 1 << 29


class TickExtender:
    """Feed ticks_us values in (roughly) time order at least every 2^29 us (9 min)."""

    def __init__(self):
        self.wraps = 0
        self._last = -1

    def extend(self, ticks):
        """Wrap count that goes with `ticks` (a slightly older stamp keeps its own wrap)."""
        last = self._last
        if last < 0:
            self._last = ticks
            return self.wraps
        if ticks < last and last - ticks > _TICKS_HALF:
            self.wraps += 1  # wrapped since the last observation
            self._last = ticks
            return self.wraps
        if ticks > last and ticks - last > _TICKS_HALF:
            return self.wraps - 1  # stamp from just before the wrap we already counted
        if ticks > last:
            self._last = ticks
        return self.wraps

    @staticmethod
    def micros(wraps, ticks):
        """Extended device time in microseconds (a big int on MicroPython: not for the loop)."""
        return wraps * _TICKS_PERIOD + ticks
