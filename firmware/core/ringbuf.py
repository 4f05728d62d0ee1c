# Ring of the last samples, by sequence number, for RESEND after a short disconnect.
# Each slot keeps everything either stream mode needs, already in wire units.
from array import array

SLOTS_DEFAULT = 2048  # >= 10 s at 200 Hz (docs/protocol.md)
_FIELDS = 8  # roll_cdeg, pitch_cdeg, ax, ay, az, gx, gy, gz


class SampleRing:
    """Fixed slots allocated once: seq, device time (wraps & 3, 30-bit ticks) and 8 int16."""

    def __init__(self, slots=SLOTS_DEFAULT):
        self.slots = slots
        self._seq = array("l", [-1] * slots)
        self._t_hi = array("H", [0] * slots)
        self._t_lo = array("H", [0] * slots)
        self._data = array("h", [0] * (slots * _FIELDS))
        self.newest = -1
        self.unsent_from = 0
        self.overwritten_unsent = 0

    def clear(self):
        for i in range(self.slots):
            self._seq[i] = -1
        self.newest = -1
        self.unsent_from = 0

    def put(self, seq, t_wraps, t_ticks, roll, pitch, ax, ay, az, gx, gy, gz):
        i = seq % self.slots
        old = self._seq[i]
        if old >= 0 and old >= self.unsent_from:
            self.overwritten_unsent += 1
        self._seq[i] = seq
        self._t_hi[i] = ((t_wraps & 3) << 14) | (t_ticks >> 16)
        self._t_lo[i] = t_ticks & 0xFFFF
        d = self._data
        j = i * _FIELDS
        d[j] = roll
        d[j + 1] = pitch
        d[j + 2] = ax
        d[j + 3] = ay
        d[j + 4] = az
        d[j + 5] = gx
        d[j + 6] = gy
        d[j + 7] = gz
        if seq > self.newest:
            self.newest = seq

    def mark_sent(self, upto_seq):
        if upto_seq + 1 > self.unsent_from:
            self.unsent_from = upto_seq + 1

    def slot(self, seq):
        """Slot index holding seq, or -1 when it was never stored or is overwritten."""
        if seq < 0:
            return -1
        i = seq % self.slots
        return i if self._seq[i] == seq else -1

    def oldest(self):
        """Lowest seq that may still be held."""
        o = self.newest - self.slots + 1
        return o if o > 0 else 0

    def t_wraps(self, i):
        return self._t_hi[i] >> 14

    def t_ticks(self, i):
        return ((self._t_hi[i] & 0x3FFF) << 16) | self._t_lo[i]

    def value(self, i, field):
        return self._data[i * _FIELDS + field]
