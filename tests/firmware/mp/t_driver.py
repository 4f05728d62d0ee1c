# MPU6050 driver against the simulated chip: register setup, scaling, errors, recovery.
import errno

import machine
from drivers.mpu6050 import MPU6050, IMUBusError, IMUMissing
from rig import out
from sim_mpu6050 import SimMPU6050
from vclock import VirtualClock

clock = VirtualClock(0)
machine.set_clock(clock)
pin = machine.Pin(19, machine.Pin.IN)
chip = SimMPU6050(clock, None, pin)
bus = machine.i2c_bus(0)
bus.attach(0x68, chip)
i2c = machine.I2C(0)

# register setup
imu = MPU6050(i2c, accel_range_g=4, gyro_range_dps=500, dlpf_cfg=3)
out("asleep_before", chip.asleep())
imu.init(100)
out("regs", {"PWR_MGMT_1": chip.regs[0x6B], "CONFIG": chip.regs[0x1A], "GYRO_CONFIG": chip.regs[0x1B],
             "ACCEL_CONFIG": chip.regs[0x1C], "SMPLRT_DIV": chip.regs[0x19], "INT_PIN_CFG": chip.regs[0x37],
             "INT_ENABLE": chip.regs[0x38]})
out("period_us", chip.sample_period_us())
for rate in (50, 125, 200):
    imu.set_rate(rate)
    out("div_%d" % rate, chip.regs[0x19])
imu.set_rate(100)

# interrupts at the chip's rate
ticks = []
pin.irq(lambda p: ticks.append(clock.ticks_us()), machine.Pin.IRQ_RISING)
clock.sleep_ms(100)
out("int_count_100ms", len(ticks))
out("int_spacing_us", [ticks[i + 1] - ticks[i] for i in range(len(ticks) - 1)])

# scaling of raw counts: chip-frame values in, SI-ish values out
chip.set_constant(0.5, -0.25, 0.866, 10.0, -20.0, 250.0, 30.0)
clock.sleep_ms(10)
imu.read()
out("raw", list(imu.raw))
out("accel_g", list(imu.accel_g))
out("gyro_dps", list(imu.gyro_dps))
out("temp_c", imu.temp_c)
out("saturated", imu.saturated)
chip.set_constant(5.0, 0.0, 0.0, 600.0, 0.0, 0.0, 25.0)  # beyond +-4 g and +-500 deg/s
clock.sleep_ms(10)
imu.read()
out("sat_raw", [imu.raw[0], imu.raw[4]])
out("sat_flag", imu.saturated)

# transient bus errors are retried
bus.fail_next(2, errno.EIO)
imu.read()
out("retried_ok", True)
out("bus_errors", imu.bus_errors)

# persistent errors become typed errors
bus.fail_next(3, errno.EIO)
try:
    imu.read()
    out("bus_error_type", None)
except IMUBusError as e:
    out("bus_error_type", "IMUBusError")
    out("bus_error_errno", e.errno)

bus.detach(0x68)
try:
    imu.init(100)
    out("missing_type", None)
except IMUMissing as e:
    out("missing_type", "IMUMissing")
    out("missing_errno", e.errno)

# chip back after a power glitch (registers reset, asleep): init recovers it
bus.attach(0x68, chip)
chip.power_on_reset()
out("asleep_after_glitch", chip.asleep())
imu.init(100)
out("awake_after_reinit", imu.is_awake())

# wrong chip at the address
chip.regs[0x75] = 0x70
try:
    imu.init(100)
    out("whoami_type", None)
except IMUMissing:
    out("whoami_type", "IMUMissing")
