# Per-device calibration in the chip frame, stored on flash as a small JSON file and applied
# to every sample before the mounting rotation: gyro - bias; (accel - offset) * scale.
import json

CALIB_VERSION = 1
CALIB_FILE = "calib.json"
_MAX_GYRO_BIAS_DPS = 50.0  # MPU6050 zero-rate output is +-20 deg/s typical
_MAX_ACCEL_OFFSET_G = 0.5
_SCALE_RANGE = (0.8, 1.2)


class CalibError(ValueError):
    """`status` is the reply status code to answer with (BAD_ARG, BAD_VERSION, STORAGE_ERROR)."""

    def __init__(self, msg, status):
        super().__init__(msg)
        self.status = status


def _vec3(d, key, default, lo, hi):
    v = d.get(key, default)
    if not isinstance(v, (list, tuple)) or len(v) != 3:
        raise CalibError("%s needs 3 numbers" % key, 2)
    out = []
    for x in v:
        if not isinstance(x, (int, float)) or x < lo or x > hi:
            raise CalibError("%s out of range" % key, 2)
        out.append(float(x))
    return out


class Calibration:
    """gyro_bias_dps, accel_offset_g, accel_scale (chip frame), mount (None = config's)."""

    def __init__(self):
        self.gyro_bias_dps = [0.0, 0.0, 0.0]
        self.accel_offset_g = [0.0, 0.0, 0.0]
        self.accel_scale = [1.0, 1.0, 1.0]
        self.mount = None
        self.calib_id = None
        self.loaded = False

    @staticmethod
    def from_dict(d):
        if not isinstance(d, dict):
            raise CalibError("calibration must be a JSON object", 2)
        if d.get("version", CALIB_VERSION) != CALIB_VERSION:
            raise CalibError("calibration version %s" % d.get("version"), 9)
        c = Calibration()
        c.gyro_bias_dps = _vec3(d, "gyro_bias_dps", c.gyro_bias_dps, -_MAX_GYRO_BIAS_DPS, _MAX_GYRO_BIAS_DPS)
        c.accel_offset_g = _vec3(d, "accel_offset_g", c.accel_offset_g, -_MAX_ACCEL_OFFSET_G, _MAX_ACCEL_OFFSET_G)
        c.accel_scale = _vec3(d, "accel_scale", c.accel_scale, _SCALE_RANGE[0], _SCALE_RANGE[1])
        c.mount = d.get("mount")
        cid = d.get("calib_id")
        c.calib_id = None if cid is None else str(cid)
        c.loaded = True
        return c

    def to_dict(self):
        return {
            "version": CALIB_VERSION,
            "calib_id": self.calib_id,
            "gyro_bias_dps": self.gyro_bias_dps,
            "accel_offset_g": self.accel_offset_g,
            "accel_scale": self.accel_scale,
            "mount": self.mount,
        }

    def apply(self, acc_g, gyro_dps):
        """In place, chip frame: accel g, gyro deg/s."""
        o = self.accel_offset_g
        s = self.accel_scale
        b = self.gyro_bias_dps
        acc_g[0] = (acc_g[0] - o[0]) * s[0]
        acc_g[1] = (acc_g[1] - o[1]) * s[1]
        acc_g[2] = (acc_g[2] - o[2]) * s[2]
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


def save(path, calib):
    try:
        with open(path, "w") as f:
            f.write(json.dumps(calib.to_dict()))
    except OSError:
        raise CalibError("cannot write %s" % path, 7)
