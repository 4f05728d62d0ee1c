# Per-device calibration, stored on flash as a small JSON file (docs/calibration.md, "Firmware
# calibration JSON"). Chip frame: gyro - bias; (accel - offset) * scale, or K @ (accel - offset)
# when the file carries a full `accel_matrix`; then the mounting preset, then `align` (3x3, rows,
# body <- mounted). The sample loop does not use `apply` below: core/transform.py folds all of it
# into one integer matrix per sensor when the calibration loads.
import json

CALIB_VERSION = 1
CALIB_FILE = "calib.json"
_MAX_GYRO_BIAS_DPS = 50.0  # MPU6050 zero-rate output is +-20 deg/s typical
_MAX_ACCEL_OFFSET_G = 0.5
_SCALE_RANGE = (0.8, 1.2)
_MAX_CROSS = 0.1  # off-diagonal accel_matrix terms; the MPU6050 allows +-2 % cross-axis
_ORTHO_TOL = 1e-3  # align rows unit length and perpendicular within this (files carry 6 digits)
# How far `align` may turn the mounted frame: what a belt clip can plausibly sit off its drawing.
# The host's standing step accepts 30 deg of tilt (calibration/alignment.py) and a clip at the
# back of the belt sits within a few degrees of heading; 45 deg of total rotation keeps every real
# clip and refuses what only a wrong mounting preset or a hostile file would give (90 deg of
# heading swaps forward and sideways, 180 deg swaps left and right).
MAX_ALIGN_DEG = 45
_MIN_ALIGN_TRACE = 1.0 + 2.0 * 0.70710678  # trace of a rotation = 1 + 2 cos(angle): cos(45 deg)
_MAX_TEXT = 64  # calib_id, device_id
_TEMP_RANGE_C = (-40.0, 85.0)  # the MPU6050's operating range
IDENTITY = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


class CalibError(ValueError):
    """`status` is the reply status code to answer with (BAD_ARG, BAD_VERSION, STORAGE_ERROR)."""

    def __init__(self, msg, status):
        super().__init__(msg)
        self.status = status


def _vec3(d, key, default, lo, hi):
    return _numbers3(d.get(key, default), key, lo, hi)


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _numbers3(v, key, lo, hi):
    if not isinstance(v, (list, tuple)) or len(v) != 3:
        raise CalibError("%s needs 3 numbers" % key, 2)
    out = []
    for x in v:
        if not _is_number(x) or not lo <= x <= hi:
            raise CalibError("%s out of range" % key, 2)
        out.append(float(x))
    return out


def _mat3(d, key):
    v = d.get(key)
    if not isinstance(v, (list, tuple)) or len(v) != 3:
        raise CalibError("%s needs 3 rows" % key, 2)
    return [_numbers3(row, key, -2.0, 2.0) for row in v]


def _dot3(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _check_rotation(m):
    """align must be a proper rotation: orthonormal rows, determinant +1 (no mirror)."""
    for i in range(3):
        for j in range(i, 3):
            want = 1.0 if i == j else 0.0
            if abs(_dot3(m[i], m[j]) - want) > _ORTHO_TOL:
                raise CalibError("align is not a rotation", 2)
    det = (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
           + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))
    if det < 0:
        raise CalibError("align is a mirror image", 2)
    if m[0][0] + m[1][1] + m[2][2] < _MIN_ALIGN_TRACE - _ORTHO_TOL:
        raise CalibError("align turns more than %d deg: a wrong mount, not a clip offset" % MAX_ALIGN_DEG, 2)


def _text(d, key):
    v = d.get(key)
    if v is None:
        return None
    if not isinstance(v, str) or len(v) > _MAX_TEXT:
        raise CalibError("%s must be a string of at most %d characters" % (key, _MAX_TEXT), 2)
    return v


def _mount_spec(v):
    """None (the configured mount), a preset name, or three axis names (their meaning is checked
    by core.mount.Mount when the calibration is applied: MountError, a ValueError)."""
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        if len(v) != 3 or not all(isinstance(a, str) and len(a) <= 2 for a in v):
            raise CalibError("mount needs three axis names", 2)
        return list(v)
    if not isinstance(v, str) or len(v) > _MAX_TEXT:
        raise CalibError("mount must be a preset name or three axis names", 2)
    return v


def _check_accel_matrix(k):
    for i in range(3):
        for j in range(3):
            x = k[i][j]
            if i == j and (x < _SCALE_RANGE[0] or x > _SCALE_RANGE[1]):
                raise CalibError("accel_matrix diagonal out of range", 2)
            if i != j and abs(x) > _MAX_CROSS:
                raise CalibError("accel_matrix cross-axis term out of range", 2)


class Calibration:
    """gyro_bias_dps, accel_offset_g, accel_scale, accel_matrix (None or 3x3 K, chip frame),
    mount (None = config's), align (3x3 rows, body <- mounted). `loaded`: a file was read;
    `calibrated`: it holds a real calibration (a calib_id; the identity file sent before
    calibrating has none)."""

    def __init__(self):
        self.gyro_bias_dps = [0.0, 0.0, 0.0]
        self.accel_offset_g = [0.0, 0.0, 0.0]
        self.accel_scale = [1.0, 1.0, 1.0]
        self.accel_matrix = None
        self.align = [list(r) for r in IDENTITY]
        self.mount = None
        self.calib_id = None
        self.device_id = None
        self.temp_c = None
        self.loaded = False

    @property
    def calibrated(self):
        return self.loaded and self.calib_id is not None

    def accel_gain(self):
        """K (3x3 rows, chip frame): a_true = K @ (a - offset)."""
        if self.accel_matrix is not None:
            return self.accel_matrix
        s = self.accel_scale
        return [[s[0], 0.0, 0.0], [0.0, s[1], 0.0], [0.0, 0.0, s[2]]]

    @staticmethod
    def from_dict(d):
        if not isinstance(d, dict):
            raise CalibError("calibration must be a JSON object", 2)
        version = d.get("version", CALIB_VERSION)
        if not _is_number(version) or version != CALIB_VERSION:
            raise CalibError("calibration version %s" % (version,), 9)
        c = Calibration()
        c.gyro_bias_dps = _vec3(d, "gyro_bias_dps", c.gyro_bias_dps, -_MAX_GYRO_BIAS_DPS, _MAX_GYRO_BIAS_DPS)
        c.accel_offset_g = _vec3(d, "accel_offset_g", c.accel_offset_g, -_MAX_ACCEL_OFFSET_G, _MAX_ACCEL_OFFSET_G)
        c.accel_scale = _vec3(d, "accel_scale", c.accel_scale, _SCALE_RANGE[0], _SCALE_RANGE[1])
        if d.get("accel_matrix") is not None:
            c.accel_matrix = _mat3(d, "accel_matrix")
            _check_accel_matrix(c.accel_matrix)
        if d.get("align") is not None:
            c.align = _mat3(d, "align")
            _check_rotation(c.align)
        c.mount = _mount_spec(d.get("mount"))
        c.calib_id = _text(d, "calib_id")
        c.device_id = _text(d, "device_id")
        t = d.get("temp_c")
        if t is not None and (not _is_number(t) or not _TEMP_RANGE_C[0] <= t <= _TEMP_RANGE_C[1]):
            raise CalibError("temp_c out of range", 2)
        c.temp_c = None if t is None else float(t)
        c.loaded = True
        return c

    def to_dict(self):
        d = {
            "version": CALIB_VERSION,
            "calib_id": self.calib_id,
            "device_id": self.device_id,
            "temp_c": self.temp_c,
            "gyro_bias_dps": self.gyro_bias_dps,
            "accel_offset_g": self.accel_offset_g,
            "accel_scale": self.accel_scale,
            "mount": self.mount,
            "align": self.align,
        }
        if self.accel_matrix is not None:
            d["accel_matrix"] = self.accel_matrix
        return d

    def apply(self, acc_g, gyro_dps):
        """In place, chip frame (before mount and align): accel g, gyro deg/s. Reference
        arithmetic in floats (host agreement tests); the device uses core/transform.py."""
        o = self.accel_offset_g
        k = self.accel_gain()
        b = self.gyro_bias_dps
        x = acc_g[0] - o[0]
        y = acc_g[1] - o[1]
        z = acc_g[2] - o[2]
        acc_g[0] = k[0][0] * x + k[0][1] * y + k[0][2] * z
        acc_g[1] = k[1][0] * x + k[1][1] * y + k[1][2] * z
        acc_g[2] = k[2][0] * x + k[2][1] * y + k[2][2] * z
        gyro_dps[0] -= b[0]
        gyro_dps[1] -= b[1]
        gyro_dps[2] -= b[2]


def load(path):
    """Calibration from the file; identity (loaded=False) when there is none."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return Calibration()
    try:
        d = json.loads(text)
    except ValueError:
        raise CalibError("calibration file is not JSON", 7)
    return Calibration.from_dict(d)

