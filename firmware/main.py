# Boot entry on the ESP32, and the one place the board is wired: build_app() makes the hardware
# objects on board.py's pins from the `machine` and `bluetooth` modules it is given and hands
# them to the App. main() passes the real modules; the virtual device
# (host/hiplevel/virtual/mp/vdevice.py) imports this module and passes its stand-ins.
#
# MicroPython runs main.py at boot in the `__main__` module (pyexec_file executes it in the
# globals mp_init names "__main__"), so the guard at the bottom starts the loop on the board,
# while `import main` (name "main") only defines the functions: importing touches no hardware.
from micropython import const

import board
from app import App

_HAPTIC_PWM_HZ = const(1000)  # motor MOSFET gate: well above the motor's mechanical response


def build_app(clock, machine_mod, bluetooth_mod, fs_root="", config=None):
    """The App on the board's pins (board.py): MPU6050 on I2C with its data-ready INT pin,
    haptic motor PWM, status LED, battery ADC, USB UART, the BLE radio and the watchdog, all built from
    `machine_mod` / `bluetooth_mod` (the ESP32 modules, or stand-ins with their API). `clock`
    offers ticks_us/ticks_ms/ticks_diff/ticks_add/sleep_ms (the `time` module on the board);
    `fs_root` is the flash directory of config.json and the calibration file ("" = the root);
    `config` overrides config.json (None: load it)."""
    m = machine_mod
    i2c = m.I2C(board.I2C_ID, scl=m.Pin(board.PIN_I2C_SCL), sda=m.Pin(board.PIN_I2C_SDA), freq=board.I2C_FREQ_HZ)
    int_pin = m.Pin(board.PIN_IMU_INT, m.Pin.IN)
    haptic = m.PWM(m.Pin(board.PIN_HAPTIC, m.Pin.OUT), freq=_HAPTIC_PWM_HZ, duty_u16=0)
    led = m.Pin(board.PIN_LED, m.Pin.OUT, value=0)
    adc = m.ADC(m.Pin(board.PIN_BATTERY_ADC), atten=m.ADC.ATTN_11DB)
    uart = m.UART(board.UART_ID, baudrate=board.UART_BAUD)
    return App(clock, i2c, bluetooth_mod.BLE(), int_pin, haptic, led, adc, uart, fs_root, config,
               deepsleep=m.deepsleep, watchdog=m.WDT)


def main():
    """Run the device on the real hardware until the battery shuts it down."""
    import bluetooth
    import machine
    import time

    build_app(time, machine, bluetooth).run()


if __name__ == "__main__":
    main()
