# Runs the firmware's own fusion (firmware/core/fusion.py, unchanged) on the MicroPython unix
# interpreter over samples from a file, for bench/orientation.py.
#   micropython bench/mp_fusion.py IN OUT   (MICROPYPATH must include firmware/)
# IN: little-endian float32 records (ax, ay, az in g; gx, gy, gz in deg/s; dt in s), body frame.
# OUT: little-endian int16 pairs (roll_cdeg, pitch_cdeg), converted as firmware/app.py does.
import struct
import sys

from core.fusion import FusionSettings, RollPitchFusion

_REC = 28  # 7 float32
_CHUNK = 512

fu = RollPitchFusion(FusionSettings())
src = open(sys.argv[1], "rb")
dst = open(sys.argv[2], "wb")
buf = bytearray(_REC * _CHUNK)
out = bytearray(4 * _CHUNK)
while True:
    n = src.readinto(buf)
    if not n:
        break
    k = n // _REC
    for i in range(k):
        ax, ay, az, gx, gy, gz, dt = struct.unpack_from("<7f", buf, i * _REC)
        fu.update(ax, ay, az, gx, gy, gz, dt)
        struct.pack_into("<hh", out, 4 * i, int(fu.roll_deg * 100), int(fu.pitch_deg * 100))
    dst.write(memoryview(out)[: 4 * k])
src.close()
dst.close()
