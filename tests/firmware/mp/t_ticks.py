# Virtual clock wrap semantics (as MicroPython's ticks) and the firmware's tick extender.
import time

from core.timebase import TickExtender
from rig import out
from vclock import VirtualClock

c = VirtualClock(0, start_us=(1 << 30) - 5000)
a = c.ticks_us()
c.sleep_ms(10)
b = c.ticks_us()
out("vclock_wrap", [a, b, c.ticks_diff(b, a), c.ticks_add(a, 10000) == b, c.ticks_diff(a, b)])
# (the 64-bit unix port's own ticks wrap at 2^62; the ESP32's, emulated here, at 2^30)

ext = TickExtender()
seen = []
t = (1 << 30) - 30000
for k in range(8):
    ticks = t & ((1 << 30) - 1)
    w = ext.extend(ticks)
    seen.append(TickExtender.micros(w, ticks))
    t += 10000
out("extended", [seen[i + 1] - seen[i] for i in range(len(seen) - 1)])
# a stamp taken just before the wrap, handed over after the wrap was seen, keeps its wrap count
late = ((1 << 30) - 100)
out("late_stamp", TickExtender.micros(ext.extend(late), late))

# paced clock: 0.5 virtual s at speed 10 takes ~50 ms of wall time (checked loosely)
p = VirtualClock(10.0)
w0 = time.ticks_ms()
p.sleep_ms(500)
out("paced_wall_ms", time.ticks_diff(time.ticks_ms(), w0))
