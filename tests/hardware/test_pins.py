"""hardware/pins.toml, firmware/board.py and hardware/wiring.svg cannot disagree.

board.py is read with `ast` (no import: it is MicroPython and may import `machine` one day)."""

from __future__ import annotations

import ast
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PINS = tomllib.loads((REPO / "hardware" / "pins.toml").read_text(encoding="utf-8"))
BOARD_PY = REPO / "firmware" / "board.py"
# The values the firmware was specified with, used while board.py does not exist yet.
SPECIFIED = {"PIN_I2C_SDA": 21, "PIN_I2C_SCL": 22, "I2C_FREQ_HZ": 400000, "PIN_IMU_INT": 19,
             "PIN_HAPTIC": 25, "PIN_LED": 2, "PIN_BATTERY_ADC": 35, "BATTERY_DIVIDER_RATIO": 2}  # fmt: skip
# ESP32 (WROOM-32E): GPIO 6-11 are the SPI flash; 34-39 are input only; ADC1 is GPIO 32-39.
FLASH_GPIOS = set(range(6, 12))
INPUT_ONLY_GPIOS = set(range(34, 40))
ADC1_GPIOS = set(range(32, 40))


def board_constants() -> dict[str, object]:
    """Top-level `NAME = literal` assignments of firmware/board.py (SPECIFIED when it is absent)."""
    if not BOARD_PY.exists():
        return dict(SPECIFIED)
    out: dict[str, object] = {}
    for node in ast.parse(BOARD_PY.read_text(encoding="utf-8")).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        value = node.value
        if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "const" and value.args:
            value = value.args[0]  # MicroPython's const(...)
        try:
            out[node.targets[0].id] = ast.literal_eval(value)
        except ValueError:
            continue  # computed at run time: not a pin-map value
    return out


def test_every_pin_in_the_map_matches_board_py() -> None:
    consts = board_constants()
    for name, pin in PINS["pins"].items():
        assert pin["board_constant"] in consts, f"board.py lacks {pin['board_constant']} ({name})"
        assert consts[pin["board_constant"]] == pin["gpio"], f"{name}: pins.toml GPIO{pin['gpio']}, board.py {consts[pin['board_constant']]}"
    assert consts[PINS["i2c"]["board_constant_freq"]] == PINS["i2c"]["freq_hz"]
    assert consts[PINS["battery"]["board_constant_ratio"]] == PINS["battery"]["divider_ratio"]
    if "I2C_ID" in consts:
        assert consts["I2C_ID"] == PINS["i2c"]["id"]


def test_every_pin_constant_of_board_py_is_in_the_map() -> None:
    mapped = {pin["board_constant"] for pin in PINS["pins"].values()}
    pin_consts = {k for k in board_constants() if k.startswith("PIN_")}
    assert pin_consts <= mapped, f"in board.py but not in hardware/pins.toml: {sorted(pin_consts - mapped)}"


def test_specified_values_hold() -> None:
    consts = board_constants()
    for name, value in SPECIFIED.items():
        assert consts[name] == value, name


def test_pins_are_usable_esp32_gpios() -> None:
    gpios = [pin["gpio"] for pin in PINS["pins"].values()]
    assert len(gpios) == len(set(gpios)), "a GPIO is used twice"
    for name, pin in PINS["pins"].items():
        assert 0 <= pin["gpio"] <= 39 and pin["gpio"] not in FLASH_GPIOS, name
        if pin["gpio"] in INPUT_ONLY_GPIOS:
            assert pin["direction"] == "input", f"{name}: GPIO{pin['gpio']} is input only"
    assert PINS["pins"]["battery_adc"]["gpio"] in ADC1_GPIOS  # ADC2 is blocked while the radio runs
    b = PINS["battery"]
    assert b["divider_ratio"] == pytest.approx((b["divider_top_ohm"] + b["divider_bottom_ohm"]) / b["divider_bottom_ohm"])
    assert 4.2 / b["divider_ratio"] < 2.45, "full battery must stay inside the 11 dB ADC range"


def test_wiring_diagram_is_svg_and_labels_every_gpio() -> None:
    svg = REPO / "hardware" / "wiring.svg"
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    text = " ".join(t.strip() for t in root.itertext())
    for name, pin in PINS["pins"].items():
        assert re.search(rf"\bGPIO{pin['gpio']}\b", text), f"wiring.svg does not show GPIO{pin['gpio']} ({name})"
        assert pin["net"] in text, f"wiring.svg does not name net {pin['net']}"


def test_mounting_drawing_is_svg() -> None:
    root = ET.parse(REPO / "hardware" / "mounting.svg").getroot()
    assert root.tag.endswith("svg")
    text = " ".join(root.itertext())
    for preset in ("standard", "usb_up", "usb_left", "usb_right"):
        assert preset in text
