# Hostile and malformed input on the real App: command bodies of every length, calibrations and
# settings out of bounds, a flood of writes, flash rewrites and the watchdog. One scenario per run.
import builtins
import json
import sys

import bluetooth
import machine
from core import packets as P
from decode import header
from rig import Rig as _Rig, out

scenario = sys.argv[1]
fs_root = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
MAX_LEN = 64  # payload lengths tried per command: 0..MAX_LEN (more than any fixed-size command)
COMMANDS = list(range(0x00, 0x11)) + [0x55, 0x7F]


def Rig(**kw):
    kw.setdefault("fs_root", fs_root)
    return _Rig(**kw)


def contiguous(pkts):
    """True when the DATA packets' slots follow each other without a gap or a repeat."""
    exp = None
    n = 0
    for p in pkts:
        h = header(p)
        if h["type"] not in (1, 2) or h["flags"] & P.F_RESENT:
            continue
        if exp is not None and h["seq"] != exp:
            return False
        exp = h["seq"] + h["count"]
        n += h["count"]
    return n > 0


def calib(**kw):
    d = {"version": 1, "calib_id": "2026-03-02T09:30:00Z", "mount": "standard"}
    for k in kw:
        d[k] = kw[k]
    return json.dumps(d).encode()


def rot_z(deg):
    import math

    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]


# Bodies that break a parser that trusts JSON types: each must be refused, never raise.
BAD_CALIBS = {
    "mount_number": b'{"version":1,"mount":7}',
    "mount_bool": b'{"version":1,"mount":true}',
    "mount_numbers": b'{"version":1,"mount":[1,2,3]}',
    "mount_mirror": calib(mount=["x", "y", "-z"]),
    "mount_unknown": calib(mount="sideways"),
    "calib_id_object": calib(calib_id={"a": 1}),
    "calib_id_long": calib(calib_id="x" * 500),
    "device_id_list": calib(device_id=[1]),
    "temp_string": calib(temp_c="hot"),
    "temp_range": calib(temp_c=1e9),
    "scale_bool": calib(accel_scale=[True, 1, 1]),
    "bias_null": calib(gyro_bias_dps=[None, 0, 0]),
    "align_flat": calib(align=[1, 0, 0]),
    "align_180": calib(align=rot_z(180)),
    "align_90": calib(align=rot_z(90)),
    "version_string": b'{"version":"1"}',
    "not_object": b"[1,2,3]",
    "nan": b'{"version":1,"accel_offset_g":[NaN,0,0]}',
    "deep": b"[" * 200 + b"]" * 200,
}

if scenario == "malformed":
    rig = Rig()
    rig.connect(mtu=185)
    rig.command(P.CMD_START)
    rig.app.run(max_samples=rig.app.samples + 50)
    n0 = len(rig.air.notifies)
    samples0 = rig.app.samples
    t0 = rig.clock.now_us()
    sent = 0
    for cmd in COMMANDS:
        if cmd in (P.CMD_START, P.CMD_STOP, 0x0D):
            # the empty body is their valid form (0x0D, AUTH_BEGIN, starts a new handshake)
            lengths = range(1, MAX_LEN + 1)
        else:
            lengths = range(MAX_LEN + 1)
        for n in lengths:
            body = bytes((0xFF if i % 2 else 0xA5) for i in range(n))
            rig.token = (rig.token + 1) & 0xFF
            rig.write(cmd, rig.token, body)
            sent += 1
            rig.app.step()
    for name in BAD_CALIBS:
        rig.token = (rig.token + 1) & 0xFF
        rig.command_chunks(P.CMD_SET_CALIB, BAD_CALIBS[name])
        sent += 1
    for _ in range(20):
        rig.app.step()
    rig.app.run(max_samples=rig.app.samples + 50)
    reps = rig.replies(n0)
    out("sent", sent)
    out("replies", len(reps))
    out("ok_replies", sum(1 for r in reps if r[2] == P.S_OK))
    out("streaming", rig.app.streaming)
    # the sample loop went on at its own pace: one sample per 10 ms of virtual time
    out("samples", [rig.app.samples - samples0, (rig.clock.now_us() - t0) // 10000])
    out("contiguous", contiguous(rig.data_packets(n0)))
    out("calibrated", rig.app.calib.calibrated)
    bad = {}
    for name in BAD_CALIBS:
        bad[name] = rig.command_chunks(P.CMD_SET_CALIB, BAD_CALIBS[name])[0]
    out("bad_calib_status", bad)

elif scenario == "bounds":
    rig = Rig()
    rig.connect(mtu=185)
    rig.app.run(max_samples=300)
    r = {}
    r["align_180"] = rig.command_chunks(P.CMD_SET_CALIB, calib(align=rot_z(180)))[0]
    r["calibrated_after_180"] = rig.app.calib.calibrated
    r["file_after_180"] = 0
    try:
        open(fs_root + "/calib.json").close()
        r["file_after_180"] = 1
    except OSError:
        pass
    r["align_30"] = rig.command_chunks(P.CMD_SET_CALIB, calib(align=rot_z(30)))[0]
    r["mount_list_ok"] = rig.command_chunks(P.CMD_SET_CALIB, calib(mount=["-z", "y", "x"]))[0]
    r["haptic_0_01_deg"] = rig.command(P.CMD_SET_HAPTIC, bytes((1, 1, 0, 0xFA, 0)))[0]
    r["haptic_1_deg"] = rig.command(P.CMD_SET_HAPTIC, bytes((1, 100, 0, 0xFA, 0)))[0]
    r["haptic_2_deg"] = rig.command(P.CMD_SET_HAPTIC, bytes((1, 200, 0, 0xFA, 0)))[0]
    r["haptic_40_deg"] = rig.command(P.CMD_SET_HAPTIC, bytes((1, 0xA0, 0x0F, 0xFA, 0)))[0]
    r["haptic_debounce_60s"] = rig.command(P.CMD_SET_HAPTIC, bytes((1, 0x58, 0x02, 0x60, 0xEA)))[0]
    r["threshold"] = rig.app.haptic_logic.threshold_cdeg
    r["identify_255"] = rig.command(P.CMD_IDENTIFY, bytes((255,)))[0]
    r["identify_30"] = rig.command(P.CMD_IDENTIFY, bytes((30,)))[0]
    for k in r:
        out(k, r[k])

elif scenario == "flood":
    rig = Rig()
    rig.connect(mtu=185)
    rig.command(P.CMD_START)
    rig.app.run(max_samples=rig.app.samples + 20)
    # six writes queued at once (the BLE queue holds seven), then one loop iteration
    n0 = len(rig.air.notifies)
    for i in range(6):
        rig.write(P.CMD_GET_STATUS, 100 + i)
    seq0 = rig.app.seq
    rig.app.step()
    out("replies_after_one_step", len(rig.replies(n0)))
    for _ in range(10):
        rig.app.step()
    out("replies_after_more_steps", len(rig.replies(n0)))
    # a RESEND that asks for 65535 slots the ring never held: it must cost nothing
    ring = rig.app.ring
    calls = [0]
    real_slot = ring.slot

    def counting_slot(seq):
        calls[0] += 1
        return real_slot(seq)

    ring.slot = counting_slot
    st, body = rig.command(P.CMD_RESEND, bytes((0x00, 0x00, 0x00, 0x10, 0xFF, 0xFF)))
    out("resend_far", [st, calls[0]])
    calls[0] = 0
    st, body = rig.command(P.CMD_RESEND, b"\x00\x00\x00\x00\xff\xff")
    out("resend_from_zero", [st, P.get_u16(body, 4), calls[0]])

elif scenario == "flash":
    writes = []
    real_open = builtins.open

    def counting_open(path, mode="r", *a):
        if "w" in mode and path.endswith("calib.json"):
            writes.append(path)
        return real_open(path, mode, *a)

    builtins.open = counting_open
    rig = Rig()
    rig.connect(mtu=185)
    rig.app.run(max_samples=100)
    statuses = []
    for i in range(20):
        statuses.append(rig.command_chunks(P.CMD_SET_CALIB, calib(calib_id="burst-%d" % i))[0])
        rig.app.run(max_ms=50)
    out("statuses", statuses)
    out("writes_during_burst", len(writes))
    rig.app.run(max_ms=15000)
    out("writes_after_15s", len(writes))
    out("on_flash", json.loads(real_open(fs_root + "/calib.json").read())["calib_id"])
    st, body = rig.command(P.CMD_GET_INFO)
    out("info_pending", json.loads(body).get("calib_pending"))
    # the same calibration again: the flash already holds it
    n = len(writes)
    rig.command_chunks(P.CMD_SET_CALIB, calib(calib_id="burst-19"))
    rig.app.run(max_ms=15000)
    out("rewrites_of_same", len(writes) - n)

elif scenario == "watchdog":
    # the board's own wiring (main.build_app): the watchdog is the machine module's
    import main
    from sim_mpu6050 import SimMPU6050
    from vclock import VirtualClock

    import board

    bluetooth.reset()
    clock = VirtualClock(0, 0)
    machine.set_clock(clock)
    chip = SimMPU6050(clock, None, board.PIN_IMU_INT)
    chip.set_constant(1.0, 0.0, 0.0)
    machine.i2c_bus(board.I2C_ID).attach(0x68, chip)
    machine.set_adc_source(board.PIN_BATTERY_ADC, lambda: 1950000)
    app = main.build_app(clock, machine, bluetooth, fs_root)
    app.run(max_samples=100)
    out("armed_at_boot", machine.wdt_state() is not None)
    ble = bluetooth.BLE()
    ble._central_connect(1, b"\x11\x22\x33\x44\x55\x66")
    app.run(max_samples=app.samples + 1000)  # 10 s, longer than the watchdog's timeout
    w = machine.wdt_state()
    out("armed_after_connect", [w is not None, w.timeout_ms if w else None, w.feeds > 900 if w else None])
    out("resets_while_running", len(machine.wdt_resets))
    # the loop stops (a hang): virtual time goes on without a loop iteration
    try:
        clock.sleep_ms(9000)
        out("reset_on_hang", None)
    except SystemExit as e:
        out("reset_on_hang", [len(machine.wdt_resets), str(e)])

elif scenario == "races":
    # connection events that come faster than the loop polls (the IRQ only records them)
    rig = Rig()
    rig.app.run(max_samples=10)
    rig.ble._central_connect(1, b"\x11\x22\x33\x44\x55\x66")
    rig.ble._central_disconnect(1)  # gone before the loop saw it
    rig.app.step()
    out("connect_disconnect", [rig.app.ble.connected, rig.air.advertising()])
    rig.connect(mtu=185)
    rig.ble._central_disconnect(1)
    rig.ble._central_connect(1, b"\x11\x22\x33\x44\x55\x66")  # the same handle again, at once
    rig.app.step()
    out("disconnect_connect", [rig.app.ble.connected, rig.app.ble.authed, rig.air.advertising()])
    rig.authenticate(rig.key)
    out("new_connection_usable", rig.command(P.CMD_GET_STATUS)[0])
