# Access control on the real App (core/access.py, core/auth.py): what a central without the key
# can do, replayed and forged commands, provisioning over USB. One scenario per run.
import json
import sys

from core import auth
from core import packets as P
from decode import header
from rig import CONN, KEY, Rig as _Rig, out

scenario = sys.argv[1]
fs_root = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
OTHER_KEY = bytes(range(0x60, 0x70))


def Rig(**kw):
    kw.setdefault("fs_root", fs_root)
    return _Rig(**kw)


def serial_command(rig, cmd, token, payload=b""):
    """A command over the USB serial link; returns (status, payload) of its reply."""
    fr = P.Framer()
    rig.uart_state.take()
    rig.uart_state.feed(bytes(fr.frame(P.CH_COMMAND, P.encode_command(cmd, token, payload))))
    for _ in range(50):
        rig.app.step()
        dec = bytearray(600)
        for f in bytes(rig.uart_state.tx).split(b"\x00"):
            if not f:
                continue
            m = P.cobs_decode(f, len(f), dec)
            if m >= 8 and dec[0] == P.CH_REPLY and dec[2] == cmd and dec[3] == token:
                return dec[4], bytes(dec[6 : m - 2])
    return None, b""


def data_count(rig, n0):
    return sum(1 for p in rig.data_packets(n0) if p[0] in (0x11, 0x12, 0x13))


# What a central without the key tries: the commands that change the device, then the reads.
ATTEMPTS = (
    ("SET_CALIB", P.CMD_SET_CALIB, b'{"version":1,"calib_id":"evil","align":[[-1,0,0],[0,-1,0],[0,0,1]]}'),
    ("TARE", P.CMD_TARE, b""),
    ("SET_RATE", P.CMD_SET_RATE, bytes((50,))),
    ("STOP", P.CMD_STOP, b""),
    ("START", P.CMD_START, b""),
    ("SET_MODE", P.CMD_SET_MODE, bytes((2,))),
    ("SET_HAPTIC", P.CMD_SET_HAPTIC, bytes((1, 200, 0, 0, 0))),
    ("IDENTIFY", P.CMD_IDENTIFY, bytes((30,))),
    ("GET_INFO", P.CMD_GET_INFO, b""),
    ("GET_CALIB", P.CMD_GET_CALIB, b""),
    ("GET_STATUS", P.CMD_GET_STATUS, b""),
    ("RESEND", P.CMD_RESEND, bytes(6)),
    ("SET_KEY", P.CMD_SET_KEY, OTHER_KEY),
)

if scenario == "unauthenticated":
    rig = Rig(config={"auth_timeout_ms": 10000})
    rig.app.run(max_samples=600)  # at rest, settled: a TARE would be possible
    st, _ = serial_command(rig, P.CMD_START, 1)  # the clinic's host started a session over USB
    out("serial_start", st)
    rig.connect(mtu=185, auth_with=False)  # a phone nearby, without the key
    n0 = len(rig.air.notifies)
    statuses = {}
    for name, cmd, payload in ATTEMPTS:
        statuses[name] = rig.command_chunks(cmd, payload)[0]
    out("statuses", statuses)
    out("refused", [rig.app.access.refused, rig.app.access.refused_cmds.get(P.CMD_SET_CALIB),
                    rig.app.access.refused_cmds.get(P.CMD_TARE), rig.app.access.refused_cmds.get(P.CMD_SET_RATE),
                    rig.app.access.refused_cmds.get(P.CMD_STOP)])
    out("state", [rig.app.streaming, rig.app.rate_hz, rig.app.calib.calib_id, rig.app.neutral_cdeg,
                  rig.app.haptic_logic.threshold_cdeg, rig.app.mode, rig.app.identify_until_ms is None])
    rig.app.run(max_samples=rig.app.samples + 300)  # 3 s of streaming while it is connected
    out("data_to_unauthenticated", data_count(rig, n0))
    out("samples_to_serial", len(rig.uart_state.take()) > 1000)
    # what anyone may read: Device Information and Battery
    h_dis = [c["handle"] for s in rig.air.services for c in s["chars"] if s["service"].startswith("0000180a")]
    out("dis_serial", rig.ble._central_read(h_dis[2]).decode())
    out("battery_readable", len(rig.ble._central_read(rig.app.ble.h_battery)) == 1)
    out("advertising_while_held", rig.air.advertising())
    rig.app.run(max_ms=8000)  # 11 s after connecting: the timeout has hung up on it
    out("dropped", [CONN in rig.air.disconnects, rig.app.ble.connected, rig.air.advertising(),
                    rig.app.access.auth_timeouts])
    # the clinic's host connects and authenticates: it gets the stream
    rig.connect(mtu=185)
    n1 = len(rig.air.notifies)
    rig.app.run(max_samples=rig.app.samples + 100)
    out("data_to_authenticated", data_count(rig, n1))
    st, body = rig.command(P.CMD_GET_INFO)
    out("info_security", json.loads(body)["security"])

elif scenario == "replay":
    rig = Rig()
    rig.connect(mtu=185)
    # a signed SET_HAPTIC as a sniffer would record it off the air
    cmd, payload = rig.sign(P.CMD_SET_HAPTIC, bytes((1, 0x20, 0x03, 0xFA, 0)))
    frame = bytes((cmd, 41, 0)) + payload
    n0 = len(rig.air.notifies)
    rig.write_raw(frame)
    rig.app.step()
    first = rig.replies(n0)
    n0 = len(rig.air.notifies)
    rig.write_raw(frame)  # the same bytes again
    rig.app.step()
    out("original_then_replay", [first[-1][2], rig.replies(n0)[-1][2]])
    # an older counter, correctly tagged: still refused (counters only go up)
    rig.counter = 0
    out("old_counter", rig.command(P.CMD_SET_HAPTIC, bytes((1, 0x58, 0x02, 0xFA, 0)))[0])
    rig.counter = 100
    out("next_counter", rig.command(P.CMD_SET_HAPTIC, bytes((1, 0x58, 0x02, 0xFA, 0)))[0])
    out("threshold", rig.app.haptic_logic.threshold_cdeg)
    # a reconnection: new session key; the recorded command fails in it too
    rig.disconnect()
    rig.connect(mtu=185)
    n0 = len(rig.air.notifies)
    rig.write_raw(frame)
    rig.app.step()
    out("replay_next_connection", rig.replies(n0)[-1][2])
    # a forged tag: one bit flipped
    cmd, payload = rig.sign(P.CMD_STOP, b"")
    forged = bytearray(bytes((cmd, 42, 0)) + payload)
    forged[8] ^= 1
    n0 = len(rig.air.notifies)
    rig.write_raw(forged)
    rig.app.step()
    out("forged", rig.replies(n0)[-1][2])
    out("failures", [rig.app.ble.session.failures, rig.app.access.auth_failures, rig.app.ble.connected])
    # a third failure in this connection: the device hangs up
    rig.write_raw(forged)
    rig.app.step()
    rig.app.step()
    out("dropped_after_3", [rig.app.ble.connected, rig.app.access.dropped, rig.air.advertising()])

elif scenario == "wrong_key":
    rig = Rig()
    rig.connect(mtu=185, auth_with=False)
    sts = [rig.authenticate(OTHER_KEY) for _ in range(2)]
    out("wrong_key", sts + [rig.app.ble.connected])
    rig.authenticate(OTHER_KEY)
    rig.app.step()
    out("after_3", [rig.app.ble.connected, rig.app.access.auth_failures])
    # a proof without a challenge is a failure too
    rig.connect(mtu=185, auth_with=False)
    out("prove_without_begin", rig.command(P.CMD_AUTH_PROVE, bytes(24))[0])
    out("right_key", rig.authenticate(KEY))

elif scenario == "provision":
    rig = Rig(key=None)  # a fresh belt: no key on its flash
    rig.connect(mtu=185, auth_with=False)
    out("begin_unprovisioned", rig.command(P.CMD_AUTH_BEGIN)[0])
    out("start_unprovisioned", rig.command(P.CMD_START)[0])
    out("set_key_over_ble", rig.command(P.CMD_SET_KEY, KEY)[0])
    st, body = serial_command(rig, P.CMD_SET_KEY, 7, KEY)
    out("set_key_over_usb", [st, body == auth.key_id(KEY)])
    rig.app.step()
    out("ble_dropped_on_new_key", [CONN in rig.air.disconnects, rig.app.ble.connected])
    out("bad_length", serial_command(rig, P.CMD_SET_KEY, 8, KEY[:5])[0])
    rig.key = KEY
    rig.connect(mtu=185)
    out("authenticated", rig.session_key is not None)
    out("start", rig.command(P.CMD_START)[0])
    # a reboot keeps the key
    rig2 = Rig(key=KEY, flash_key=False)
    rig2.connect(mtu=185)
    out("after_reboot", rig2.session_key is not None)
    # erased over USB: the belt is locked again
    st, body = serial_command(rig2, P.CMD_SET_KEY, 9, b"")
    out("erase", [st, body])
    rig2.connect(mtu=185)
    out("after_erase", [rig2.session_key is None, rig2.command(P.CMD_START)[0]])

elif scenario == "pairing":
    import os

    rig = Rig()
    rig.connect(mtu=185)
    out("offered", [rig.app.ble.pairing, rig.ble.config("bond"), rig.ble.config("le_secure"), rig.ble.config("io")])
    out("encrypted_before", rig.app.ble.encrypted)
    rig.ble._central_pair(CONN)  # the clinic's computer pairs (bleak: BleakClient(pair=True))
    rig.app.step()
    out("after_pairing", [rig.app.ble.encrypted, rig.app.ble.bonded, len(rig.app.bonds),
                          rig.ble.connection_security(CONN)])
    rig.app.run(max_ms=100)
    out("bond_file", len(json.loads(open(fs_root + "/ble_bonds.json").read())))
    st, body = rig.command(P.CMD_GET_INFO)
    sec = json.loads(body)["security"]
    out("info", [sec["pairing"], sec["encrypted"], sec["bonds"]])
    # after a reboot the central comes back with its bond: encrypted again without new keys
    rig2 = Rig(flash_key=False)
    out("bonds_after_reboot", len(rig2.app.bonds))
    rig2.connect(mtu=185)
    rig2.ble._central_pair(CONN)
    rig2.app.step()
    out("returning", [rig2.app.ble.encrypted, rig2.app.ble.bonded, len(rig2.app.bonds)])
    # many centrals: the store keeps a bounded number of secrets
    for i in range(20):
        rig2.ble._central_disconnect(CONN)
        rig2.app.step()
        rig2.ble._central_connect(CONN, bytes((0x10, 0x20, 0x30, 0x40, 0x50, i)))
        rig2.app.step()
        rig2.ble._central_pair(CONN)
        rig2.app.step()
    out("bonds_bounded", len(rig2.app.bonds))
    # a damaged bond file: the belt boots, its centrals pair again
    with open(fs_root + "/ble_bonds.json", "w") as f:
        f.write("{not json")
    rig3 = Rig(flash_key=False)
    out("damaged_file", len(rig3.app.bonds))

elif scenario == "encrypted_only":
    rig = Rig(config={"ble_encrypted_only": True})
    rig.connect(mtu=185, auth_with=False)
    out("security_request", rig.ble.security_requests == [CONN])
    # a central that does not pair: the stack refuses its writes, the firmware never sees them
    n0 = len(rig.air.notifies)
    refused = rig.ble._central_write(CONN, rig.app.ble.h_cmd, bytes((P.CMD_AUTH_BEGIN, 1, 0)))
    rig.app.step()
    out("unencrypted_write", [refused, len(rig.replies(n0))])
    rig.ble._central_pair(CONN)
    rig.app.step()
    out("authenticate_after_pairing", rig.authenticate(KEY))
    out("start", rig.command(P.CMD_START)[0])
    n1 = len(rig.air.notifies)
    rig.app.run(max_samples=rig.app.samples + 50)
    out("data_encrypted", len(rig.data_packets(n1)) > 5)
