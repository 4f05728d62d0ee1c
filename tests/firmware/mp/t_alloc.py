# Heap allocated by the sampling path (read + calibrate + mount + fuse + encode + send), per
# sample, measured with gc.mem_alloc() deltas on the unix port (floats are boxed there as on the
# ESP32; a GC block is 32 bytes on 64-bit unix, 16 on the ESP32). The stand-in I2C and BLE copy
# bytes, so the bus and the link are swapped for non-allocating ones after the rig has started:
# what is measured is the firmware's own allocation.
import gc
import sys

from core import packets as P
from rig import Rig as _Rig, out

fs_root = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
N = 200


class _RegsI2C:
    """readfrom_mem_into straight from the simulated chip's register file, no allocation."""

    def __init__(self, regs):
        self._regs = regs

    def readfrom_mem_into(self, addr, reg, buf):
        r = self._regs
        for i in range(len(buf)):
            buf[i] = r[reg + i]


class _NullLink:
    payload_max = P.SERIAL_MAX_PACKET_BYTES
    connected = True

    def __init__(self):
        self.packets = 0

    def send_data(self, packet):
        self.packets += 1
        return True


def measure(rig, mode, calibrated):
    app = rig.app
    if calibrated:
        cal = {"version": 1, "calib_id": "alloc", "gyro_bias_dps": [0.5, -0.25, 0.1],
               "accel_offset_g": [0.01, 0.0, -0.02], "accel_scale": [1.0, 1.01, 0.99],
               "mount": "standard", "align": [[0.9962, 0.0, 0.0872], [0.0, 1.0, 0.0], [-0.0872, 0.0, 0.9962]]}
        from core import calib as C

        app.apply_calibration(C.Calibration.from_dict(cal), app.mount)
    app.mode = mode
    app.start_stream()
    link = _NullLink()
    app.ble = None
    app.serial = link
    app.imu._i2c = _RegsI2C(rig.chip.regs)
    stamp = rig.clock.ticks_us()
    period = app.period_us
    for _ in range(N):  # warm-up: packets open and close, fusion past initialisation
        stamp = (stamp + period) & 0x3FFFFFFF
        app._sample(stamp)
    gc.collect()
    gc.disable()
    a0 = gc.mem_alloc()
    for _ in range(N):
        stamp = (stamp + period) & 0x3FFFFFFF
        app._sample(stamp)
    a1 = gc.mem_alloc()
    gc.enable()
    # the loop's own stamp arithmetic is small ints: everything counted is the firmware's
    return (a1 - a0) / N, link.packets


def per_call(fn):
    """Bytes allocated per call of fn() (after a few warm-up calls)."""
    for _ in range(5):
        fn()
    gc.collect()
    gc.disable()
    a0 = gc.mem_alloc()
    for _ in range(N):
        fn()
    a1 = gc.mem_alloc()
    gc.enable()
    return (a1 - a0) / N


rig = _Rig(fs_root=fs_root, chip_values=(0.99, 0.1, 0.05, 0.3, -0.2, 0.1))
rig.app.run(max_samples=300)
out("roll_uncal", measure(rig, P.MODE_ROLL, False))
out("roll", measure(rig, P.MODE_ROLL, True))
out("raw", measure(rig, P.MODE_RAW, True))
app = rig.app
q = app._q
w = P.PacketWriter()
w.begin(P.T_DATA_RAW, 0, 100, 0, 0, 0)


def add_roll():
    w.n = P.HEADER_BYTES
    w.add_roll(40000, -123)


def add_raw():
    w.n = P.HEADER_BYTES
    w.add_raw(1, -2, 40000, 4, -5, 6)


parts = {
    "read_raw": per_call(app.imu.read_raw),
    "transform": per_call(lambda: app.xform.apply(app.imu.raw, q)),
    "add_roll": per_call(add_roll),
    "add_raw": per_call(add_raw),
    "temp": per_call(app.imu.temp_cdegc),
    "ring_put": per_call(lambda: app.ring.put(5, 0, 1000, 1, 2, 3, 4, 5, 6, 7, 8)),
    "fusion": per_call(lambda: app.fusion.update(0.01, 0.02, 0.99, 0.1, 0.2, 0.3, app._dt1_s)),
}
out("parts", parts)
