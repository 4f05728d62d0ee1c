# Encode every shared vector with the firmware encoder; print hex for pytest to compare.
import json
import sys

from core import auth
from core import packets as P
from rig import out

TYPES = {"DATA_ROLL": P.T_DATA_ROLL, "DATA_RAW": P.T_DATA_RAW}
vectors = json.loads(open(sys.argv[1]).read())["vectors"]
for v in vectors:
    f = v["fields"]
    kind = v["kind"]
    if kind == "packet" and f["type"] in TYPES:
        w = P.PacketWriter()
        seq = f["seq"]
        t = f["t_us"]
        w.begin(TYPES[f["type"]], f["flags"], f["rate_hz"], seq, t >> 30, t & 0x3FFFFFFF)
        for s in f["samples"]:
            if f["type"] == "DATA_ROLL":
                w.add_roll(s["roll_cdeg"], s["pitch_cdeg"])
            else:
                w.add_raw(s["ax"], s["ay"], s["az"], s["gx"], s["gy"], s["gz"])
        got = bytes(w.finish())
    elif kind == "packet":
        st = f["status"]
        buf = bytearray(26)
        t = f["t_us"]
        n = P.encode_status(buf, f["flags"], f["rate_hz"], f["seq"], t >> 30, t & 0x3FFFFFFF, st["battery_pct"],
                            st["mode"], st["battery_mv"], st["temp_cdegc"], st["neutral_roll_cdeg"],
                            st["imu_errors"], st["ring_overwritten"], st["payload_max"])
        got = bytes(buf[:n])
    elif kind == "reply":
        buf = bytearray(64)
        payload = bytes.fromhex(f["payload_hex"])
        n = P.encode_reply(buf, f["cmd"], f["token"], f["status"], f["chunk"], f["more"], payload)
        got = bytes(buf[:n])
    elif kind == "command":
        raw = bytes.fromhex(v["hex"])
        cmd, token, chunk, more, payload = P.parse_command(raw)
        ok = (cmd == f["cmd"] and token == f["token"] and chunk == f["chunk"] and more == f["more"]
              and bytes(payload).hex() == f["payload_hex"])
        got = P.encode_command(f["cmd"], f["token"], bytes.fromhex(f["payload_hex"]), f["chunk"], f["more"]) if ok else b""
    elif kind == "crc16":
        got = P.crc16(bytes.fromhex(f["data_hex"]))
        out(v["name"], got)
        continue
    elif kind == "cobs":
        data = bytes.fromhex(f["data_hex"])
        dst = bytearray(600)
        n = P.cobs_encode(data, len(data), dst)
        enc = bytes(dst[:n])
        dec = bytearray(600)
        m = P.cobs_decode(enc, len(enc), dec)
        out(v["name"] + ":decoded", bytes(dec[:m]).hex())
        got = enc
    elif kind == "frame":
        got = bytes(P.Framer().frame(f["channel"], bytes.fromhex(f["packet_hex"])))
    elif kind == "auth":
        key = bytes.fromhex(f["key_hex"])
        dn, hn = bytes.fromhex(f["device_nonce_hex"]), bytes.fromhex(f["host_nonce_hex"])
        skey = auth.session_key(key, dn, hn)
        out(v["name"] + ":values", [auth.key_id(key).hex(), skey.hex(), auth.host_proof(skey).hex(),
                                    auth.device_proof(skey).hex()])
        # the device side of the handshake: the proof in the vector's AUTH_PROVE is accepted
        session = auth.Session()
        session.begin(dn)
        cmd, token, chunk, more, payload = P.parse_command(bytes.fromhex(v["hex"]))
        ok = cmd == P.CMD_AUTH_PROVE and session.prove(key, payload[:8], payload[8:]) == auth.device_proof(skey)
        got = P.encode_command(P.CMD_AUTH_PROVE, f["token"], hn + auth.host_proof(skey)) if ok else b""
    elif kind == "signed_command":
        skey = bytes.fromhex(f["session_key_hex"])
        payload = bytes.fromhex(f["payload_hex"])
        got = P.encode_command(f["cmd"] | P.CMD_SIGNED, f["token"], auth.sign(skey, f["cmd"], f["counter"], payload))
        # and the device accepts it once, then never again
        session = auth.Session()
        session.key, session.authed = skey, True
        wire = P.parse_command(bytes.fromhex(v["hex"]))
        out(v["name"] + ":verify", [bytes(session.verify(wire[0] & 0x7F, wire[4]) or b"").hex(),
                                    session.verify(wire[0] & 0x7F, wire[4])])
    else:
        got = b""
    out(v["name"], got.hex())

# Malformed COBS is rejected, never decoded
dst = bytearray(16)
out("cobs_bad_zero", P.cobs_decode(b"\x03\x11\x00", 3, dst))
out("cobs_bad_overrun", P.cobs_decode(b"\x05\x11\x22", 3, dst))
