# Vibration motor behind a MOSFET gate: PWM (or a plain Pin) pulses, timed by the caller's ms ticks.
from micropython import const

_PWM_FREQ_HZ = const(1000)
_DUTY_U16_DEFAULT = const(52428)  # 80 %: a coin motor at 3.3 V is strong enough below 100 %


def _ticks_diff(a, b):
    # Same result as time.ticks_diff for 30-bit ms ticks; drivers take no clock import.
    return ((a - b + 0x20000000) & 0x3FFFFFFF) - 0x20000000


class Haptic:
    """Non-blocking pulses: call `pulse(now_ms, ms)` to start, `update(now_ms)` every loop."""

    def __init__(self, out, duty_u16=_DUTY_U16_DEFAULT):
        self._out = out
        self._pwm = hasattr(out, "duty_u16")
        self._duty = duty_u16
        self._on = False
        self._off_at_ms = 0
        self.pulses = 0
        if self._pwm:
            out.freq(_PWM_FREQ_HZ)
        self._set(False)

    def _set(self, on):
        self._on = on
        if self._pwm:
            self._out.duty_u16(self._duty if on else 0)
        else:
            self._out.value(1 if on else 0)

    @property
    def on(self):
        return self._on

    def pulse(self, now_ms, duration_ms):
        self.pulses += 1
        self._off_at_ms = (now_ms + duration_ms) & 0x3FFFFFFF
        self._set(True)

    def update(self, now_ms):
        if self._on and _ticks_diff(now_ms, self._off_at_ms) >= 0:
            self._set(False)

    def stop(self):
        self._set(False)
