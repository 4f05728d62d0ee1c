# Chip -> body axes from the mounting config (body frame: x forward, y left, z up).
#
# A mapping lists, for body x, y, z in that order, which chip axis (and sign) points that way:
# ["-z", "y", "x"] means body x = -chip z, body y = chip y, body z = chip x.
# Presets (sensor at the back of the pelvis, "component side" = the side with the chip):
#   standard   board flat on the back, component side facing backward, USB down:
#              chip X up, chip Y left, chip Z backward              -> ["-z", "y", "x"]
#   usb_up     as standard but turned over end, USB up:
#              chip X down, chip Y right, chip Z backward           -> ["-z", "-y", "-x"]
#   usb_left   as standard turned a quarter turn, USB toward the wearer's left:
#              chip X right, chip Y up, chip Z backward             -> ["-z", "-x", "y"]
#   usb_right  USB toward the wearer's right:
#              chip X left, chip Y down, chip Z backward            -> ["-z", "x", "-y"]
#   inward     component side facing the body, USB down:
#              chip X up, chip Y right, chip Z forward              -> ["z", "-y", "x"]
#   flat       chip flat, X forward, Y left, Z up (bench / desk)    -> ["x", "y", "z"]
# Only right-handed mappings are accepted (a mirror would flip the sign of roll).

PRESETS = {
    "standard": ("-z", "y", "x"),
    "usb_up": ("-z", "-y", "-x"),
    "usb_left": ("-z", "-x", "y"),
    "usb_right": ("-z", "x", "-y"),
    "inward": ("z", "-y", "x"),
    "flat": ("x", "y", "z"),
}

_AXES = "xyz"


class MountError(ValueError):
    pass


def _det3(m):
    return (
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    )


class Mount:
    """Maps chip-frame vectors to the body frame. `name` is the preset or "custom"."""

    def __init__(self, spec="standard"):
        if isinstance(spec, str):
            if spec not in PRESETS:
                raise MountError("unknown mount preset: %s" % spec)
            self.name = spec
            spec = PRESETS[spec]
        else:
            self.name = "custom"
        if len(spec) != 3:
            raise MountError("mount needs three axes")
        idx = [0, 0, 0]
        sign = [1, 1, 1]
        m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
        for i in range(3):
            s = str(spec[i]).strip().lower()
            neg = s.startswith("-")
            s = s.lstrip("+-")
            if len(s) != 1 or s not in _AXES:
                raise MountError("bad axis: %s" % spec[i])
            idx[i] = _AXES.index(s)
            sign[i] = -1 if neg else 1
            m[i][idx[i]] = sign[i]
        if sorted(idx) != [0, 1, 2]:
            raise MountError("each chip axis must be used once")
        if _det3(m) != 1:
            raise MountError("mapping is not right-handed (a mirror image)")
        self.spec = tuple(spec)
        self._i0, self._i1, self._i2 = idx
        self._s0, self._s1, self._s2 = sign

    def matrix(self):
        """3x3 rows, body <- chip: the signed permutation as numbers (for core/transform.py)."""
        m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
        m[0][self._i0] = self._s0
        m[1][self._i1] = self._s1
        m[2][self._i2] = self._s2
        return m

    def apply(self, chip, body):
        """body[0..2] = chip vector in the body frame (lists or arrays, no allocation)."""
        body[0] = self._s0 * chip[self._i0]
        body[1] = self._s1 * chip[self._i1]
        body[2] = self._s2 * chip[self._i2]
