# Status LED: a blink pattern per status code, stepped by the caller's ms ticks (non-blocking).
from micropython import const

OFF = const(0)
ADVERTISING = const(1)  # slow blink: waiting for a central
CONNECTED = const(2)  # short flash every 2 s: link up
IMU_MISSING = const(3)  # three fast blinks, pause: no MPU6050 on the bus
IMU_BUS_ERROR = const(4)  # two fast blinks, pause: bus errors, recovering
IDENTIFY = const(5)  # fast blink: IDENTIFY command
LOW_BATTERY = const(6)  # long on, short off

# (on_ms, off_ms, on_ms, off_ms, ...) repeated
PATTERNS_MS = {
    OFF: (0, 1000),
    ADVERTISING: (500, 500),
    CONNECTED: (50, 1950),
    IMU_MISSING: (100, 150, 100, 150, 100, 1400),
    IMU_BUS_ERROR: (100, 150, 100, 1650),
    IDENTIFY: (100, 100),
    LOW_BATTERY: (1500, 500),
}


def _ticks_diff(a, b):
    return ((a - b + 0x20000000) & 0x3FFFFFFF) - 0x20000000


class StatusLed:
    """`set_code(code, now_ms)` selects a pattern; `update(now_ms)` advances it."""

    def __init__(self, pin):
        self._pin = pin
        self.code = OFF
        self._pattern = PATTERNS_MS[OFF]
        self._step = 0
        self._next_ms = 0
        self._level = 0
        pin.value(0)

    def set_code(self, code, now_ms):
        if code == self.code:
            return
        self.code = code
        self._pattern = PATTERNS_MS[code]
        self._step = len(self._pattern) - 1  # next update starts the first "on" phase
        self._next_ms = now_ms

    def update(self, now_ms):
        if _ticks_diff(now_ms, self._next_ms) < 0:
            return
        self._step = (self._step + 1) % len(self._pattern)
        level = 1 if self._step % 2 == 0 and self._pattern[self._step] > 0 else 0
        if level != self._level:
            self._level = level
            self._pin.value(level)
        self._next_ms = (now_ms + self._pattern[self._step]) & 0x3FFFFFFF
