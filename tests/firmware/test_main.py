"""firmware/main.py on MicroPython: `import main` (as the virtual device does) starts nothing,
build_app() wires board.py's pins to the App, and main.py run as the boot script runs the App."""

from __future__ import annotations

import pytest

from .conftest import FIRMWARE, run_mp

WAKE_MS = 600000


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    return run_mp("t_main.py", "import", str(tmp_path_factory.mktemp("import")))


def test_import_starts_nothing(imported):
    # no deep sleep, no advertising, no GATT table, no I2C transfer until build_app() is called
    assert imported["import_side_effects"] == [0, 0, False, 0]


def test_build_app_wires_the_board_pins(imported):
    assert imported["samples"] == 50  # MPU6050 on I2C 0 with its INT pin
    mv, pct = imported["battery"]
    assert mv == 3900 and pct == 61  # battery ADC pin, through the 1:2 divider
    assert imported["first_advert_battery"] == 61
    assert imported["haptic_pwm_hz"] == 1000 and imported["haptic_pin_duty"] is True
    assert imported["led_pin_changes"] > 0  # status LED
    assert imported["uart_bytes"] > 2  # the serial link frames on the USB UART


def test_boot_script_runs_the_app(tmp_path):
    r = run_mp("t_main.py", "boot", str(tmp_path), str(FIRMWARE / "main.py"), tmp_path=tmp_path)
    # the App ran its boot check on the (empty) battery and went back to sleep
    assert r["deepsleep_ms"] == [WAKE_MS]
    assert r["adverts"] >= 1
