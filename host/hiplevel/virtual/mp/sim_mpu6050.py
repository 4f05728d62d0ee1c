# Simulated MPU6050 behind the stand-in machine.I2C (simulation only, runs on MicroPython).
#
#   chip = SimMPU6050(clock, chip_stream_path, int_pin)   # path may be None (then synthetic)
#   machine.i2c_bus(0).attach(0x68, chip)
#
# Register map as the chip (RM-MPU-6000A-00 rev 4.2): power-on PWR_MGMT_1 = 0x40 (asleep),
# WHO_AM_I = 0x68, SMPLRT_DIV, CONFIG (DLPF: gyro output rate 1 kHz when DLPF_CFG is 1..6, else
# 8 kHz), GYRO_CONFIG / ACCEL_CONFIG full-scale ranges, INT_PIN_CFG (active level, latch, read
# clear), INT_ENABLE (data ready), INT_STATUS (cleared on read), data at 0x3B..0x48 as big-endian
# int16 (accel xyz, temp, gyro xyz), rounded and saturated. While awake, a sample is latched every
# (1 + SMPLRT_DIV) gyro-output periods and the INT pin fires if data-ready is enabled.
#
# Chip stream file (docs/virtual-device.md): b"HLCHIP1\n", u32 rate, u32 n, n x 7 float32
# (ax_g, ay_g, az_g, gx_dps, gy_dps, gz_dps, temp_c) in the chip frame; record floor(t * rate)
# is served. Synthetic feeds: set_constant(...) or set_source(fn(t_us) -> 7-tuple).
import struct

import machine

_MAGIC = b"HLCHIP1\n"
_HEADER_BYTES = 16
_RECORD_BYTES = 28

R_SMPLRT_DIV = 0x19
R_CONFIG = 0x1A
R_GYRO_CONFIG = 0x1B
R_ACCEL_CONFIG = 0x1C
R_INT_PIN_CFG = 0x37
R_INT_ENABLE = 0x38
R_INT_STATUS = 0x3A
R_ACCEL_XOUT_H = 0x3B
R_GYRO_ZOUT_L = 0x48
R_SIGNAL_PATH_RESET = 0x68
R_PWR_MGMT_1 = 0x6B
R_WHO_AM_I = 0x75

_ACCEL_LSB_PER_G = (16384.0, 8192.0, 4096.0, 2048.0)
_GYRO_LSB_PER_DPS = (131.0, 65.5, 32.8, 16.4)
_TEMP_LSB_PER_C = 340.0
_TEMP_OFFSET_C = 36.53
_ASLEEP_POLL_US = 1000
_WAIT_LOOP_US = 1000000  # a waiting patient's standing: the last second before the wait, again


def _clamp_i16(v):
    if v > 32767:
        return 32767, True
    if v < -32768:
        return -32768, True
    return v, False


class SimMPU6050:
    """Register-level MPU6050 model driven by a VirtualClock."""

    def __init__(self, clock, chip_stream_path=None, int_pin=None, address=0x68):
        self.clock = clock
        self.address = address
        self.regs = bytearray(128)
        self.samples_latched = 0
        self.saturations = 0
        self.exhausted = False
        self.on_end = None  # called once when the chip stream runs out
        self._pin = None
        if int_pin is not None:
            pid = int_pin if isinstance(int_pin, int) else int_pin.id
            self._pin = machine.pin_state(pid)
        self._file = None
        self._rate_hz = 1000
        self._n = 0
        self._source = None
        self._const = (0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 25.0)
        self._wait_at_us = None  # chip-stream time where the simulated patient waits for GO
        self._late_us = 0  # how far the chip stream runs behind the clock after waiting
        if chip_stream_path is not None:
            self._open(chip_stream_path)
        self._next_us = None
        self.power_on_reset()
        clock.add_listener(self._on_time)

    # --- feeds -----------------------------------------------------------------------------
    def _open(self, path):
        f = open(path, "rb")
        head = f.read(_HEADER_BYTES)
        if len(head) != _HEADER_BYTES or head[:8] != _MAGIC:
            raise ValueError("not a chip stream: %s" % path)
        self._rate_hz, self._n = struct.unpack("<II", head[8:16])
        self._file = f

    def set_constant(self, ax_g, ay_g, az_g, gx_dps=0.0, gy_dps=0.0, gz_dps=0.0, temp_c=25.0):
        """Serve the same chip-frame values from now on (g, deg/s, deg C)."""
        self._file = None
        self._source = None
        self._const = (ax_g, ay_g, az_g, gx_dps, gy_dps, gz_dps, temp_c)

    def set_source(self, fn):
        """fn(t_us) -> (ax_g, ay_g, az_g, gx_dps, gy_dps, gz_dps, temp_c), chip frame."""
        self._file = None
        self._source = fn

    def wait_at(self, t_s):
        """The simulated patient waits at chip-stream time t_s until `go`, standing as they stood
        in the second before it (that second of records plays again and again, so the sensor
        keeps its noise and bias: one record held would be a sensor without noise)."""
        self._wait_at_us = int(t_s * 1000000)

    def go(self, now_us):
        """The patient starts again at virtual time now_us from where they waited."""
        if self._wait_at_us is not None:
            self._late_us = max(0, now_us - self._wait_at_us)
            self._wait_at_us = None

    def record_at(self, t_us):
        """Chip-frame physical values at virtual time t_us."""
        if self._source is not None:
            return self._source(t_us)
        if self._file is None:
            return self._const
        t_us -= self._late_us
        if self._wait_at_us is not None and t_us > self._wait_at_us:
            loop = min(_WAIT_LOOP_US, self._wait_at_us)
            t_us = self._wait_at_us - loop + (t_us - self._wait_at_us) % loop if loop > 0 else 0
        idx = t_us * self._rate_hz // 1000000
        if idx >= self._n:
            if not self.exhausted:
                self.exhausted = True
                if self.on_end is not None:
                    self.on_end()
            idx = self._n - 1
            if idx < 0:
                return self._const
        self._file.seek(_HEADER_BYTES + idx * _RECORD_BYTES)
        return struct.unpack("<7f", self._file.read(_RECORD_BYTES))

    # --- chip state --------------------------------------------------------------------------
    def power_on_reset(self):
        """Registers to their power-on values: asleep, no interrupts (also DEVICE_RESET)."""
        for i in range(len(self.regs)):
            self.regs[i] = 0
        self.regs[R_PWR_MGMT_1] = 0x40
        self.regs[R_WHO_AM_I] = 0x68
        self._next_us = None
        if self._pin is not None:
            self._pin.drive(self._inactive_level())

    def asleep(self):
        return bool(self.regs[R_PWR_MGMT_1] & 0x40)

    def sample_period_us(self):
        """Output data period: (1 + SMPLRT_DIV) gyro-output periods."""
        dlpf = self.regs[R_CONFIG] & 0x07
        base_us = 1000 if 1 <= dlpf <= 6 else 125
        return (1 + self.regs[R_SMPLRT_DIV]) * base_us

    def _inactive_level(self):
        return 1 if self.regs[R_INT_PIN_CFG] & 0x80 else 0

    def _on_time(self, now_us):
        if self.asleep():
            self._next_us = None
            return now_us + _ASLEEP_POLL_US  # a register write may wake the chip
        period = self.sample_period_us()
        if self._next_us is None:
            self._next_us = (now_us // period + 1) * period
            return self._next_us
        if now_us >= self._next_us:
            self._latch(now_us)
            self._next_us = (now_us // period + 1) * period
        return self._next_us

    def _latch(self, t_us):
        rec = self.record_at(t_us)
        a_lsb = _ACCEL_LSB_PER_G[(self.regs[R_ACCEL_CONFIG] >> 3) & 3]
        g_lsb = _GYRO_LSB_PER_DPS[(self.regs[R_GYRO_CONFIG] >> 3) & 3]
        vals = (
            rec[0] * a_lsb,
            rec[1] * a_lsb,
            rec[2] * a_lsb,
            (rec[6] - _TEMP_OFFSET_C) * _TEMP_LSB_PER_C,
            rec[3] * g_lsb,
            rec[4] * g_lsb,
            rec[5] * g_lsb,
        )
        for i in range(7):
            v, sat = _clamp_i16(int(round(vals[i])))
            if sat:
                self.saturations += 1
            struct.pack_into(">h", self.regs, R_ACCEL_XOUT_H + 2 * i, v)
        self.samples_latched += 1
        self.regs[R_INT_STATUS] |= 0x01
        if self.regs[R_INT_ENABLE] & 0x01 and self._pin is not None:
            active = 1 - self._inactive_level()
            self._pin.drive(active)
            if not self.regs[R_INT_PIN_CFG] & 0x20:
                # 50 us pulse: the edge is what the ESP32 sees
                self._pin.drive(1 - active)

    # --- I2C device interface ------------------------------------------------------------------
    def mem_read(self, memaddr, nbytes):
        out = bytearray(nbytes)
        cleared = False
        for i in range(nbytes):
            reg = (memaddr + i) & 0x7F
            out[i] = self.regs[reg]
            if reg == R_INT_STATUS or self.regs[R_INT_PIN_CFG] & 0x10:
                cleared = True
        if cleared:
            self.regs[R_INT_STATUS] = 0
            if self.regs[R_INT_PIN_CFG] & 0x20 and self._pin is not None:
                self._pin.drive(self._inactive_level())
        return out

    def mem_write(self, memaddr, data):
        for i in range(len(data)):
            reg = (memaddr + i) & 0x7F
            v = data[i]
            if reg == R_PWR_MGMT_1 and v & 0x80:
                self.power_on_reset()
                continue
            if reg == R_WHO_AM_I or reg == R_INT_STATUS or R_ACCEL_XOUT_H <= reg <= R_GYRO_ZOUT_L:
                continue  # read-only
            self.regs[reg] = v
            if reg == R_PWR_MGMT_1 and not v & 0x40:
                self._next_us = None
