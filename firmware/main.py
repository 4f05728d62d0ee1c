# Boot entry on the ESP32: build the real hardware objects and run the App. The only module
# that touches hardware at import time.
import bluetooth
import machine
import time

import board
from app import App


def main():
    i2c = machine.I2C(board.I2C_ID, scl=machine.Pin(board.PIN_I2C_SCL), sda=machine.Pin(board.PIN_I2C_SDA),
                      freq=board.I2C_FREQ_HZ)
    int_pin = machine.Pin(board.PIN_IMU_INT, machine.Pin.IN)
    haptic = machine.PWM(machine.Pin(board.PIN_HAPTIC, machine.Pin.OUT), freq=1000, duty_u16=0)
    led = machine.Pin(board.PIN_LED, machine.Pin.OUT, value=0)
    adc = machine.ADC(machine.Pin(board.PIN_BATTERY_ADC), atten=machine.ADC.ATTN_11DB)
    uart = machine.UART(board.UART_ID, baudrate=board.UART_BAUD)
    app = App(time, i2c, bluetooth.BLE(), int_pin, haptic, led, adc, uart, "", deepsleep=machine.deepsleep)
    app.run()


main()
