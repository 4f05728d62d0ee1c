# Low-battery policy (hardware/power.md, "Low-battery behaviour"): pure state from the averaged
# battery percent; the app acts on it (flag, haptic, shutdown). No hardware, no clock.
#
# | battery      | state                                      | why (hardware/power.md)                      |
# | < 15 %       | `low`: LOW_BATTERY flag, LED blink code     | ~40 min of streaming left on 500 mAh         |
# | < 10 %       | `haptic_allowed` False until > 12 %         | a 75 mA motor pulse sags a flat cell 0.1-0.2 V |
# | < 5 %        | `shutdown`: stop, last STATUS, IMU asleep,  | protect the cell from deep discharge         |
# |              | deep sleep, wake every 10 min               |                                              |
# | boot         | only above 8 % (charging), else sleep again | hysteresis against a boot loop at 5 %        |
LOW_BATTERY_PCT = 15
HAPTIC_OFF_PCT = 10
HAPTIC_ON_PCT = 12
SHUTDOWN_PCT = 5
BOOT_MIN_PCT = 8
WAKE_INTERVAL_MS = 600000  # 10 min in deep sleep between battery checks
UNKNOWN_PCT = 255  # no reading (no ADC, or 0 mV): nothing is switched off on its account


def may_boot(pct):
    """True when a device waking with `pct` % may run normally (strictly above BOOT_MIN_PCT)."""
    return pct == UNKNOWN_PCT or pct > BOOT_MIN_PCT


class PowerPolicy:
    """`update(pct)` with each averaged reading; read `low`, `haptic_allowed`, `shutdown`."""

    def __init__(self):
        self.low = False
        self.haptic_allowed = True
        self.shutdown = False

    def update(self, pct):
        if pct > 100:
            return  # unknown: keep the last state
        self.low = pct < LOW_BATTERY_PCT
        if self.haptic_allowed and pct < HAPTIC_OFF_PCT:
            self.haptic_allowed = False
        elif not self.haptic_allowed and pct > HAPTIC_ON_PCT:
            self.haptic_allowed = True
        self.shutdown = pct < SHUTDOWN_PCT
