# Stand-in for the ESP32 MicroPython `machine` module, for the firmware on the unix port.
#
# Same constructors and methods as the ESP32 port for what the firmware uses (I2C, SoftI2C, Pin,
# PWM, ADC, Timer, UART, WDT, idle, unique_id, freq, reset). The parts live in one module per
# responsibility and are re-exported here, so `import machine` gives the ESP32 API and nothing
# else:
#   machine_sys.py   clock hook, unique_id, idle/sleep, resets, IRQ masking
#   machine_i2c.py   I2C buses, simulated chips attached to them, the failure schedule
#   machine_pins.py  Pin, PWM, ADC, Timer (objects on the same pin id share state)
#   machine_uart.py  UART
#   machine_wdt.py   WDT (the watchdog; its expiry resets the chip)
#
# Simulation hooks (module level):
#   set_clock(clock)                  virtual clock: timestamps pin/PWM logs, paces idle()/Timer
#   i2c_bus(bus_id) -> _Bus           .attach(addr, dev) / .detach(addr); dev has
#                                     mem_read(memaddr, nbytes) -> bytes, mem_write(memaddr, data)
#                                     .fail_next(n, err=EIO)          next n transfers raise OSError
#                                     .fail_windows(clock, [(t0_us, t1_us), ...], err=ENODEV,
#                                                   on_end=None)  transfers fail inside windows;
#                                                   on_end() runs once after each (e.g. chip reset)
#                                     .transfers, .failures           counters
#   pin_state(pin_id) -> _PinState    .drive(level) external level (fires irq on edges),
#                                     .log [(t_us, level)] output changes (bounded)
#   pwm_state(pin_id) -> _PwmState    .freq, .duty_u16, .log [(t_us, duty_u16)]
#   set_adc_source(pin_id, fn)        fn() -> microvolts at the pin
#   uart_state(uart_id) -> _UartState .feed(bytes) host->device bytes, .take() device->host bytes;
#                                     or .attach_fds(rx_stream, tx_stream) to file objects
#   set_unique_id(bytes)
#   set_log_max(n)                    entries kept in each pin/PWM log (default 4096; 0 = none)
#   deepsleep_calls -> [(t_us, ms)]   every machine.deepsleep(ms): recorded, and it returns (the
#                                     real one never does: the wake is a reset)
#   wdt_state() -> _Watchdog or None  .timeout_ms, .feeds, .armed (machine_wdt.py)
#   wdt_resets -> [(t_us, timeout_ms)] every watchdog expiry (each also calls reset())
from machine_i2c import I2C, SoftI2C, i2c_bus  # noqa: F401
from machine_pins import ADC, PWM, Pin, Timer, pin_state, pwm_state, set_adc_source  # noqa: F401
from machine_sys import (  # noqa: F401
    DEEPSLEEP_RESET,
    PWRON_RESET,
    deepsleep,
    deepsleep_calls,
    disable_irq,
    enable_irq,
    freq,
    idle,
    lightsleep,
    reset,
    reset_cause,
    set_clock,
    set_log_max,
    set_unique_id,
    soft_reset,
    unique_id,
)
from machine_uart import UART, uart_state  # noqa: F401
from machine_wdt import WDT, wdt_resets, wdt_state  # noqa: F401
