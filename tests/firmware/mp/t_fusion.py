# Fusion and mounting against known inputs (analytic truth), on MicroPython.
import math

from core.fusion import RollPitchFusion
from core.mount import PRESETS, Mount, MountError
from rig import out

DT = 0.01
D2R = math.pi / 180


def gravity_body(roll_deg, pitch_deg):
    r = roll_deg * D2R
    p = pitch_deg * D2R
    return [-math.sin(p), math.sin(r) * math.cos(p), math.cos(r) * math.cos(p)]


def to_chip(mount, body):
    # inverse of Mount.apply: chip[idx] = sign * body
    chip = [0.0, 0.0, 0.0]
    for i, s in enumerate(mount.spec):
        s = s.strip()
        axis = "xyz".index(s[-1])
        chip[axis] = (-1 if s.startswith("-") else 1) * body[i]
    return chip


def run_static(mount, roll, pitch, seconds=3.0):
    f = RollPitchFusion()
    chip_a = to_chip(mount, gravity_body(roll, pitch))
    ba = [0.0] * 3
    bg = [0.0] * 3
    zero = [0.0, 0.0, 0.0]
    for _ in range(int(seconds / DT)):
        mount.apply(chip_a, ba)
        mount.apply(zero, bg)
        f.update(ba[0], ba[1], ba[2], bg[0], bg[1], bg[2], DT)
    return f


# "standard" by its physical description: chip X up, Y left, Z backward
m = Mount("standard")
b = [0.0] * 3
m.apply([1.0, 0.0, 0.0], b)
out("standard_chip_x_is_body", b)
m.apply([0.0, 1.0, 0.0], b)
out("standard_chip_y_is_body", b)
m.apply([0.0, 0.0, 1.0], b)
out("standard_chip_z_is_body", b)

errs = {}
for name in sorted(PRESETS):
    m = Mount(name)
    worst = 0.0
    for roll, pitch in ((0, 0), (8, 0), (-6, 0), (0, 20), (5, -10), (-12, 25)):
        f = run_static(m, roll, pitch)
        worst = max(worst, abs(f.roll_deg - roll), abs(f.pitch_deg - pitch))
    errs[name] = worst
out("static_worst_err_deg", errs)
m = Mount(["-z", "y", "x"])
f = run_static(m, 7, -3)
out("custom_mount", [m.name, f.roll_deg, f.pitch_deg])

bad = []
for spec in (["x", "x", "z"], ["x", "y", "-z"], ["q", "y", "z"], "sideways"):
    try:
        Mount(spec)
        bad.append(None)
    except MountError:
        bad.append("MountError")
out("bad_mounts", bad)

# initialisation flag
f = RollPitchFusion()
f.update(0.0, 0.0, 1.0, 0.0, 0.0, 0.0, DT)
out("init_at_start", f.initialising)
for _ in range(250):
    f.update(0.0, 0.0, 1.0, 0.0, 0.0, 0.0, DT)
out("init_after_2_5s", f.initialising)
# started mid-stride: 1.5 Hz lateral and 2 Hz vertical accelerations with the matching sway; the
# flag outlasts the 2 s ramp until the estimate has had time to settle
f = RollPitchFusion()
cleared = None
for k in range(1500):
    t = k * DT
    ay = 0.15 * math.sin(2 * math.pi * 1.5 * t)
    az = 1.0 + 0.1 * math.sin(2 * math.pi * 2.0 * t)
    f.update(0.0, ay, az, 0.0, 0.0, 0.0, DT)
    if cleared is None and not f.initialising:
        cleared = t
out("init_moving_cleared_at_s", cleared)
# constant rotation about body x (left side rising) at 20 deg/s, consistent accel
rate = 20.0
f = run_static(Mount("flat"), 0, 0)
worst = 0.0
roll = 0.0
for k in range(150):
    roll += rate * DT
    a = gravity_body(roll, 0)
    f.update(a[0], a[1], a[2], rate, 0.0, 0.0, DT)
    worst = max(worst, abs(f.roll_deg - roll))
out("roll_rotation", [roll, f.roll_deg, worst])

# constant rotation about body y (front of pelvis going down) at 15 deg/s
f = run_static(Mount("flat"), 0, 0)
pitch = 0.0
for k in range(100):
    pitch += 15.0 * DT
    a = gravity_body(0, pitch)
    f.update(a[0], a[1], a[2], 0.0, 15.0, 0.0, DT)
out("pitch_rotation", [pitch, f.pitch_deg])

# gyro-only: accel says level but gyro turns: the filter follows the gyro short-term
f = run_static(Mount("flat"), 0, 0)
for k in range(20):
    f.update(0.0, 0.0, 1.0, 50.0, 0.0, 0.0, DT)
out("gyro_short_term_roll", f.roll_deg)

# gyro bias estimated while still (2 deg/s on x, -1 on z)
f = RollPitchFusion()
for k in range(1500):
    f.update(0.0, 0.0, 1.0, 2.0, 0.0, -1.0, DT)
out("bias_est", [list(f.bias_dps), f.still, f.roll_deg])

# accel gating: a 3 g impact with no rotation does not drag the roll
f = run_static(Mount("flat"), 5, 0)
a = gravity_body(5, 0)
for k in range(10):
    f.update(a[0], a[1] + 2.0, a[2] + 2.0, 0.0, 0.0, 0.0, DT)
out("impact", [f.roll_deg, f.accel_ignored])
f2 = RollPitchFusion()
f2.settings.accel_reject_g = 99.0
f2.settings.gain = 5.0
for k in range(300):
    f2.update(a[0], a[1], a[2], 0.0, 0.0, 0.0, DT)
for k in range(10):
    f2.update(a[0], a[1] + 2.0, a[2] + 2.0, 0.0, 0.0, 0.0, DT)
out("impact_ungated_roll", f2.roll_deg)

# quiet standing sway (0.3 Hz, +-1 deg roll, gyro and accel consistent) over a 0.5 deg/s gyro
# bias on x: the sway passes the stillness test, but only the bias may be learnt
f = RollPitchFusion()
worst = 0.0
for k in range(3000):
    t = k * DT
    roll = math.sin(2 * math.pi * 0.3 * t)
    rate = 2 * math.pi * 0.3 * math.cos(2 * math.pi * 0.3 * t)
    a = gravity_body(roll, 0)
    f.update(a[0], a[1], a[2], rate + 0.5, 0.0, 0.0, DT)
    if t > 20.0:
        worst = max(worst, abs(f.bias_dps[0] - 0.5), abs(f.roll_deg - roll))
out("sway_bias", [f.still, worst])

# a 120 deg/s walking turn for 1 s: ~0.19 g of centripetal acceleration on body y, no real roll
f = run_static(Mount("flat"), 0, 0)
for k in range(100):
    f.update(0.0, 0.19, 0.98, 0.0, 0.0, 120.0, DT)
out("turn_roll", [f.roll_deg, f.accel_ignored])
