# The public names the stand-in modules give `import machine` (and its classes), for a test that
# keeps them the ESP32 port's, however the stand-in is split into files.
import machine
from rig import out

out("machine", sorted(n for n in dir(machine) if not n.startswith("_")))
for name in ("I2C", "Pin", "PWM", "ADC", "Timer", "UART", "WDT"):
    cls = getattr(machine, name)
    out(name, sorted(n for n in dir(cls) if not n.startswith("_")))
out("SoftI2C_is_I2C", machine.SoftI2C is machine.I2C)

# pin logs: bounded by set_log_max (the virtual device keeps none: nobody reads them there)
pin = machine.Pin(26, machine.Pin.OUT)
for i in range(10):
    pin.value(i % 2)
out("pin_log_default", len(machine.pin_state(26).log))
machine.set_log_max(3)
for i in range(10):
    pin.value(i % 2)
out("pin_log_bounded", [lv for _, lv in machine.pin_state(26).log])
machine.set_log_max(0)
pin.value(0)
pin.value(1)
out("pin_log_off", len(machine.pin_state(26).log))
