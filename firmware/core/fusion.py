# Roll and pitch of the pelvis from gyro + accelerometer (body frame: x forward, y left, z up).
#
# Mahony-style complementary filter on the gravity direction: the "up" unit vector seen in the
# body frame is carried forward by the gyro (v' = v + (v x w) dt) and pulled toward the measured
# specific force with a proportional gain (w += gain * (a x v)). Time enters as the sample
# period; no clocks.
#
# Gyro bias while still: the integral of that same correction (the Mahony "I" term), not the mean
# gyro. Standing sway and the slow turning points of a squat pass any stillness test, and their
# mean rate is real rotation: learning it as bias (the earlier design) cost ~0.3 deg of roll RMSE
# on the simulator. A bias makes the gyro tilt drift away from the accelerometer's; sway moves
# both together, so the correction only integrates what is bias. The vertical component (yaw
# when upright) is unobservable from gravity, so the z axis also follows its mean gyro at rest.
#
# Roll = atan2(up_y, up_z) (positive = left side higher), pitch = atan2(-up_x, hypot(up_y, up_z))
# (positive = front of the pelvis down).
#
# Settings (FusionSettings, units in the names):
# | setting               | meaning                                              | unit  | off    | default |
# | gain                  | accel correction rate (1/time constant), moving      | 1/s   | 0      | 0.35    |
# | still_gain            | the same while still (accel is then pure gravity)     | 1/s   | 0      | 1.0     |
# | init_gain             | gain while initialising (fast convergence)           | 1/s   | -      | 10      |
# | init_s                | initialisation time, gain ramps init_gain -> gain    | s     | 0      | 2.0     |
# | accel_reject_g        | ignore accel when | |a| - 1 g | exceeds this          | g     | 99     | 0.25    |
# | turn_rate_dps         | ignore accel while |gyro z| exceeds this (turns)      | deg/s | 1e9    | 90      |
# | recovery_s            | accept accel again after this long ignored           | s     | 1e9    | 3.0     |
# | still_gyro_dev_dps    | gyro within this of its recent mean = still          | deg/s | 0      | 1.5     |
# | still_accel_dev_g     | accel within this of its recent mean and of 1 g      | g     | 0      | 0.04    |
# | still_max_rate_dps    | still also needs |gyro - bias| below this             | deg/s | 1e9    | 10      |
# | still_hold_s          | conditions must hold this long                        | s     | -      | 0.5     |
# | bias_tau_s            | bias integral: rate / tilt error = gain / bias_tau_s  | s     | 1e9    | 4.0     |
# | bias_z_tau_s          | time constant of the z bias following its mean gyro  | s     | 1e9    | 2.0     |
# | settle_start_deg      | largest error bound when the gain ramp ends          | deg   | 0      | 8.0     |
# | settle_deg            | `initialising` ends once that bound has decayed to it | deg   | -      | 0.5     |
# The accel gate follows x-io Fusion (imufusion) practice; the gain is a little under its default
# 0.5. A real roll is followed by the gyro at once, the gain only sets how fast a gyro error is
# pulled back (~3 s). still_gain 1 with bias_tau_s 4 makes the still bias loop critically damped
# (s^2 + s + 1/4). Turns are gated because walking at ~1.2 m/s through a 90 deg/s turn puts
# ~0.19 g of centripetal acceleration on the lateral axis, which gravity reads as ~11 deg of roll.
# Gain vs evidence (sim: bench section 2, all exercises, 3 rates, imufusion 0.36-0.44 deg; real:
# the neura-pelvis-vicon walk of bench/real_pelvis.py, imufusion 3.08 deg, r 0.46):
#   gain 0.5: sim 0.30-0.32, real 2.87 r 0.52, but RMS difference to imufusion 0.53 (> 0.5)
#   gain 0.35: sim 0.24-0.25, real 2.97 r 0.48 (chosen: every target met on both)
#   gain 0.25 with a 45 deg/s turn gate: sim 0.18, real 3.10 r 0.42 (tuned to the simulator).
#
# Settling: the gain ramp averages the accelerometer over a shorter and shorter window, so when it
# ends the estimate still carries what the person's own accelerations did in its last second: after
# a 2 s IMU fault mid-exercise, up to 7.8 deg, then pulled back at the moving gain (1/0.35 s time
# constant), 2.5 deg still at 4-8 s. So `initialising` (FUSION_INIT on the wire) stays set after the
# ramp until an error bound has decayed below settle_deg. The bound starts at twice the mean angle
# between the accelerometer and the estimate over the ramp's last second (how much the person's
# own accelerations were pulling at it), at most settle_start_deg: at rest that is a few tenths of
# a degree and the flag ends with the ramp; mid-walk it is the cap. It then shrinks exactly as a
# tilt error does, by the correction applied (gain * dt) on every sample whose accelerometer is
# used, and not at all while it is ignored (turns, impacts). From 8 to 0.5 deg: ln(16) / gain,
# 7.9 s moving.
#
# Allocation: every float result is a heap object on MicroPython's ESP32 and unix ports, so the
# update is written to build few of them: constants that depend only on dt and the settings are
# derived once (again when either changes), range tests are chained comparisons against
# precomputed bounds instead of abs(x - c), and the stillness test reuses the running-mean update.
import math

_RAD_PER_DEG = math.pi / 180.0
_DEG_PER_RAD = 180.0 / math.pi
_NEG_DEG_PER_RAD = -_DEG_PER_RAD
_MEAN_TAU_S = 0.25  # running means used by the stillness test
_DEV_TAU_S = 1.0  # mean accelerometer-vs-estimate angle during the ramp: about a stride
_SETTLE_PER_DEV = 2.0  # the settling bound per degree of that mean angle (capped at settle_start_deg)
_NO_LIMIT = 1e30


class FusionSettings:
    def __init__(self, **kw):
        self.gain = 0.35
        self.still_gain = 1.0
        self.init_gain = 10.0
        self.init_s = 2.0
        self.accel_reject_g = 0.25
        self.turn_rate_dps = 90.0
        self.recovery_s = 3.0
        self.still_gyro_dev_dps = 1.5
        self.still_accel_dev_g = 0.04
        self.still_max_rate_dps = 10.0
        self.still_hold_s = 0.5
        self.bias_tau_s = 4.0
        self.bias_z_tau_s = 2.0
        self.settle_start_deg = 8.0
        self.settle_deg = 0.5
        for k in kw:
            if not hasattr(self, k):
                raise ValueError("unknown fusion setting: %s" % k)
            setattr(self, k, float(kw[k]))


class RollPitchFusion:
    """`update(ax_g, ay_g, az_g, gx_dps, gy_dps, gz_dps, dt_s)` with body-frame values; read
    `roll_deg`, `pitch_deg`, flags `initialising` (ramping up, or not yet settled), `accel_ignored`,
    `still`, and `bias_dps`."""

    def __init__(self, settings=None):
        self.settings = settings if settings is not None else FusionSettings()
        self.bias_dps = [0.0, 0.0, 0.0]
        self._v = [0.0, 0.0, 1.0]
        self._gmean = [0.0, 0.0, 0.0]
        self._amean = [0.0, 0.0, 1.0]
        self._dt = -1.0  # derived constants are for this dt and the settings in _key
        self._key = None
        self.reset()

    def reset(self, keep_bias=True):
        """Start converging again (after an IMU fault); the bias estimate is kept by default."""
        if not keep_bias:
            for i in range(3):
                self.bias_dps[i] = 0.0
        self.roll_deg = 0.0
        self.pitch_deg = 0.0
        self.initialising = True
        self._ramping = True
        self._bound_deg = 0.0
        self._dev_deg = 0.0
        self.accel_ignored = False
        self.still = False
        self._t_s = 0.0
        self._ignored_s = 0.0
        self._still_s = 0.0
        self._started = False

    def _derive(self, dt_s):
        """Constants for one dt and the current settings (settings may be changed between updates)."""
        s = self.settings
        self._dt = dt_s
        self._key = (s.gain, s.still_gain, s.accel_reject_g, s.still_gyro_dev_dps, s.still_accel_dev_g, s.still_max_rate_dps,
                     s.bias_tau_s, s.turn_rate_dps, s.bias_z_tau_s)
        a = dt_s / _MEAN_TAU_S
        if a > 1.0:
            a = 1.0
        self._a = a
        a = dt_s / _DEV_TAU_S
        self._a_dev = a if a < 1.0 else 1.0
        # |x - new mean| = (1 - a) |x - old mean|: the test runs on the old-mean difference
        self._gdev = s.still_gyro_dev_dps / (1.0 - a) if a < 1.0 else _NO_LIMIT
        self._adev = s.still_accel_dev_g / (1.0 - a) if a < 1.0 else _NO_LIMIT
        self._gdev_neg = -self._gdev  # -x builds a float too: negated bounds are kept
        self._adev_neg = -self._adev
        self._still_lo = 1.0 - s.still_accel_dev_g
        self._still_hi = 1.0 + s.still_accel_dev_g
        self._rej_lo = 1.0 - s.accel_reject_g
        self._rej_hi = 1.0 + s.accel_reject_g
        self._rate = s.still_max_rate_dps
        self._rate_neg = -s.still_max_rate_dps
        self._turn = s.turn_rate_dps
        self._turn_neg = -s.turn_rate_dps
        self._rad_dt = _RAD_PER_DEG * dt_s
        self._gain_dt = s.gain * dt_s
        self._still_gain_dt = s.still_gain * dt_s
        kb = dt_s / s.bias_z_tau_s
        self._kb = kb if kb < 1.0 else 1.0
        kb = 4.0 * kb  # a quarter of the time constant while initialising
        self._kb_init = kb if kb < 1.0 else 1.0
        # the correction is gain * dt * tilt error (rad): this makes the bias rate (deg/s per s)
        # gain / bias_tau_s per rad of error (faster with the initialisation gain by itself)
        self._ki = _DEG_PER_RAD / s.bias_tau_s

    def _stale(self, dt_s):
        s = self.settings
        k = self._key
        return (dt_s != self._dt or k is None or k[0] != s.gain or k[1] != s.still_gain
                or k[2] != s.accel_reject_g or k[3] != s.still_gyro_dev_dps or k[4] != s.still_accel_dev_g
                or k[5] != s.still_max_rate_dps or k[6] != s.bias_tau_s or k[7] != s.turn_rate_dps
                or k[8] != s.bias_z_tau_s)

    def update(self, ax, ay, az, gx, gy, gz, dt_s):
        s = self.settings
        if self._stale(dt_s):
            self._derive(dt_s)
        v = self._v
        b = self.bias_dps
        norm = math.sqrt(ax * ax + ay * ay + az * az)
        if not self._started:
            if norm < 0.1:
                return  # no gravity reference yet (chip not answering with data)
            v[0] = ax / norm
            v[1] = ay / norm
            v[2] = az / norm
            self._amean[0] = ax
            self._amean[1] = ay
            self._amean[2] = az
            self._gmean[0] = gx
            self._gmean[1] = gy
            self._gmean[2] = gz
            self._started = True
            # the first sample after a reset only gives the gravity direction: dt may span a
            # fault's whole gap, and its gyro rate was not the rate over that gap
            dt_s = 0.0
            self._derive(dt_s)
        self._still_update(ax, ay, az, gx, gy, gz, norm, dt_s)

        # gain: ramp from init_gain to gain over init_s (dt already folded in)
        if self._ramping:
            self._t_s += dt_s
            if self._t_s >= s.init_s:
                self._ramping = False
                bound = _SETTLE_PER_DEV * self._dev_deg
                self._bound_deg = bound if bound < s.settle_start_deg else s.settle_start_deg
                if self._bound_deg <= s.settle_deg:
                    self.initialising = False
        if self._ramping and s.init_s > 0:
            kdt = (s.init_gain + (s.gain - s.init_gain) * (self._t_s / s.init_s)) * dt_s
        elif self.still:
            kdt = self._still_gain_dt
        else:
            kdt = self._gain_dt

        # accel gate, with recovery after a long rejection (a lasting bias would otherwise win)
        ex = ey = ez = 0.0
        reject = (not (self._rej_lo <= norm <= self._rej_hi and self._turn_neg < gz < self._turn)
                  and not self._ramping)
        if reject and self._ignored_s < s.recovery_s:
            self._ignored_s += dt_s
            self.accel_ignored = True
        elif norm > 0.1:
            if not reject:
                self._ignored_s = 0.0
            self.accel_ignored = False
            inv = kdt / norm
            # (a x v) * gain * dt / |a|
            cx = ay * v[2] - az * v[1]
            cy = az * v[0] - ax * v[2]
            cz = ax * v[1] - ay * v[0]
            ex = cx * inv
            ey = cy * inv
            ez = cz * inv
            if self._ramping:
                # how far the accelerometer points from the estimate, averaged over about a
                # stride: what the ramp's shrinking window leaves in the estimate when it ends
                dev = math.sqrt(cx * cx + cy * cy + cz * cz) / norm * _DEG_PER_RAD
                self._dev_deg += self._a_dev * (dev - self._dev_deg)
            if self.initialising and not self._ramping:
                # settling: a tilt error shrinks by the correction applied, so does its bound
                self._bound_deg *= 1.0 - kdt
                if self._bound_deg <= s.settle_deg:
                    self.initialising = False

            if self.still:
                # bias integral: a lasting correction while still is what the gyro bias leaves
                c = self._ki
                b[0] -= c * ex
                b[1] -= c * ey
                b[2] -= c * ez

        # rotation over dt, rad: gyro less bias, plus the accel correction
        k = self._rad_dt
        wx = (gx - b[0]) * k + ex
        wy = (gy - b[1]) * k + ey
        wz = (gz - b[2]) * k + ez
        # v' = v + v x (w dt), then renormalise
        vx = v[0] + v[1] * wz - v[2] * wy
        vy = v[1] + v[2] * wx - v[0] * wz
        vz = v[2] + v[0] * wy - v[1] * wx
        n = math.sqrt(vx * vx + vy * vy + vz * vz)
        v[0] = vx / n
        v[1] = vy / n
        v[2] = vz / n
        self.roll_deg = math.atan2(v[1], v[2]) * _DEG_PER_RAD
        # atan2(-x, hypot(y, z)) of a unit vector is asin(-x): fewer float objects
        x = v[0]
        if x > 1.0:
            x = 1.0
        elif x < -1.0:
            x = -1.0
        self.pitch_deg = math.asin(x) * _NEG_DEG_PER_RAD

    def _still_update(self, ax, ay, az, gx, gy, gz, norm, dt_s):
        gm = self._gmean
        am = self._amean
        a = self._a
        gdev = self._gdev
        adev = self._adev
        gneg = self._gdev_neg
        aneg = self._adev_neg
        # running means, and whether each sample sits near its (updated) mean
        d = gx - gm[0]
        gm[0] += a * d
        quiet = gneg < d < gdev
        d = gy - gm[1]
        gm[1] += a * d
        quiet = quiet and gneg < d < gdev
        d = gz - gm[2]
        gm[2] += a * d
        quiet = quiet and gneg < d < gdev
        d = ax - am[0]
        am[0] += a * d
        quiet = quiet and aneg < d < adev
        d = ay - am[1]
        am[1] += a * d
        quiet = quiet and aneg < d < adev
        d = az - am[2]
        am[2] += a * d
        quiet = quiet and aneg < d < adev and self._still_lo < norm < self._still_hi
        b = self.bias_dps
        if quiet and not self._ramping:
            hi = self._rate
            lo = self._rate_neg
            quiet = lo < gx - b[0] < hi and lo < gy - b[1] < hi and lo < gz - b[2] < hi
        if not quiet:
            self._still_s = 0.0
            self.still = False
            return
        if self._still_s < self.settings.still_hold_s:
            self._still_s += dt_s
            if self._still_s < self.settings.still_hold_s:
                return
        self.still = True
        # z (yaw when upright) is invisible to gravity: at rest it follows its mean gyro
        k = self._kb_init if self._ramping else self._kb
        b[2] += k * (gm[2] - b[2])
