# Calibration on the device: the fixed-point transform against float arithmetic, the alignment
# and accel matrix applied in the App, calibrated state, and the raw stream during calibration.
import json
import math
import random
import sys

from core import calib as C
from core import packets as P
from core.mount import PRESETS, Mount
from core.transform import BodyTransform
from decode import header
from rig import Rig as _Rig, out

scenario = sys.argv[1]
fs_root = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
D2R = math.pi / 180
ACC_LSB = 8192.0  # +-4 g
GYRO_LSB = 65.5  # +-500 deg/s


def Rig(**kw):
    kw.setdefault("fs_root", fs_root)
    return _Rig(**kw)


def rot(roll_deg, pitch_deg, yaw_deg):
    """Rows of Rz(yaw) @ Ry(pitch) @ Rx(roll)."""
    r, p, y = roll_deg * D2R, pitch_deg * D2R, yaw_deg * D2R
    cr, sr, cp, sp, cy, sy = math.cos(r), math.sin(r), math.cos(p), math.sin(p), math.cos(y), math.sin(y)
    return [[cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
            [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
            [-sp, cp * sr, cp * cr]]


def mul(m, v):
    return [m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2] for i in range(3)]


def transpose(m):
    return [[m[j][i] for j in range(3)] for i in range(3)]


def reference(cal, mount, raw):
    """Float arithmetic of docs/calibration.md: align @ M @ (K (a - o)), align @ M @ (w - b)."""
    a = [raw[0] / ACC_LSB, raw[1] / ACC_LSB, raw[2] / ACC_LSB]
    g = [raw[4] / GYRO_LSB, raw[5] / GYRO_LSB, raw[6] / GYRO_LSB]
    cal.apply(a, g)
    ba, bg = [0.0] * 3, [0.0] * 3
    mount.apply(a, ba)
    mount.apply(g, bg)
    return mul(cal.align, ba) + mul(cal.align, bg)


def set_calib(rig, d, step=150):
    """SET_CALIB in chunks of `step` bytes, as a host sends a payload longer than one write."""
    return rig.command_chunks(P.CMD_SET_CALIB, json.dumps(d).encode(), step)[0]


def calib_dict(align=None, **kw):
    d = {"version": 1, "calib_id": "2026-03-02T09:30:00Z", "device_id": "hiplevel-1a2b",
         "gyro_bias_dps": [0.0, 0.0, 0.0], "accel_offset_g": [0.0, 0.0, 0.0], "accel_scale": [1.0, 1.0, 1.0],
         "mount": "standard"}
    if align is not None:
        d["align"] = align
    for k in kw:
        d[k] = kw[k]
    return d


if scenario == "transform":
    random.seed(7)
    worst_acc_mg = 0.0
    worst_gyro_dps = 0.0
    for name in sorted(PRESETS):
        mount = Mount(name)
        for trial in range(5):
            r = rot(random.uniform(-12, 12), random.uniform(-12, 12), random.uniform(-20, 20))
            d = calib_dict(r, mount=name,
                           gyro_bias_dps=[random.uniform(-5, 5) for _ in range(3)],
                           accel_offset_g=[random.uniform(-0.06, 0.06) for _ in range(3)],
                           accel_scale=[random.uniform(0.97, 1.03) for _ in range(3)])
            if trial % 2:
                k = [[random.uniform(0.97, 1.03) if i == j else random.uniform(-0.02, 0.02) for j in range(3)]
                     for i in range(3)]
                d["accel_matrix"] = k
            cal = C.Calibration.from_dict(json.loads(json.dumps(d)))
            xf = BodyTransform(cal, mount, ACC_LSB, GYRO_LSB)
            q = [0] * 6
            for _ in range(40):
                raw = [random.randint(-32768, 32767) for _ in range(7)]
                xf.apply(raw, q)
                want = reference(cal, mount, raw)
                for i in range(3):
                    worst_acc_mg = max(worst_acc_mg, abs(q[i] * xf.accel_g_per_q - want[i]) * 1000)
                    worst_gyro_dps = max(worst_gyro_dps, abs(q[3 + i] * xf.gyro_dps_per_q - want[3 + i]))
    out("worst_acc_mg", worst_acc_mg)
    out("worst_gyro_dps", worst_gyro_dps)
    # identity calibration: the raw stream is the mount mapping of the chip counts, exactly
    cal = C.Calibration.from_dict(calib_dict([[1, 0, 0], [0, 1, 0], [0, 0, 1]], calib_id=None))
    xf = BodyTransform(cal, Mount("standard"), ACC_LSB, GYRO_LSB)
    q = [0] * 6
    xf.apply([100, -200, 8191, 0, 33, -7, 32767], q)
    out("identity_q", q)
    bad = {}
    for label, d in (("mirror", calib_dict([[1, 0, 0], [0, 1, 0], [0, 0, -1]])),
                     ("not_rotation", calib_dict([[1, 0.2, 0], [0, 1, 0], [0, 0, 1]])),
                     ("rows", calib_dict([[1, 0, 0], [0, 1, 0]])),
                     ("cross", calib_dict(None, accel_matrix=[[1, 0.3, 0], [0, 1, 0], [0, 0, 1]]))):
        try:
            C.Calibration.from_dict(d)
            bad[label] = None
        except C.CalibError as e:
            bad[label] = e.status
    out("rejected", bad)

elif scenario == "align":
    # The clip sits off the drawing: rotated 4 deg roll, -6 deg pitch, 15 deg yaw about the body
    # axes (body <- mounted = clip^T). The pelvis is truly oblique: left side 3 deg higher.
    clip = rot(4, -6, 15)
    g_body = [0.0, math.sin(3 * D2R), math.cos(3 * D2R)]  # gravity "up" in the body frame
    g_mounted = mul(transpose(clip), g_body)
    # standard mount: body = (-chip z, chip y, chip x), so chip = (mounted z, mounted y, -mounted x)
    chip = (g_mounted[2], g_mounted[1], -g_mounted[0])
    rig = Rig(chip_values=chip)
    rig.connect(mtu=185)
    rig.app.run(max_samples=400)
    out("roll_without_align", rig.app.roll_cdeg)
    st = set_calib(rig, calib_dict(clip))
    out("set_calib", st)
    rig.app.run(max_samples=rig.app.samples + 400)
    out("roll_with_align", rig.app.roll_cdeg)
    out("pitch_with_align", rig.app.pitch_cdeg)
    st, body = rig.command(P.CMD_GET_CALIB)
    out("get_calib_align", json.loads(body)["align"])
    # after a reboot the stored calibration is in force again
    rig2 = Rig(chip_values=chip)
    rig2.app.run(max_samples=400)
    out("roll_after_reboot", rig2.app.roll_cdeg)

elif scenario == "state":
    rig = Rig()
    rig.connect(mtu=185)
    rig.app.run(max_samples=50)
    ident = calib_dict([[1, 0, 0], [0, 1, 0], [0, 0, 1]], calib_id=None, mount="standard")
    out("identity_set", set_calib(rig, ident))
    st, body = rig.command(P.CMD_GET_INFO)
    out("identity_info", [json.loads(body)["calibrated"], json.loads(body)["calib_id"]])
    rig.command(P.CMD_START)
    flags = [header(p)["flags"] for p in rig.run_packets(20)]
    out("identity_flag", any(f & P.F_CALIBRATED for f in flags))
    rig.command(P.CMD_STOP)
    set_calib(rig, calib_dict(None))
    st, body = rig.command(P.CMD_GET_INFO)
    out("real_info", [json.loads(body)["calibrated"], json.loads(body)["calib_id"]])
    rig.command(P.CMD_START)
    flags = [header(p)["flags"] for p in rig.run_packets(20)]
    out("real_flag", all(f & P.F_CALIBRATED for f in flags))

elif scenario == "raw_during_calibration":
    # The host pushes the identity calibration and streams raw; the chip's gyro reads a 2 deg/s
    # bias on chip X. The device still learns the bias for its fusion, but DATA_RAW must carry
    # the chip's own reading (mount-mapped) throughout, or the host's gyro step sees a moving bias.
    rig = Rig(chip_values=(1.0, 0.0, 0.0, 2.0, 0.0, 0.0))
    rig.connect(mtu=185)
    ident = calib_dict([[1, 0, 0], [0, 1, 0], [0, 0, 1]], calib_id=None)
    out("identity_set", set_calib(rig, ident))
    rig.command(P.CMD_SET_MODE, b"\x02")
    rig.command(P.CMD_START)
    packets = rig.run_packets(1000)  # 10 s at rest
    gz_body = []  # standard mount: body z = chip X
    for p in packets:
        if p[0] != 0x12:
            continue
        for i in range(p[2]):
            gz_body.append(P.get_i16(p, 12 + 12 * i + 10))
    out("raw_gz_values", sorted(set(gz_body)))
    out("raw_count", len(gz_body))
    out("fusion_bias_dps", list(rig.app.fusion.bias_dps))
    out("still", rig.app.fusion.still)

elif scenario == "bias_reset":
    # At rest with a 2 deg/s gyro offset on chip X the fusion learns a 2 deg/s bias (body z in the
    # standard mount). A calibration that removes the offset itself must not keep that estimate:
    # learnt on the old calibration's data, it would now subtract the offset a second time.
    rig = Rig(chip_values=(1.0, 0.0, 0.0, 2.0, 0.0, 0.0))
    rig.connect(mtu=185)
    rig.app.run(max_samples=1000)  # 10 s at rest
    out("bias_before", list(rig.app.fusion.bias_dps))
    out("set_calib", set_calib(rig, calib_dict(None, gyro_bias_dps=[2.0, 0.0, 0.0])))
    out("bias_after_set", list(rig.app.fusion.bias_dps))
    rig.app.run(max_samples=rig.app.samples + 1000)
    out("bias_relearnt", list(rig.app.fusion.bias_dps))
    out("still", rig.app.fusion.still)
