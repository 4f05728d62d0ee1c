# Battery watch and the low-battery shutdown (hardware/power.md, "Low-battery behaviour"; the
# thresholds are in core/power.py). One reading a second, only while the motor is off, into the
# battery driver's 8-reading window; decisions on the window's mean.
from micropython import const

from core import power
from drivers import led as led_codes
from drivers.battery import Battery
from drivers.mpu6050 import IMUError

_READ_EVERY_MS = const(1000)


class PowerManager:
    """`battery` (None without an ADC), `policy` (core.power.PowerPolicy), `halted` after the
    shutdown. `low` and `haptic_allowed` mirror the policy. `deepsleep(ms)`: machine.deepsleep,
    or None to import it from `machine` when it is needed."""

    def __init__(self, app, adc, deepsleep=None):
        self._app = app
        self.battery = Battery(adc) if adc is not None else None
        self.policy = power.PowerPolicy()
        self._deepsleep = deepsleep
        self._next_ms = app.clock.ticks_ms()
        self.halted = False
        self.sleeps = 0

    @property
    def low(self):
        return self.policy.low

    @property
    def haptic_allowed(self):
        return self.policy.haptic_allowed

    def periodic(self, now_ms):
        """From the main loop: a reading when one is due and the motor is off."""
        app = self._app
        if self.battery is None or app.clock.ticks_diff(now_ms, self._next_ms) < 0:
            return
        if app.haptic is not None and app.haptic.on:
            return  # a motor pulse sags the cell by 0.1-0.2 V: read after it
        self._next_ms = app.clock.ticks_add(now_ms, _READ_EVERY_MS)
        bat = self.battery
        was_low = self.policy.low
        bat.read()
        if app.ble is not None:
            app.ble.set_battery(bat.pct)
        if not bat.full:
            return  # decisions wait for a whole window of readings
        self.policy.update(bat.pct)
        if self.policy.low != was_low:
            app.set_led()
        if self.policy.shutdown:
            self.shutdown()

    def boot_check(self):
        """At power-on or a wake from deep sleep: True when the device may run (above
        power.BOOT_MIN_PCT, or no ADC); otherwise it goes back to deep sleep."""
        bat = self.battery
        if bat is None:
            return True
        bat.prime()  # motor off: nothing has pulsed it yet
        if self._app.ble is not None:
            self._app.ble.set_battery(bat.pct)
        self.policy.update(bat.pct)
        if power.may_boot(bat.pct):
            return True
        self.shutdown()
        return False

    def shutdown(self):
        """Stop streaming, a last STATUS (when it fits the link), motor, LED and IMU off, deep
        sleep with a timed wake. Never returns on the device (the wake is a reset)."""
        app = self._app
        if app.streaming:
            app.stop_stream()
        app.send_status()  # mode 0 with LOW_BATTERY: the host learns why the stream ended
        if app.haptic is not None:
            app.haptic.stop()
        if app.led is not None:
            now = app.clock.ticks_ms()
            app.led.set_code(led_codes.OFF, now)
            app.led.update(now)
        try:
            app.imu.sleep()
        except IMUError:
            pass  # a chip that does not answer cannot be put to sleep; sleep anyway
        app.imu_ok = False
        self.halted = True
        self.sleeps += 1
        sleep = self._deepsleep
        if sleep is None:
            import machine  # only here: everything else gets its hardware passed in

            sleep = machine.deepsleep
        sleep(power.WAKE_INTERVAL_MS)
