# When to cue the patient: pelvis off its tared neutral beyond a threshold for longer than a
# debounce time. Pure logic; the caller feeds one sample at a time with the sample period.

_HYSTERESIS_CDEG = 50  # 0.5 deg: stops chatter when the pelvis hovers at the threshold
_REPEAT_MS = 1000  # pulse again every second while still off level


class HapticLogic:
    """Either side counts: a drop of the left side (roll below neutral) or of the right side
    (roll above neutral). `update` returns True when a pulse should start now."""

    def __init__(self, enabled=True, threshold_cdeg=600, debounce_ms=250):
        self.configure(enabled, threshold_cdeg, debounce_ms)

    def configure(self, enabled, threshold_cdeg, debounce_ms):
        if threshold_cdeg <= 0 or debounce_ms < 0:
            raise ValueError("threshold must be > 0 and debounce >= 0")
        self.enabled = bool(enabled)
        self.threshold_cdeg = int(threshold_cdeg)
        self.debounce_ms = int(debounce_ms)
        self.reset()

    def reset(self):
        self.firing = False
        self._out_us = 0
        self._since_pulse_us = 0

    def update(self, roll_cdeg, neutral_cdeg, period_us):
        """One sample: roll and neutral in centidegrees, period in microseconds."""
        if not self.enabled:
            self.firing = False
            return False
        dev = roll_cdeg - neutral_cdeg
        if dev < 0:
            dev = -dev
        limit = self.threshold_cdeg - _HYSTERESIS_CDEG if self.firing else self.threshold_cdeg
        if dev <= limit:
            self._out_us = 0
            self.firing = False
            return False
        self._out_us += period_us
        if not self.firing:
            if self._out_us > self.debounce_ms * 1000:
                self.firing = True
                self._since_pulse_us = 0
                return True
            return False
        self._since_pulse_us += period_us
        if self._since_pulse_us >= _REPEAT_MS * 1000:
            self._since_pulse_us = 0
            return True
        return False
