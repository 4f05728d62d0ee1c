"""MPU6050 driver on MicroPython against the simulated chip."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def res():
    from .conftest import run_mp

    return run_mp("t_driver.py")


def test_register_setup(res):
    assert res["asleep_before"] is True
    assert res["regs"] == {
        "PWR_MGMT_1": 0x01,  # awake, PLL with X gyro
        "CONFIG": 3,  # DLPF 44 Hz, 1 kHz gyro output
        "GYRO_CONFIG": 1 << 3,  # +-500 deg/s
        "ACCEL_CONFIG": 1 << 3,  # +-4 g
        "SMPLRT_DIV": 9,  # 1000 / (1 + 9) = 100 Hz
        "INT_PIN_CFG": 0x10,
        "INT_ENABLE": 0x01,
    }
    assert res["period_us"] == 10000
    assert (res["div_50"], res["div_125"], res["div_200"]) == (19, 7, 4)


def test_data_ready_paces_samples(res):
    assert res["int_count_100ms"] == 10
    assert set(res["int_spacing_us"]) == {10000}


def test_scaling_of_raw_counts(res):
    # +-4 g: 8192 LSB/g; +-500 deg/s: 65.5 LSB/(deg/s); temp = raw / 340 + 36.53
    assert res["raw"] == [4096, -2048, 7094, round((30 - 36.53) * 340), 655, -1310, 16375]
    assert res["accel_g"] == pytest.approx([0.5, -0.25, 0.866], abs=1.5e-4)
    assert res["gyro_dps"] == pytest.approx([10.0, -20.0, 250.0], abs=0.02)
    assert res["temp_c"] == pytest.approx(30.0, abs=0.01)
    assert res["saturated"] is False


def test_saturation(res):
    assert res["sat_raw"] == [32767, 32767]
    assert res["sat_flag"] is True


def test_bus_errors_retried_then_typed(res):
    assert res["retried_ok"] is True
    assert res["bus_errors"] == 2
    assert res["bus_error_type"] == "IMUBusError"
    assert res["bus_error_errno"] == 5  # EIO


def test_missing_chip_and_recovery(res):
    assert res["missing_type"] == "IMUMissing"
    assert res["missing_errno"] == 19  # ENODEV, as the ESP32 port raises
    assert res["asleep_after_glitch"] is True
    assert res["awake_after_reinit"] is True
    assert res["whoami_type"] == "IMUMissing"
