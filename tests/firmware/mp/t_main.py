# firmware/main.py on MicroPython with the stand-ins: importing it runs nothing; build_app() wires
# the board's pins (board.py) to the App; run as the boot script (`__main__`) it starts the App.
import sys

import bluetooth
import machine
from rig import out

scenario = sys.argv[1]
fs_root = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
DIVIDER = 2
BATTERY_MV = 3900  # 61 % on the firmware's LiPo curve
EMPTY_MV = 3400  # 1 %: below the boot threshold


def battery_uv(mv):
    return lambda: mv * 1000 // DIVIDER


if scenario == "import":
    from sim_mpu6050 import SimMPU6050
    from vclock import VirtualClock

    import board

    # an empty battery: were the import to start the App, it would go to deep sleep at once
    machine.set_adc_source(board.PIN_BATTERY_ADC, battery_uv(EMPTY_MV))
    sleeps0 = len(machine.deepsleep_calls)
    import main  # must only define build_app and main

    air = bluetooth.get_air()
    out("import_side_effects", [len(machine.deepsleep_calls) - sleeps0, len(air.adverts), air.services is not None,
                                machine.i2c_bus(board.I2C_ID).transfers])
    clock = VirtualClock(0, 0)
    machine.set_clock(clock)
    # the simulated chip on the pins board.py names: samples arrive only if build_app wired
    # the I2C bus and the INT pin as the board is
    chip = SimMPU6050(clock, None, board.PIN_IMU_INT)
    chip.set_constant(1.0, 0.0, 0.0)
    machine.i2c_bus(board.I2C_ID).attach(0x68, chip)
    machine.set_adc_source(board.PIN_BATTERY_ADC, battery_uv(BATTERY_MV))
    app = main.build_app(clock, machine, bluetooth, fs_root)
    app.run(max_samples=50)
    out("samples", app.samples)
    out("battery", [app.battery.mv, app.battery.pct])
    out("first_advert_battery", air.adverts[0][1][-1])
    out("haptic_pwm_hz", machine.pwm_state(board.PIN_HAPTIC).freq)
    app.haptic.pulse(clock.ticks_ms(), 100)
    out("haptic_pin_duty", machine.pwm_state(board.PIN_HAPTIC).duty_u16 > 0)
    out("led_pin_changes", len(machine.pin_state(board.PIN_LED).log))
    app.serial.send_data(b"\x01\x02")
    out("uart_bytes", len(machine.uart_state(board.UART_ID).take()))

elif scenario == "boot":
    # What MicroPython does with main.py at boot (pyexec_file): compile it and run it in the
    # `__main__` module's globals. An empty battery ends the run at once: boot_check() sends the
    # device back to deep sleep, which the stand-in records and returns from.
    import board

    machine.set_adc_source(board.PIN_BATTERY_ADC, battery_uv(EMPTY_MV))
    with open(sys.argv[3]) as f:
        src = f.read()
    exec(compile(src, "main.py", "exec"), {"__name__": "__main__"})
    out("deepsleep_ms", [ms for (t, ms) in machine.deepsleep_calls])
    out("adverts", len(bluetooth.get_air().adverts))
