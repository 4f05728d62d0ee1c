# The device's main loop, with every hardware object injected (main.py's build_app makes them:
# from the real modules on the board, from the stand-ins in the virtual device). Sampling is paced by the MPU6050 data-ready interrupt: the
# chip's own sample clock, so loop jitter never shifts the sample grid. The sample path itself (a
# sample into the ring and DATA packets, STATUS, START/STOP, tare) is in sample_stream.py.
import os

from micropython import const

from core import auth
from core import calib as calib_mod
from core import packets as P
from core.access import AccessControl
from core.commands import CommandHandler
from core.fusion import FusionSettings, RollPitchFusion
from core.haptic_logic import HapticLogic
from core.mount import Mount
from core.ringbuf import SampleRing
from core.timebase import TickExtender
from core.transform import BodyTransform, wire_ratio
from drivers import led as led_codes
from drivers.battery import UNKNOWN_PCT
from drivers.haptic import Haptic
from drivers.led import StatusLed
from drivers.mpu6050 import MPU6050, IMUError, IMUMissing
from flashfile import ThrottledFile
from powerman import PowerManager
from sample_stream import SampleStream
from settings import DEFAULT_CONFIG, load_config  # noqa: F401  (DEFAULT_CONFIG: re-exported)

FW_VERSION = "0.1.0"
_BLE_DEFAULT_PAYLOAD = const(20)
_STATUS_EVERY_MS = const(1000)
_IMU_RETRY_MS = const(500)
_IMU_WATCHDOG_PERIODS = const(10)  # no data-ready for this many periods = fault
_CALIB_WRITE_MIN_MS = const(10000)  # SET_CALIB reaches the flash at most this often
_HOUSEKEEPING_MS = const(100)  # flash writes due, the authentication timeout: checked this often
KEY_FILE = "auth.key"  # the device key (core/auth.py), written by SET_KEY over USB
BOND_FILE = "ble_bonds.json"  # BLE bond secrets (links/ble_bonds.py)
# Watchdog: a loop iteration takes a few ms; nothing the firmware does (a flash write, an IMU
# re-init) comes near this. If the loop ever dies or hangs, the chip resets and boots again.
WATCHDOG_MS = const(8000)

_MODES = {"roll": P.MODE_ROLL, "raw": P.MODE_RAW}


class App(SampleStream):
    """App(clock, i2c, ble, int_pin, haptic_out, led_pin, adc, uart, fs_root, config=None,
    deepsleep=None, watchdog=None). `clock` offers ticks_us/ticks_ms/ticks_diff/ticks_add/sleep_ms
    (the `time` module on the device). ble, uart, adc, haptic_out and led_pin may be None.
    `deepsleep(ms)` is machine.deepsleep (None: imported from `machine` when the battery runs out).
    `watchdog(timeout=ms)` is machine.WDT (None: no watchdog); it is started when the device is
    first used (a central connects or a command arrives), not at boot, so a board lying idle can
    still be stopped and flashed over USB (an ESP32 watchdog cannot be stopped once started)."""

    def __init__(self, clock, i2c, ble, int_pin, haptic_out, led_pin, adc, uart, fs_root, config=None,
                 deepsleep=None, watchdog=None):
        from links.ble_link import BleLink  # imported here: `bluetooth` only when BLE is used
        from links.serial_link import SerialLink

        self.clock = clock
        self.fs_root = fs_root
        self.fw_version = FW_VERSION
        self.cfg = config if config is not None else load_config(fs_root)
        cfg = self.cfg
        self.set_period(int(cfg["rate_hz"]))
        self.mode = _MODES[cfg["mode"]]
        self.link_pref = cfg["link"]
        self.imu = MPU6050(i2c, accel_range_g=cfg["accel_range_g"], gyro_range_dps=cfg["gyro_range_dps"],
                           dlpf_cfg=cfg["dlpf_cfg"])
        self.calib_file = ThrottledFile(fs_root + "/" + calib_mod.CALIB_FILE, clock, _CALIB_WRITE_MIN_MS)
        self.access = AccessControl(auth.load_key(fs_root + "/" + KEY_FILE), os.urandom)
        self.auth_timeout_ms = int(cfg["auth_timeout_ms"])
        self._ble_since_ms = 0
        self._watchdog_ctor = watchdog
        self.watchdog = None
        try:
            calib = calib_mod.load(fs_root + "/" + calib_mod.CALIB_FILE)
            mount = Mount(calib.mount if calib.mount else cfg["mount"])
            self.apply_calibration(calib, mount)
        except ValueError:  # CalibError, MountError: a corrupt file must not stop the device
            self.apply_calibration(calib_mod.Calibration(), Mount(cfg["mount"]))
        self._aw_num, self._aw_den = wire_ratio(P.ACCEL_LSB_PER_G, self.imu.accel_lsb_per_g)
        self._gw_num, self._gw_den = wire_ratio(P.GYRO_LSB_PER_DPS, self.imu.gyro_lsb_per_dps)
        self.fusion = RollPitchFusion(FusionSettings(**cfg["fusion"]))
        h = cfg["haptic"]
        self.haptic_logic = HapticLogic(h["enabled"], h["threshold_cdeg"], h["debounce_ms"])
        self.haptic = Haptic(haptic_out) if haptic_out is not None else None
        self.led = StatusLed(led_pin) if led_pin is not None else None
        self.power = PowerManager(self, adc, deepsleep)
        self.battery = self.power.battery
        self.ring = SampleRing(cfg["ring_slots"])
        self.ticks = TickExtender()
        self.writer = P.PacketWriter()
        self.status_buf = bytearray(P.HEADER_BYTES + P.STATUS_BODY_BYTES)
        self.commands = CommandHandler(self)
        self.neutral_cdeg = 0
        self.streaming = bool(cfg["autostart"])
        self.seq = -1  # seq of the last sample slot (START: -1, the next sample is 0)
        self.imu_ok = False
        self.imu_errors = 0
        self.samples = 0
        self.sent_packets = 0
        self.identify_until_ms = None
        self._init_sample_stream()
        self._fault_flag = 0
        self._drdy = 0
        self._stamp = 0
        self._watch_stamp = 0
        name = cfg.get("device_name")
        mac = ble.config("mac")[1] if ble is not None else b"\x00\x00"
        self.device_id = name or "hiplevel-%02x%02x" % (mac[-2], mac[-1])
        info = {"manufacturer": "hiplevel", "model": "hiplevel-belt-1", "serial": self.device_id, "fw": FW_VERSION}
        # one battery reading before the radio starts advertising, so the first advertisement
        # carries a level and not 255 (unknown); boot_check() fills the whole window in run()
        bat_pct = self.battery.read()[1] if self.battery is not None else UNKNOWN_PCT
        self.bonds = None
        if ble is not None and self.link_pref != "serial":
            from links.ble_bonds import BondStore

            if cfg["ble_bond"]:
                self.bonds = BondStore(fs_root + "/" + BOND_FILE, clock)
            self.ble = BleLink(ble, self.device_id, info, bat_pct, self.bonds, bool(cfg["ble_encrypted_only"]))
        else:
            self.ble = None
        self.serial = SerialLink(uart, clock) if uart is not None and self.link_pref != "ble" else None
        self._drdy_cb = self._on_drdy
        int_pin.irq(handler=self._drdy_cb, trigger=int_pin.IRQ_RISING)
        now = clock.ticks_ms()
        self._next_status_ms = now
        self._next_housekeeping_ms = now
        self._next_imu_retry_ms = now
        self._booted = False
        self._try_imu_init()

    def apply_calibration(self, calib, mount):
        """Use `calib` and `mount` from the next sample on: the fixed-point chip -> body transform
        is built here, once (raises ValueError when the gains do not fit it)."""
        imu = self.imu
        self.xform = BodyTransform(calib, mount, imu.accel_lsb_per_g, imu.gyro_lsb_per_dps)
        self.calib = calib
        self.mount = mount

    def set_period(self, rate_hz):
        self.rate_hz = rate_hz
        self.period_us = 1000000 // rate_hz
        self._dt1_s = self.period_us / 1000000  # one slot, a float built once, not per sample

    # --- interrupt: stamp and flag only -----------------------------------------------------
    def _on_drdy(self, pin):
        self._stamp = self.clock.ticks_us()
        self._drdy += 1

    # --- IMU ---------------------------------------------------------------------------------
    def _try_imu_init(self):
        try:
            self.imu.init(self.rate_hz)
            self.imu_ok = True
            self._watch_stamp = self.clock.ticks_us()
            self.set_led()
        except IMUError as e:
            self._imu_fault(e)

    def _imu_fault(self, err):
        self.imu_errors += 1
        self.imu_ok = False
        self._fault_flag = P.F_IMU_FAULT
        self.fusion.reset()
        self._next_imu_retry_ms = self.clock.ticks_add(self.clock.ticks_ms(), _IMU_RETRY_MS)
        if self.led is not None:
            code = led_codes.IMU_MISSING if isinstance(err, IMUMissing) else led_codes.IMU_BUS_ERROR
            self.led.set_code(code, self.clock.ticks_ms())

    def set_led(self):
        if self.led is None or not self.imu_ok:
            return
        if self.identify_until_ms is not None:
            code = led_codes.IDENTIFY
        elif self.ble is not None and self.ble.connected:
            code = led_codes.CONNECTED
        elif self.power.low:
            code = led_codes.LOW_BATTERY
        else:
            code = led_codes.ADVERTISING
        self.led.set_code(code, self.clock.ticks_ms())

    # --- links -------------------------------------------------------------------------------
    def data_link(self):
        """Where DATA goes now: BLE when an authenticated central is connected, else serial
        (config permitting). A central that has not authenticated gets no movement data."""
        if self.ble is not None and self.ble.authed:
            return self.ble
        return self.serial

    # --- access (core/access.py) ----------------------------------------------------------------
    def on_authenticated(self, link):
        """A central proved the key: it gets the stream from now on."""
        if link is self.ble:
            self.set_led()
            if self.streaming:
                self.send_status()

    def drop_ble(self):
        """Hang up on the connected central (it did not authenticate); advertising resumes."""
        if self.ble is not None and self.ble.connected:
            self.access.dropped += 1
            self.ble.disconnect()

    def set_device_key(self, key):
        """Provision (or with None erase) the device key; raises OSError when flash fails. A
        connected central must authenticate again with the new key."""
        auth.save_key(self.fs_root + "/" + KEY_FILE, key)
        self.access.set_key(key)
        if self.ble is not None:
            self.ble.session.reset()
            self.drop_ble()

    def security_info(self):
        info = self.access.counts()
        ble = self.ble
        if ble is not None:
            info["pairing"] = ble.pairing
            info["encrypted"] = ble.encrypted
            info["bonds"] = len(self.bonds) if self.bonds is not None else 0
        return info

    def payload_max(self):
        link = self.data_link()
        return link.payload_max if link is not None else _BLE_DEFAULT_PAYLOAD

    def flags(self):
        f = self._fault_flag
        fu = self.fusion
        if fu.still:
            f |= P.F_STILL
        if fu.initialising or not self.imu_ok:
            f |= P.F_FUSION_INIT
        if self.calib.calibrated:
            f |= P.F_CALIBRATED
        if self.haptic_logic.firing and self.power.haptic_allowed:
            f |= P.F_HAPTIC
        if self.power.low:
            f |= P.F_LOW_BATTERY
        return f

    # --- loop --------------------------------------------------------------------------------
    def arm_watchdog(self):
        """Start the watchdog (once): from now on a loop that stops iterating resets the chip."""
        if self.watchdog is None and self._watchdog_ctor is not None:
            self.watchdog = self._watchdog_ctor(timeout=WATCHDOG_MS)

    def _periodic(self):
        clock = self.clock
        now = clock.ticks_ms()
        self.ticks.extend(clock.ticks_us())  # keeps the wrap count right while no samples come
        if self.ble is not None:
            self.ble.poll()
            ev = self.ble.events
            if ev:
                if ev & self.ble.EV_CONNECTED:
                    self.arm_watchdog()
                    self._ble_since_ms = now
                self.set_led()
        self.power.periodic(now)
        if self.power.halted:
            return
        if self.streaming and clock.ticks_diff(now, self._next_status_ms) >= 0:
            self._next_status_ms = clock.ticks_add(now, _STATUS_EVERY_MS)
            self.send_status()
        if not self.imu_ok:
            if clock.ticks_diff(now, self._next_imu_retry_ms) >= 0:
                self._try_imu_init()
        else:
            quiet_us = clock.ticks_diff(clock.ticks_us(), self._watch_stamp)
            if quiet_us > _IMU_WATCHDOG_PERIODS * self.period_us:
                # no data-ready: the chip reset (brown-out) or the INT line is stuck
                self._imu_fault(IMUError("no data-ready for %d us" % quiet_us))
        if self.identify_until_ms is not None and clock.ticks_diff(now, self.identify_until_ms) >= 0:
            self.identify_until_ms = None
            self.set_led()
        if self.led is not None:
            self.led.update(now)
        if self.haptic is not None:
            self.haptic.update(now)
        self.commands.poll()
        if clock.ticks_diff(now, self._next_housekeeping_ms) >= 0:
            self._next_housekeeping_ms = clock.ticks_add(now, _HOUSEKEEPING_MS)
            self._housekeeping(now)

    def _housekeeping(self, now):
        """What need not run every iteration: flash writes that are due, the authentication timeout."""
        self.calib_file.poll()
        if self.bonds is not None:
            self.bonds.poll()
        ble = self.ble
        if ble is not None and ble.connected and not ble.session.authed \
                and self.clock.ticks_diff(now, self._ble_since_ms) >= self.auth_timeout_ms:
            # a central that does not authenticate must not hold the only connection
            self.access.auth_timeouts += 1
            self.drop_ble()

    def step(self):
        """One loop iteration: the pending sample, links, commands, housekeeping."""
        if self.watchdog is not None:
            self.watchdog.feed()
        if self._drdy:
            self._drdy = 0
            self._sample(self._stamp)
        self._periodic()
        if not self._drdy:
            self.clock.sleep_ms(1)

    def run(self, max_samples=None, max_ms=None):
        """Loop until max_samples samples were read or max_ms passed (None: forever)."""
        t0 = self.clock.ticks_ms()
        if not self._booted:
            self._booted = True
            if not self.power.boot_check():
                return
        while not self.power.halted:
            self.step()
            if self.power.halted:
                return
            if max_samples is not None and self.samples >= max_samples:
                break
            if max_ms is not None and self.clock.ticks_diff(self.clock.ticks_ms(), t0) >= max_ms:
                break
        self._close_packet()
