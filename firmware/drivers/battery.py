# LiPo battery through a resistor divider into an ESP32 ADC pin (ADC object passed in).

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
LOW_BATTERY_PCT = 15


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
    """Battery voltage via `adc.read_uv()` (calibrated on the ESP32) and a divider."""

    def __init__(self, adc, divider_ratio=2.0, samples=8):
        self._adc = adc
        self._ratio = divider_ratio
        self._samples = samples
        self.mv = 0
        self.pct = 255  # unknown until read

    def read(self):
        """Average a few conversions; updates and returns (mv, pct)."""
        total_uv = 0
        for _ in range(self._samples):
            total_uv += self._adc.read_uv()
        self.mv = int(total_uv / self._samples * self._ratio / 1000)
        self.pct = percent_from_mv(self.mv) if self.mv > 0 else 255
        return self.mv, self.pct
