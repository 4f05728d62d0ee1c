# The real App loop on the stand-ins; one scenario per run (argv[1]), results as JSON lines.
import errno
import json
import math
import sys

import machine
from core import packets as P
from decode import header, roll_samples
from rig import Rig as _Rig, out

scenario = sys.argv[1]
fs_root = sys.argv[2] if len(sys.argv) > 2 else "/tmp"


def Rig(**kw):
    kw.setdefault("fs_root", fs_root)  # each scenario gets its own flash directory
    return _Rig(**kw)


def seqs_contiguous(pkts):
    exp = None
    for p in pkts:
        h = header(p)
        if h["type"] not in (1, 2):
            continue
        if exp is not None and h["seq"] != exp:
            return False
        exp = h["seq"] + h["count"]
    return True


if scenario == "run":
    rig = Rig()
    out("advertising_at_boot", rig.air.advertising())
    adv, resp, interval = rig.air.adverts[-1]
    out("adv", [adv.hex(), resp.hex(), interval])
    rig.app.run(max_samples=250)
    out("samples", rig.app.samples)
    out("virtual_ms", rig.clock.now_us() // 1000)
    out("roll_cdeg", rig.app.roll_cdeg)
    rig.connect()
    out("advertising_connected", rig.air.advertising())
    rig.disconnect()
    out("advertising_after_disconnect", rig.air.advertising())

elif scenario == "batching":
    rig = Rig()
    rig.connect()
    st, _ = rig.command(P.CMD_START)
    pk = [p for p in rig.run_packets(100) if p[0] == 0x11]
    out("mtu23", [[header(p)["count"], len(p)] for p in pk[:5]])
    out("mtu23_contiguous", seqs_contiguous(pk))
    out("mtu23_max_len", max(len(p) for p in rig.data_packets()))
    st, _ = rig.command(P.CMD_SET_MODE, b"\x02")
    out("raw_at_23", st)
    rig.ble._central_mtu(1, 185)
    rig.app.step()
    pk = [p for p in rig.run_packets(100) if p[0] == 0x11]
    hs = [header(p) for p in pk]
    out("mtu185", [[h["count"], h["len"]] for h in hs[1:5]])
    out("mtu185_t_step", [hs[i + 1]["t_us"] - hs[i]["t_us"] for i in range(1, 4)])
    st, _ = rig.command(P.CMD_SET_MODE, b"\x02")
    out("raw_at_185", st)
    pk = [p for p in rig.run_packets(50) if p[0] == 0x12]
    out("raw185", [[header(p)["count"], len(p)] for p in pk[1:4]])
    p = pk[1]
    out("raw_first_sample", [P.get_i16(p, 12 + 2 * i) for i in range(6)])
    out("truncated", rig.ble.truncated_notifies)
    st = [p for p in rig.data_packets() if p[0] == 0x13]
    out("status_seen", len(st))

elif scenario == "commands":
    rig = Rig()
    rig.connect()
    rig.app.run(max_samples=300)
    r = {}
    r["set_rate_bad"] = rig.command(P.CMD_SET_RATE, b"\x3c")[0]
    r["set_rate_len"] = rig.command(P.CMD_SET_RATE, b"")[0]
    st, body = rig.command(P.CMD_SET_RATE, bytes((200,)))
    r["set_rate_200"] = [st, body[0], rig.chip.regs[0x19]]
    r["start"] = rig.command(P.CMD_START)[0]
    r["set_rate_streaming"] = rig.command(P.CMD_SET_RATE, b"\x64")[0]
    r["stop"] = rig.command(P.CMD_STOP)[0]
    r["set_rate_100"] = rig.command(P.CMD_SET_RATE, b"\x64")[0]
    r["set_mode_bad"] = rig.command(P.CMD_SET_MODE, b"\x07")[0]
    st, body = rig.command(P.CMD_TARE)
    r["tare"] = [st, P.get_i16(body, 0) if body else None, rig.app.roll_cdeg]
    rig.chip.set_constant(1.0, 0.0, 0.0, 30.0, 0.0, 0.0)  # turning: not still
    rig.app.run(max_samples=rig.app.samples + 20)
    r["tare_moving"] = rig.command(P.CMD_TARE)[0]
    rig.chip.set_constant(1.0, 0.0, 0.0)
    st, body = rig.command(P.CMD_SET_HAPTIC, bytes((1, 0x20, 0x03, 0x2C, 0x01)))
    r["set_haptic"] = [st, body.hex(), rig.app.haptic_logic.threshold_cdeg, rig.app.haptic_logic.debounce_ms]
    r["set_haptic_bad"] = rig.command(P.CMD_SET_HAPTIC, bytes((1, 0, 0, 0, 0)))[0]
    st, body = rig.command(P.CMD_GET_INFO)
    r["info"] = [st, json.loads(body)]
    st, body = rig.command(P.CMD_GET_STATUS)
    r["status"] = [st, len(body), body[1], P.get_u16(body, 2), P.get_u16(body, 12)]
    st, body = rig.command(P.CMD_GET_CALIB)
    r["calib_default"] = [st, json.loads(body)]
    calib = {"version": 1, "calib_id": "test-1", "gyro_bias_dps": [0.5, -0.25, 0.0],
             "accel_offset_g": [0.01, 0.0, -0.02], "accel_scale": [1.0, 1.01, 0.99], "mount": "standard"}
    text = json.dumps(calib).encode()
    # sent in 3 chunks, as a host does when the payload is longer than one write
    r["set_calib"] = rig.command_chunks(P.CMD_SET_CALIB, text, (len(text) + 2) // 3)[0]
    r["calib_file"] = json.loads(open(fs_root + "/calib.json").read())["calib_id"]
    r["calibrated_flag"] = bool(rig.app.flags() & P.F_CALIBRATED)
    r["set_calib_version"] = rig.command(P.CMD_SET_CALIB, b'{"version": 2}')[0]
    r["set_calib_range"] = rig.command(P.CMD_SET_CALIB, b'{"version": 1, "accel_scale": [3, 1, 1]}')[0]
    r["set_calib_json"] = rig.command(P.CMD_SET_CALIB, b"{not json")[0]
    r["unknown"] = rig.command(0x55)[0]
    r["start_len"] = rig.command(P.CMD_START, b"\x00")[0]
    led_before = len(machine.pin_state(2).log)
    r["identify"] = rig.command(P.CMD_IDENTIFY, b"\x01")[0]
    rig.app.run(max_ms=1000)
    r["identify_led_toggles"] = len(machine.pin_state(2).log) - led_before
    r["identify_motor"] = len(machine.pwm_state(25).log) > 0
    for k in r:
        out(k, r[k])

elif scenario == "resend":
    rig = Rig(uart=False)  # BLE only: with a UART the data would go to serial while BLE is down
    rig.connect(mtu=185)
    rig.command(P.CMD_START)
    rig.app.run(max_samples=rig.app.samples + 100)
    rig.disconnect()
    out("advertising_after_drop", rig.air.advertising())
    rig.app.run(max_samples=rig.app.samples + 150)  # 1.5 s without a central
    n0 = len(rig.air.notifies)
    rig.connect(mtu=185)
    rig.app.run(max_samples=rig.app.samples + 20)
    live = [header(p) for p in rig.data_packets(n0) if p[0] == 0x11]
    pre = [header(p) for p in rig.data_packets(0, ) if p[0] == 0x11]
    last_before = max(h["seq"] + h["count"] for h in pre if h["seq"] < 100 + 5)
    first_after = live[0]["seq"]
    out("gap", [last_before, first_after])
    n1 = len(rig.air.notifies)
    st, body = rig.command(P.CMD_RESEND, bytes(6))
    payload = bytearray(6)
    P.put_u32(payload, 0, last_before)
    P.put_u16(payload, 4, first_after - last_before)
    n1 = len(rig.air.notifies)
    st, body = rig.command(P.CMD_RESEND, payload)
    resent = [p for p in rig.data_packets(n1) if p[0] == 0x11 and p[1] & P.F_RESENT]
    got = []
    for p in resent:
        h = header(p)
        got.extend(range(h["seq"], h["seq"] + h["count"]))
    out("resend_reply", [st, P.get_u32(body, 0), P.get_u16(body, 4)])
    out("resent_seqs", [got[0], got[-1], len(got), got == list(range(got[0], got[-1] + 1))])
    out("resent_values", roll_samples(resent[0])[0])
    hs = [header(p) for p in resent]
    out("resent_t_step", hs[1]["t_us"] - hs[0]["t_us"] if len(hs) > 1 else None)
    st, body = rig.command(P.CMD_RESEND, b"\x00\x00\x00\x00\x05\x00")
    out("resend_old_sent", [st, P.get_u32(body, 0), P.get_u16(body, 4)])
    # overflow the ring: 2048 slots = 20.48 s at 100 Hz
    rig.disconnect()
    rig.app.run(max_samples=rig.app.samples + 2300)
    rig.connect(mtu=185)
    st, body = rig.command(P.CMD_RESEND, b"\x00\x00\x00\x00\xff\x00")
    out("resend_gone", [st, P.get_u16(body, 4)])
    st, body = rig.command(P.CMD_GET_STATUS)
    out("ring_overwritten", P.get_u16(body, 10))

elif scenario == "i2c_fault":
    rig = Rig()
    rig.connect(mtu=185)
    rig.command(P.CMD_START)
    rig.app.run(max_samples=rig.app.samples + 100)
    t0 = rig.clock.now_us()
    rig.bus.fail_windows(rig.clock, [(t0, t0 + 500000)], errno.ENODEV, on_end=rig.chip.power_on_reset)
    n0 = len(rig.air.notifies)
    rig.app.run(max_ms=300)
    out("led_code_during", rig.app.led.code)
    out("imu_ok_during", rig.app.imu_ok)
    rig.app.run(max_ms=1500)
    out("imu_ok_after", rig.app.imu_ok)
    out("imu_errors", rig.app.imu_errors)
    pk = [header(p) for p in rig.data_packets(n0) if p[0] == 0x11]
    out("fault_flag_seen", any(h["flags"] & P.F_IMU_FAULT for h in pk))
    gaps = [pk[i + 1]["seq"] - (pk[i]["seq"] + pk[i]["count"]) for i in range(len(pk) - 1)]
    big = [g for g in gaps if g > 0]
    # seq keeps counting slots through the fault: the gap in seq matches the time lost
    i = gaps.index(big[0])
    out("gap_slots", big[0])
    out("gap_time_us", pk[i + 1]["t_us"] - (pk[i]["t_us"] + pk[i]["count"] * 10000))
    out("samples_after", rig.app.samples)
    out("init_flag_after_fault", bool(pk[i + 1]["flags"] & P.F_FUSION_INIT))

elif scenario == "wrap":
    rig = Rig(start_us=(1 << 30) - 1500000)
    rig.connect(mtu=185)
    rig.command(P.CMD_START)
    packets = rig.run_packets(300)
    hs = [header(p) for p in packets if p[0] == 0x11]
    steps = [hs[i + 1]["t_us"] - hs[i]["t_us"] for i in range(len(hs) - 1)]
    out("t_first_last", [hs[0]["t_us"], hs[-1]["t_us"]])
    out("t_steps", sorted(set(steps)))
    out("ticks_wrapped", rig.clock.ticks_us() < 3000000)
    out("seq_contiguous", seqs_contiguous(packets))

elif scenario == "haptic":
    rig = Rig()
    rig.app.run(max_samples=300)  # level, still
    rig.app.neutral_cdeg = rig.app.tare_mean_cdeg()
    out("neutral", rig.app.neutral_cdeg)
    pwm = machine.pwm_state(25)
    out("pwm_before", len(pwm.log))
    # 4 deg left-side drop: below the 6 deg threshold -> nothing
    r = 4 * math.pi / 180
    rig.chip.set_constant(math.cos(r), -math.sin(r), 0.0)
    rig.app.run(max_samples=rig.app.samples + 300)
    out("pwm_small_drop", len(pwm.log))
    rig.chip.set_constant(1.0, 0.0, 0.0)
    rig.app.run(max_samples=rig.app.samples + 500)  # level again, converged
    # left side drops 9 deg in 0.2 s (gyro and accel consistent), then holds for 3 s.
    # standard mount: body z = chip X, body y = chip Y, body x = -chip Z (roll rate = -gz_chip)
    t_tilt = rig.clock.now_us()
    rate = -45.0

    def source(t_us):
        dt = (t_us - t_tilt) / 1e6
        ramp = 0.0 <= dt < 0.2
        r = math.radians(max(-9.0, rate * dt)) if dt > 0 else 0.0
        return (math.cos(r), math.sin(r), 0.0, 0.0, 0.0, -rate if ramp else 0.0, 25.0)

    rig.chip.set_source(source)
    rig.app.run(max_samples=rig.app.samples + 300)
    on = [t for (t, d) in pwm.log if d > 0]
    out("pwm_on_after_us", [t - t_tilt for t in on])
    out("pwm_off_after_us", [t - t_tilt for (t, d) in pwm.log if d == 0])
    out("roll_cdeg", rig.app.roll_cdeg)
    out("haptic_flag", bool(rig.app.flags() & P.F_HAPTIC))

elif scenario == "serial":
    rig = Rig(ble=False)
    fr = P.Framer()
    rig.uart_state.feed(bytes(fr.frame(P.CH_COMMAND, P.encode_command(P.CMD_START, 9))))
    rig.uart_state.feed(b"\x05\x01\x02\x00")  # a corrupt frame: dropped and counted
    rig.app.run(max_samples=50)
    data = rig.uart_state.take()
    frames = [f for f in bytes(data).split(b"\x00") if f]
    dec = bytearray(600)
    kinds = []
    for f in frames:
        m = P.cobs_decode(f, len(f), dec)
        ok = P.crc16(dec, m - 2) == dec[m - 2] | (dec[m - 1] << 8)
        kinds.append([dec[0], dec[1], ok])
    out("first_frames", kinds[:3])
    out("all_crc_ok", all(k[2] for k in kinds))
    out("bad_frames", rig.app.serial.bad_frames)
    out("data_frames", sum(1 for k in kinds if k[0] == 1 and k[1] == 0x11))
