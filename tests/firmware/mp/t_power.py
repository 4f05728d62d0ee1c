# Low-battery behaviour (hardware/power.md) on the real App: the ADC stand-in is driven by a
# battery voltage that falls (or steps) in virtual time; the motor's load sag is modelled.
import math
import sys

import machine
from core import packets as P
from decode import header
from rig import Rig as _Rig, out

scenario = sys.argv[1]
fs_root = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
ADC_PIN = 35
DIVIDER = 2
SAG_MV = 200  # a 75 mA motor pulse on a nearly empty cell (hardware/power.md: 0.1-0.2 V)


def Rig(**kw):
    kw.setdefault("fs_root", fs_root)
    return _Rig(**kw)


def mv_for_pct(pct):
    # the firmware's curve between 5 % (3600 mV) and 15 % (3700 mV) is linear: 10 mV per %
    return 3600 + (pct - 5) * 10


class Cell:
    """Battery at the ADC pin: open-circuit mv(t), less SAG_MV while the motor runs."""

    def __init__(self, rig, mv_fn):
        self.rig = rig
        self.mv_fn = mv_fn
        self.pwm = machine.pwm_state(25)
        self.reads_motor_on = 0
        machine.set_adc_source(ADC_PIN, self.uv)

    def uv(self):
        mv = self.mv_fn(self.rig.clock.now_us())
        if self.pwm.duty_u16 > 0:
            mv -= SAG_MV
            self.reads_motor_on += 1
        return int(mv * 1000 / DIVIDER)


def tilted(roll_deg):
    # standard mount: body y = chip Y, body z = chip X
    r = math.radians(roll_deg)
    return (math.cos(r), math.sin(r), 0.0)


if scenario == "falling":
    rig = Rig()
    t0 = rig.clock.now_us()
    # 3720 mV falling 2 mV/s: 15 % at 10 s, 10 % at 35 s, 5 % at 60 s
    Cell(rig, lambda t: 3720 - 2 * (t - t0) // 1000000)
    rig.connect(mtu=185)
    rig.command(P.CMD_START)
    sleeps0 = len(machine.deepsleep_calls)
    n0 = len(rig.air.notifies)
    trace = []
    for s in range(90):
        rig.app.run(max_ms=1000)
        p = rig.app.power
        trace.append([s + 1, rig.app.battery.pct, p.low, p.haptic_allowed, p.halted])
        if p.halted:
            break
    out("trace", trace)
    out("deepsleep", [ms for (t, ms) in machine.deepsleep_calls[sleeps0:]])
    out("chip_asleep", rig.chip.asleep())
    # walk the notifications in place: a list of them all needs one block the fragmented heap
    # of a long run may not have
    h_data = rig.app.ble.h_data
    low_first = None
    last = None
    for i in range(n0, len(rig.air.notifies)):
        c, h, p = rig.air.notifies[i]
        if h != h_data:
            continue
        last = p
        if low_first is None and p[1] & P.F_LOW_BATTERY:
            low_first = (header(p)["t_us"] - t0 % (1 << 32)) // 1000000
    out("low_flag_first_s", low_first)
    out("last_packet", [last[0] & 15, last[1] & P.F_LOW_BATTERY != 0, last[12], last[13]])
    n_before = len(rig.air.notifies)
    samples = rig.app.samples
    rig.app.run(max_ms=2000)  # halted: nothing more happens
    out("after_halt", [len(rig.air.notifies) - n_before, rig.app.samples - samples])
    out("streaming", rig.app.streaming)

elif scenario == "haptic":
    rig = Rig(chip_values=tilted(9.0))  # 9 deg off the (zero) neutral: the cue repeats every 1 s
    level = [11.0]
    cell = Cell(rig, lambda t: mv_for_pct(level[0]))
    pwm = machine.pwm_state(25)
    phases = []
    for pct in (11.0, 9.0, 11.0, 13.0):
        level[0] = pct
        start = rig.clock.now_us()
        rig.app.run(max_ms=15000)
        end = rig.clock.now_us()
        # the last 5 s of each phase: the 8 s reading window has settled by then
        pulses = len([1 for (t, d) in pwm.log if d > 0 and end - 5000000 <= t < end])
        phases.append([pct, rig.app.battery.pct, rig.app.power.haptic_allowed, pulses])
    out("phases", phases)
    out("pulses_total", len([1 for (t, d) in pwm.log if d > 0]))
    # a long motor run (4 s) spans several due readings: they wait until it stops
    rig.app.haptic.pulse(rig.clock.ticks_ms(), 4000)
    rig.app.run(max_ms=6000)
    out("adc_reads_motor_on", cell.reads_motor_on)
    out("after_long_pulse", [rig.app.battery.pct, rig.app.power.halted])

elif scenario == "boot":
    res = {}
    for pct in (7, 8, 9):
        rig = Rig()
        Cell(rig, lambda t, pct=pct: mv_for_pct(pct))
        sleeps0 = len(machine.deepsleep_calls)
        rig.app.run(max_samples=20, max_ms=2000)
        res[str(pct)] = [rig.app.samples, [ms for (t, ms) in machine.deepsleep_calls[sleeps0:]], rig.chip.asleep(),
                         rig.app.battery.pct]
    out("boot", res)
