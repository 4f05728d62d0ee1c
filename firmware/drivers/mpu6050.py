# MPU6050 driver over an I2C bus object passed in (machine.I2C on the ESP32).
# Register numbers and bit meanings: InvenSense RM-MPU-6000A-00 rev 4.2.
from micropython import const

ADDRESS = const(0x68)
WHO_AM_I_VALUE = const(0x68)

_SMPLRT_DIV = const(0x19)
_CONFIG = const(0x1A)
_GYRO_CONFIG = const(0x1B)
_ACCEL_CONFIG = const(0x1C)
_INT_PIN_CFG = const(0x37)
_INT_ENABLE = const(0x38)
_INT_STATUS = const(0x3A)
_ACCEL_XOUT_H = const(0x3B)
_PWR_MGMT_1 = const(0x6B)
_WHO_AM_I = const(0x75)

_CLKSEL_PLL_GYRO_X = const(0x01)  # wake (SLEEP=0), clock from the X gyro PLL: more stable than 8 MHz RC
_INT_RD_CLEAR = const(0x10)  # any read clears INT_STATUS; push-pull, active high, 50 us pulse
_DATA_RDY_EN = const(0x01)
_SLEEP_BIT = const(0x40)
_TEMP_CDEGC_NUM = const(5)  # raw / 340 deg C = raw * 5 / 17 centidegrees
_TEMP_CDEGC_DEN = const(17)
_TEMP_OFFSET_CDEGC = const(3653)
_GYRO_OUT_RATE_HZ = const(1000)  # with the DLPF on (DLPF_CFG 1..6)
_BURST_BYTES = const(14)

# full-scale range -> (FS_SEL bits, LSB per unit)
ACCEL_RANGES_G = {2: (0, 16384.0), 4: (1, 8192.0), 8: (2, 4096.0), 16: (3, 2048.0)}
GYRO_RANGES_DPS = {250: (0, 131.0), 500: (1, 65.5), 1000: (2, 32.8), 2000: (3, 16.4)}
DLPF_BANDWIDTH_HZ = {1: 184, 2: 94, 3: 44, 4: 21, 5: 10, 6: 5}
_TEMP_LSB_PER_C = 340.0
_TEMP_OFFSET_C = 36.53


class IMUError(Exception):
    """Root of the driver's errors; `errno` is the last OSError errno (0 if none)."""

    def __init__(self, msg, errno=0):
        super().__init__(msg)
        self.errno = errno


class IMUMissing(IMUError):
    """No device acknowledges the address, or WHO_AM_I is not 0x68."""


class IMUBusError(IMUError):
    """The bus failed (NACK mid-transfer, timeout) after the retries."""


def _i16(b, i):
    v = (b[i] << 8) | b[i + 1]
    return v - 0x10000 if v & 0x8000 else v


class MPU6050:
    """Accelerometer + gyro on I2C. After `read()`, `accel_g`, `gyro_dps` (chip frame) and
    `temp_c` hold the latest sample and `raw` the 7 counts (ax, ay, az, temp, gx, gy, gz)."""

    def __init__(self, i2c, address=ADDRESS, accel_range_g=4, gyro_range_dps=500, dlpf_cfg=3, retries=3):
        if accel_range_g not in ACCEL_RANGES_G or gyro_range_dps not in GYRO_RANGES_DPS:
            raise ValueError("unsupported full-scale range")
        if dlpf_cfg not in DLPF_BANDWIDTH_HZ:
            raise ValueError("DLPF_CFG must be 1..6 (1 kHz gyro output rate)")
        self._i2c = i2c
        self.address = address
        self.accel_range_g = accel_range_g
        self.gyro_range_dps = gyro_range_dps
        self.dlpf_cfg = dlpf_cfg
        self.retries = retries
        self.accel_lsb_per_g = ACCEL_RANGES_G[accel_range_g][1]
        self.gyro_lsb_per_dps = GYRO_RANGES_DPS[gyro_range_dps][1]
        self._accel_scale = 1.0 / self.accel_lsb_per_g
        self._gyro_scale = 1.0 / self.gyro_lsb_per_dps
        self._buf = bytearray(_BURST_BYTES)
        self._one = bytearray(1)
        self.raw = [0] * 7
        self.accel_g = [0.0, 0.0, 0.0]
        self.gyro_dps = [0.0, 0.0, 0.0]
        self.temp_c = 0.0
        self.saturated = False
        self.rate_hz = 0
        self.bus_errors = 0

    # --- bus access with retries -----------------------------------------------------------
    def _fail(self, err, what):
        if err == 19:  # ENODEV: nobody acknowledged the address
            raise IMUMissing("MPU6050 not answering at 0x%02x (%s)" % (self.address, what), err)
        raise IMUBusError("I2C error %d during %s" % (err, what), err)

    def _read_into(self, reg, buf):
        err = 0
        for _ in range(self.retries):
            try:
                self._i2c.readfrom_mem_into(self.address, reg, buf)
                return
            except OSError as e:
                self.bus_errors += 1
                err = e.args[0] if e.args else 0
        self._fail(err, "read 0x%02x" % reg)

    def _write(self, reg, value):
        self._one[0] = value
        err = 0
        for _ in range(self.retries):
            try:
                self._i2c.writeto_mem(self.address, reg, self._one)
                return
            except OSError as e:
                self.bus_errors += 1
                err = e.args[0] if e.args else 0
        self._fail(err, "write 0x%02x" % reg)

    def read_register(self, reg):
        """One register byte (with retries)."""
        self._read_into(reg, self._one)
        return self._one[0]

    def _write_checked(self, reg, value):
        self._write(reg, value)
        back = self.read_register(reg)
        if back != value:
            raise IMUBusError("register 0x%02x reads 0x%02x, wrote 0x%02x" % (reg, back, value))

    # --- configuration ---------------------------------------------------------------------
    def who_am_i(self):
        return self.read_register(_WHO_AM_I)

    def init(self, rate_hz=100):
        """Check identity, wake, set DLPF, ranges, rate and the data-ready interrupt.
        Raises IMUMissing / IMUBusError; safe to call again to recover after a fault."""
        who = self.who_am_i()
        if who != WHO_AM_I_VALUE:
            raise IMUMissing("WHO_AM_I is 0x%02x, expected 0x68" % who)
        self._write_checked(_PWR_MGMT_1, _CLKSEL_PLL_GYRO_X)
        self._write_checked(_CONFIG, self.dlpf_cfg)
        self._write_checked(_GYRO_CONFIG, GYRO_RANGES_DPS[self.gyro_range_dps][0] << 3)
        self._write_checked(_ACCEL_CONFIG, ACCEL_RANGES_G[self.accel_range_g][0] << 3)
        self.set_rate(rate_hz)
        self._write_checked(_INT_PIN_CFG, _INT_RD_CLEAR)
        self._write_checked(_INT_ENABLE, _DATA_RDY_EN)

    def set_rate(self, rate_hz):
        """Output data rate = 1 kHz / (1 + SMPLRT_DIV); rate_hz must divide 1000 (50..200)."""
        if rate_hz < 4 or rate_hz > _GYRO_OUT_RATE_HZ or _GYRO_OUT_RATE_HZ % rate_hz:
            raise ValueError("rate must divide 1000 Hz")
        self._write_checked(_SMPLRT_DIV, _GYRO_OUT_RATE_HZ // rate_hz - 1)
        self.rate_hz = rate_hz

    def is_awake(self):
        return not self.read_register(_PWR_MGMT_1) & _SLEEP_BIT

    def sleep(self):
        """Chip to sleep (PWR_MGMT_1 SLEEP, 5 uA): no samples, no data-ready until init()."""
        self._write(_PWR_MGMT_1, _SLEEP_BIT | _CLKSEL_PLL_GYRO_X)

    # --- data --------------------------------------------------------------------------------
    def read_raw(self):
        """One 14-byte burst from ACCEL_XOUT_H: fills `raw` (counts) and `saturated` only; no
        allocation (the sample loop's read)."""
        buf = self._buf
        self._read_into(_ACCEL_XOUT_H, buf)
        raw = self.raw
        sat = False
        for i in range(7):
            v = _i16(buf, 2 * i)
            raw[i] = v
            if (v == 32767 or v == -32768) and i != 3:
                sat = True
        self.saturated = sat

    def temp_cdegc(self):
        """Temperature of the latest read, hundredths of deg C, as an int (no float)."""
        return (self.raw[3] * _TEMP_CDEGC_NUM + _TEMP_CDEGC_DEN // 2) // _TEMP_CDEGC_DEN + _TEMP_OFFSET_CDEGC

    def read(self):
        """read_raw(), then accel_g, gyro_dps, temp_c (chip frame, floats: allocates)."""
        self.read_raw()
        raw = self.raw
        s = self._accel_scale
        self.accel_g[0] = raw[0] * s
        self.accel_g[1] = raw[1] * s
        self.accel_g[2] = raw[2] * s
        s = self._gyro_scale
        self.gyro_dps[0] = raw[4] * s
        self.gyro_dps[1] = raw[5] * s
        self.gyro_dps[2] = raw[6] * s
        self.temp_c = raw[3] / _TEMP_LSB_PER_C + _TEMP_OFFSET_C

    def accel_ms2(self):
        """Latest acceleration, m/s^2 (chip frame), SI helper (allocates)."""
        return [a * 9.80665 for a in self.accel_g]

    def gyro_rps(self):
        """Latest angular rate, rad/s (chip frame), SI helper (allocates)."""
        return [g * 0.017453292519943295 for g in self.gyro_dps]
