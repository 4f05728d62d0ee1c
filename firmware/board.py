# Pin map of the hiplevel belt sensor (ESP32 DevKit + GY-521 MPU6050 breakout).
# hardware/pins.toml carries the same values; a test compares the two.
I2C_ID = 0
PIN_I2C_SDA = 21
PIN_I2C_SCL = 22
I2C_FREQ_HZ = 400000
PIN_IMU_INT = 19  # MPU6050 INT, data ready, active high push-pull
PIN_HAPTIC = 25  # gate of the vibration motor's MOSFET, driven by PWM
PIN_LED = 2  # on-board status LED, active high
PIN_BATTERY_ADC = 35  # ADC1 channel 7, input only
BATTERY_DIVIDER_RATIO = 2.0  # 100k / 100k: battery voltage = 2 x pin voltage
UART_ID = 0  # USB serial; also the REPL UART on ESP32 boards: REPL text between frames is skipped by the host's COBS/CRC framing
UART_BAUD = 115200
