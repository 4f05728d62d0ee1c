# LiPo battery through a resistor divider into an ESP32 ADC pin (ADC object passed in).
# Readings are averaged twice: a burst of conversions per reading (ADC noise) and a moving window
# of readings (BLE bursts and load steps); the caller takes readings only while the motor is off
# (hardware/power.md: a motor pulse sags the cell by 0.1-0.2 V).

# Open-circuit voltage -> state of charge of a 1-cell LiPo at light load (typical curve of
# 3.7 V pouch cells; +-10 % is what a voltage-only gauge can do).
_LIPO_CURVE_MV_PCT = (
    (3300, 0),
    (3600, 5),
    (3700, 15),
    (3750, 25),
    (3790, 35),
    (3830, 45),
    (3870, 55),
    (3920, 65),
    (3980, 75),
    (4060, 85),
    (4120, 92),
    (4200, 100),
)
WINDOW_READINGS = 8  # readings averaged; at one a second, 8 s
UNKNOWN_PCT = 255


def percent_from_mv(mv):
    """State of charge, %, from battery millivolts (piecewise-linear LiPo curve)."""
    curve = _LIPO_CURVE_MV_PCT
    if mv <= curve[0][0]:
        return 0
    for i in range(1, len(curve)):
        v1, p1 = curve[i]
        if mv <= v1:
            v0, p0 = curve[i - 1]
            return p0 + (p1 - p0) * (mv - v0) // (v1 - v0)
    return 100


class Battery:
    """Battery voltage via `adc.read_uv()` (calibrated on the ESP32) and a divider. `mv` and
    `pct` are the mean of the last `window` readings; `full` once the window has filled."""

    def __init__(self, adc, divider_ratio=2.0, samples=8, window=WINDOW_READINGS):
        self._adc = adc
        self._ratio = divider_ratio
        self._samples = samples
        self._win = [0] * window
        self._n = 0
        self._i = 0
        self.mv = 0
        self.pct = UNKNOWN_PCT  # unknown until read

    @property
    def full(self):
        return self._n >= len(self._win)

    def read(self):
        """One reading (a burst of conversions) into the window; updates and returns (mv, pct)."""
        total_uv = 0
        for _ in range(self._samples):
            total_uv += self._adc.read_uv()
        reading = int(total_uv * self._ratio / self._samples) // 1000
        w = self._win
        w[self._i] = reading
        self._i = (self._i + 1) % len(w)
        if self._n < len(w):
            self._n += 1
        total = 0
        for k in range(self._n):
            total += w[k]
        self.mv = total // self._n
        self.pct = percent_from_mv(self.mv) if self.mv > 0 else UNKNOWN_PCT
        return self.mv, self.pct

    def prime(self):
        """Fill the whole window now (at boot, motor off): returns (mv, pct)."""
        for _ in range(len(self._win)):
            self.read()
        return self.mv, self.pct
