"""The `machine` stand-in offers the ESP32 port's names and nothing else (its parts live in
machine_*.py and are re-exported), plus the documented simulation hooks."""

from __future__ import annotations

from .conftest import run_mp

ESP32_NAMES = {
    "ADC", "DEEPSLEEP_RESET", "I2C", "PWM", "PWRON_RESET", "Pin", "SoftI2C", "Timer", "UART", "WDT", "deepsleep",
    "disable_irq", "enable_irq", "freq", "idle", "lightsleep", "reset", "reset_cause", "soft_reset", "unique_id",
}
SIMULATION_HOOKS = {"deepsleep_calls", "i2c_bus", "pin_state", "pwm_state", "set_adc_source", "set_clock",
                    "set_log_max", "set_unique_id", "uart_state", "wdt_resets", "wdt_state"}


def test_machine_names_are_the_esp32_ones_and_the_hooks():
    r = run_mp("t_standins.py")
    assert set(r["machine"]) == ESP32_NAMES | SIMULATION_HOOKS
    assert r["SoftI2C_is_I2C"] is True
    assert r["I2C"] == ["deinit", "init", "readfrom", "readfrom_into", "readfrom_mem", "readfrom_mem_into", "scan",
                        "writeto", "writeto_mem"]
    assert {"IN", "OUT", "IRQ_RISING", "IRQ_FALLING", "init", "irq", "value", "on", "off"} <= set(r["Pin"])
    assert r["PWM"] == ["deinit", "duty", "duty_u16", "freq", "init"]
    assert {"ATTN_11DB", "read", "read_u16", "read_uv"} <= set(r["ADC"])
    assert {"ONE_SHOT", "PERIODIC", "init", "deinit"} <= set(r["Timer"])
    assert r["UART"] == ["any", "deinit", "flush", "init", "read", "readinto", "txdone", "write"]
    assert r["WDT"] == ["feed"]


def test_pin_logs_are_bounded_and_can_be_switched_off():
    r = run_mp("t_standins.py")
    assert r["pin_log_default"] == 9  # every change is logged (the first write sets 0 = no change)
    assert r["pin_log_bounded"] == [1, 0, 1]  # the newest 3 changes
    assert r["pin_log_off"] == 3  # nothing more is kept
