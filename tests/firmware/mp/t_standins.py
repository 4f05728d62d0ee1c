# The public names the stand-in modules give `import machine` (and its classes), for a test that
# keeps them the ESP32 port's, however the stand-in is split into files.
import machine
from rig import out

out("machine", sorted(n for n in dir(machine) if not n.startswith("_")))
for name in ("I2C", "Pin", "PWM", "ADC", "Timer", "UART", "WDT"):
    cls = getattr(machine, name)
    out(name, sorted(n for n in dir(cls) if not n.startswith("_")))
out("SoftI2C_is_I2C", machine.SoftI2C is machine.I2C)
