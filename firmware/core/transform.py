# Chip counts -> calibrated body frame in small-integer fixed point, so the sample loop builds no
# float objects for it (each float is a heap allocation on MicroPython's ESP32 port).
#
# The whole calibration chain is linear, so it folds into one matrix and one offset per sensor,
# computed once when the calibration or mount changes (docs/calibration.md):
#   accel:  a_body = align @ M(mount) @ K @ (a_chip - offset)       K = diag(accel_scale) or accel_matrix
#   gyro:   w_body = align @ M(mount) @ (w_chip - bias)
# In counts of the chip (c = raw int16): body_q = (Cq @ c - off_q) >> _SHIFT, where
#   Cq = round(C * 2^_FRAC_BITS), off_q = round(2^_FRAC_BITS * C @ (offset / lsb)),
# and body_q is in 1/2^_OUT_FRAC_BITS counts, so rotating the chip grid keeps sub-count detail.
# Range: |Cq| row sums <= _MAX_ROW_SUM * 2^13, counts <= 2^15: partial sums stay below 2^30, a
# small int on the ESP32 (31-bit), so nothing here allocates.

_FRAC_BITS = 13
_OUT_FRAC_BITS = 2  # body values in quarter counts
_SHIFT = _FRAC_BITS - _OUT_FRAC_BITS
_HALF = 1 << (_SHIFT - 1)
_MAX_ROW_SUM = 2.5  # sum of |C_ij| over a row; a rotation times a gain <= 1.2 gives <= 2.08


def _matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def wire_ratio(wire_lsb_per_unit, chip_lsb_per_unit):
    """(num, den) with wire = body_q * num / den: quarter chip counts -> wire units, as small
    integers (the chip's LSB per unit may be fractional, 65.5 or 32.8: scaled by 10 first)."""
    num = int(wire_lsb_per_unit) * 10
    den = int(round(chip_lsb_per_unit * 10)) << _OUT_FRAC_BITS
    g = _gcd(num, den)
    return num // g, den // g


class BodyTransform:
    """Built from a Calibration, a Mount and the chip's LSB per g and per deg/s. `apply(raw, q)`:
    raw = the driver's 7 counts (ax, ay, az, temp, gx, gy, gz); fills q[0..5] = body-frame accel
    and gyro in quarter counts. Float factors: `accel_g_per_q`, `gyro_dps_per_q`."""

    def __init__(self, calib, mount, accel_lsb_per_g, gyro_lsb_per_dps):
        p = mount.matrix()
        rot = _matmul(calib.align, p)
        ca = _matmul(rot, calib.accel_gain())
        self._a, self._ao = self._fixed(ca, calib.accel_offset_g, accel_lsb_per_g)
        self._g, self._go = self._fixed(rot, calib.gyro_bias_dps, gyro_lsb_per_dps)
        self.accel_g_per_q = 1.0 / (accel_lsb_per_g * (1 << _OUT_FRAC_BITS))
        self.gyro_dps_per_q = 1.0 / (gyro_lsb_per_dps * (1 << _OUT_FRAC_BITS))

    @staticmethod
    def _fixed(c, offset_units, lsb_per_unit):
        for row in c:
            if abs(row[0]) + abs(row[1]) + abs(row[2]) > _MAX_ROW_SUM:
                raise ValueError("calibration gain too large for the fixed-point transform")
        scale = 1 << _FRAC_BITS
        cq = [int(round(c[i][j] * scale)) for i in range(3) for j in range(3)]
        oc = [o * lsb_per_unit for o in offset_units]  # offset in counts
        off = [int(round(scale * (c[i][0] * oc[0] + c[i][1] * oc[1] + c[i][2] * oc[2]))) - _HALF for i in range(3)]
        return cq, off

    def apply(self, raw, q):
        x = raw[0]
        y = raw[1]
        z = raw[2]
        m = self._a
        o = self._ao
        q[0] = (m[0] * x + m[1] * y + m[2] * z - o[0]) >> _SHIFT
        q[1] = (m[3] * x + m[4] * y + m[5] * z - o[1]) >> _SHIFT
        q[2] = (m[6] * x + m[7] * y + m[8] * z - o[2]) >> _SHIFT
        x = raw[4]
        y = raw[5]
        z = raw[6]
        m = self._g
        o = self._go
        q[3] = (m[0] * x + m[1] * y + m[2] * z - o[0]) >> _SHIFT
        q[4] = (m[3] * x + m[4] * y + m[5] * z - o[1]) >> _SHIFT
        q[5] = (m[6] * x + m[7] * y + m[8] * z - o[2]) >> _SHIFT
