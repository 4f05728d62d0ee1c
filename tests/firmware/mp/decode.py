# Minimal packet decoding for the firmware tests (the host has the real decoder).
import struct


def header(p):
    ver_type, flags, count, rate = p[0], p[1], p[2], p[3]
    seq, t_us = struct.unpack("<II", p[4:12])
    return {"ver": ver_type >> 4, "type": ver_type & 15, "flags": flags, "count": count, "rate": rate,
            "seq": seq, "t_us": t_us, "len": len(p)}


def roll_samples(p):
    n = p[2]
    return [struct.unpack("<hh", p[12 + 4 * i : 16 + 4 * i]) for i in range(n)]
