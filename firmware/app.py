# The device's main loop, with every hardware object injected (main.py builds the real ones,
# the virtual device the stand-ins). Sampling is paced by the MPU6050 data-ready interrupt: the
# chip's own sample clock, so loop jitter never shifts the sample grid.
import json

from micropython import const

from core import calib as calib_mod
from core import packets as P
from core.commands import CommandHandler
from core.fusion import FusionSettings, RollPitchFusion
from core.haptic_logic import HapticLogic
from core.mount import Mount
from core.ringbuf import SampleRing
from core.timebase import TickExtender
from drivers import led as led_codes
from drivers.battery import LOW_BATTERY_PCT, Battery
from drivers.haptic import Haptic
from drivers.led import StatusLed
from drivers.mpu6050 import MPU6050, IMUError, IMUMissing

FW_VERSION = "0.1.0"
_BLE_DEFAULT_PAYLOAD = const(20)
_STATUS_EVERY_MS = const(1000)
_BATTERY_EVERY_MS = const(10000)
_IMU_RETRY_MS = const(500)
_IMU_WATCHDOG_PERIODS = const(10)  # no data-ready for this many periods = fault
_HAPTIC_PULSE_MS = const(200)
_TARE_WINDOW = const(200)  # 1 s at the highest rate

DEFAULT_CONFIG = {
    "rate_hz": 100,
    "mode": "roll",
    "mount": "standard",
    "link": "auto",
    "autostart": False,
    "accel_range_g": 4,
    "gyro_range_dps": 500,
    "dlpf_cfg": 3,
    "ring_slots": 2048,
    "haptic": {"enabled": True, "threshold_cdeg": 600, "debounce_ms": 250},
    "fusion": {},
    "device_name": None,
}
_MODES = {"roll": P.MODE_ROLL, "raw": P.MODE_RAW}


def load_config(fs_root):
    """config.json from the device's flash merged over the defaults."""
    cfg = {}
    for k in DEFAULT_CONFIG:
        cfg[k] = DEFAULT_CONFIG[k]
    try:
        with open(fs_root + "/config.json") as f:
            user = json.loads(f.read())
        for k in user:
            cfg[k] = user[k]
    except OSError:
        pass
    return cfg


class App:
    """App(clock, i2c, ble, int_pin, haptic_out, led_pin, adc, uart, fs_root, config=None).
    `clock` offers ticks_us/ticks_ms/ticks_diff/ticks_add/sleep_ms (the `time` module on the
    device). ble, uart, adc, haptic_out and led_pin may be None."""

    def __init__(self, clock, i2c, ble, int_pin, haptic_out, led_pin, adc, uart, fs_root, config=None):
        from links.ble_link import BleLink  # imported here: `bluetooth` only when BLE is used
        from links.serial_link import SerialLink

        self.clock = clock
        self.fs_root = fs_root
        self.fw_version = FW_VERSION
        self.cfg = config if config is not None else load_config(fs_root)
        cfg = self.cfg
        self.rate_hz = int(cfg["rate_hz"])
        self.period_us = 1000000 // self.rate_hz
        self.mode = _MODES[cfg["mode"]]
        self.link_pref = cfg["link"]
        self.imu = MPU6050(i2c, accel_range_g=cfg["accel_range_g"], gyro_range_dps=cfg["gyro_range_dps"],
                           dlpf_cfg=cfg["dlpf_cfg"])
        try:
            self.calib = calib_mod.load(fs_root + "/" + calib_mod.CALIB_FILE)
        except calib_mod.CalibError:
            self.calib = calib_mod.Calibration()  # a corrupt file must not stop the device
        self.mount = Mount(self.calib.mount if self.calib.mount else cfg["mount"])
        self.fusion = RollPitchFusion(FusionSettings(**cfg["fusion"]))
        h = cfg["haptic"]
        self.haptic_logic = HapticLogic(h["enabled"], h["threshold_cdeg"], h["debounce_ms"])
        self.haptic = Haptic(haptic_out) if haptic_out is not None else None
        self.led = StatusLed(led_pin) if led_pin is not None else None
        self.battery = Battery(adc) if adc is not None else None
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
        # chip/body vectors and the tare window, allocated once
        self._ca = [0.0, 0.0, 0.0]
        self._cg = [0.0, 0.0, 0.0]
        self._ba = [0.0, 0.0, 0.0]
        self._bg = [0.0, 0.0, 0.0]
        from array import array

        self._tare = array("h", [0] * _TARE_WINDOW)
        self._tare_i = 0
        self._tare_n = 0
        self._fault_flag = 0
        self._pkt_open = False
        self._pkt_last_seq = -1
        self._drdy = 0
        self._stamp = 0
        self._last_stamp = 0
        self._have_last = False
        self._watch_stamp = 0
        self.roll_cdeg = 0
        self.pitch_cdeg = 0
        self.raw_wire = [0] * 6
        self.temp_cdegc = 0
        name = cfg.get("device_name")
        mac = ble.config("mac")[1] if ble is not None else b"\x00\x00"
        self.device_id = name or "hiplevel-%02x%02x" % (mac[-2], mac[-1])
        info = {"manufacturer": "hiplevel", "model": "hiplevel-belt-1", "serial": self.device_id, "fw": FW_VERSION}
        self.ble = BleLink(ble, self.device_id, info) if ble is not None and self.link_pref != "serial" else None
        self.serial = SerialLink(uart) if uart is not None and self.link_pref != "ble" else None
        self._drdy_cb = self._on_drdy
        int_pin.irq(handler=self._drdy_cb, trigger=int_pin.IRQ_RISING)
        now = clock.ticks_ms()
        self._next_status_ms = now
        self._next_battery_ms = now
        self._next_imu_retry_ms = now
        self._try_imu_init()

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
            self._set_led()
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

    def _set_led(self):
        if self.led is None or not self.imu_ok:
            return
        if self.identify_until_ms is not None:
            code = led_codes.IDENTIFY
        elif self.ble is not None and self.ble.connected:
            code = led_codes.CONNECTED
        elif self.battery is not None and self.battery.pct < LOW_BATTERY_PCT:
            code = led_codes.LOW_BATTERY
        else:
            code = led_codes.ADVERTISING
        self.led.set_code(code, self.clock.ticks_ms())

    # --- links -------------------------------------------------------------------------------
    def data_link(self):
        """Where DATA goes now: BLE when a central is connected, else serial (config permitting)."""
        if self.ble is not None and self.ble.connected:
            return self.ble
        return self.serial

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
        if self.calib.loaded:
            f |= P.F_CALIBRATED
        if self.haptic_logic.firing:
            f |= P.F_HAPTIC
        if self.battery is not None and self.battery.pct < LOW_BATTERY_PCT:
            f |= P.F_LOW_BATTERY
        return f

    # --- sample path -------------------------------------------------------------------------
    def _sample(self, stamp):
        period = self.period_us
        slots = 1
        if self._have_last:
            slots = (self.clock.ticks_diff(stamp, self._last_stamp) + period // 2) // period
            if slots < 1:
                slots = 1
        self._last_stamp = stamp
        self._watch_stamp = stamp
        self._have_last = True
        wraps = self.ticks.extend(stamp)
        imu = self.imu
        try:
            imu.read()
        except IMUError as e:
            self._imu_fault(e)
            if self.streaming:
                self.seq += slots  # the slot exists, its sample does not
                self._close_packet()
            return
        ca = self._ca
        cg = self._cg
        ca[0], ca[1], ca[2] = imu.accel_g
        cg[0], cg[1], cg[2] = imu.gyro_dps
        self.calib.apply(ca, cg)
        ba = self._ba
        bg = self._bg
        self.mount.apply(ca, ba)
        self.mount.apply(cg, bg)
        fu = self.fusion
        fu.update(ba[0], ba[1], ba[2], bg[0], bg[1], bg[2], slots * period / 1000000)
        roll = int(fu.roll_deg * 100)
        pitch = int(fu.pitch_deg * 100)
        self.roll_cdeg = roll
        self.pitch_cdeg = pitch
        self.temp_cdegc = int(imu.temp_c * 100)
        self.samples += 1
        self._tare[self._tare_i] = roll
        self._tare_i = (self._tare_i + 1) % _TARE_WINDOW
        if self._tare_n < _TARE_WINDOW:
            self._tare_n += 1
        if self.haptic_logic.update(roll, self.neutral_cdeg, slots * period) and self.haptic is not None:
            self.haptic.pulse(self.clock.ticks_ms(), _HAPTIC_PULSE_MS)
        if not self.streaming:
            return
        seq = self.seq + slots
        self.seq = seq
        w = self.raw_wire
        for i in range(3):
            w[i] = int(ba[i] * P.ACCEL_LSB_PER_G)
            w[3 + i] = int(bg[i] * P.GYRO_LSB_PER_DPS)
        self.ring.put(seq, wraps, stamp, roll, pitch, w[0], w[1], w[2], w[3], w[4], w[5])
        self._add_to_packet(seq, wraps, stamp, imu.saturated)

    def _add_to_packet(self, seq, wraps, stamp, saturated):
        wr = self.writer
        if self._pkt_open and seq != self._pkt_last_seq + 1:
            self._close_packet()  # a gap: samples in one packet are evenly spaced
        raw = self.mode == P.MODE_RAW
        if not self._pkt_open:
            wr.begin(P.T_DATA_RAW if raw else P.T_DATA_ROLL, self.flags(), self.rate_hz, seq, wraps, stamp)
            self._fault_flag = 0
            self._pkt_open = True
        else:
            wr.add_flags(self.flags())
        if saturated:
            wr.add_flags(P.F_SATURATED)
        if raw:
            w = self.raw_wire
            wr.add_raw(w[0], w[1], w[2], w[3], w[4], w[5])
        else:
            wr.add_roll(self.roll_cdeg, self.pitch_cdeg)
        self._pkt_last_seq = seq
        size = P.RAW_SAMPLE_BYTES if raw else P.ROLL_SAMPLE_BYTES
        if wr.count >= P.samples_per_packet(self.payload_max(), size, self.rate_hz):
            self._close_packet()

    def _close_packet(self):
        if not self._pkt_open:
            return
        self._pkt_open = False
        link = self.data_link()
        if link is None or self.writer.n > link.payload_max:
            return  # kept in the ring for RESEND
        if link.send_data(self.writer.finish()):
            self.sent_packets += 1
            self.ring.mark_sent(self._pkt_last_seq)

    def send_status(self):
        """STATUS packet on the data link (skipped when it does not fit one notification)."""
        link = self.data_link()
        if link is None or len(self.status_buf) > link.payload_max:
            return False
        wraps = self.ticks.extend(self.clock.ticks_us())
        n = self.encode_status(self.status_buf, 0, wraps)
        return link.send_data(memoryview(self.status_buf)[:n])

    def encode_status(self, buf, body_only, wraps=0):
        bat = self.battery
        pct = bat.pct if bat is not None else 255
        mv = bat.mv if bat is not None else 0
        mode = self.mode if self.streaming else P.MODE_STOPPED
        args = (pct, mode, mv, self.temp_cdegc, self.neutral_cdeg, self.imu_errors,
                self.ring.overwritten_unsent, self.payload_max())
        if body_only:
            return P.encode_status_body(buf, 0, *args)
        t = self.clock.ticks_us()
        return P.encode_status(buf, self.flags(), self.rate_hz, self.seq + 1, wraps, t, *args)

    # --- stream control (used by commands) ----------------------------------------------------
    def start_stream(self):
        self._pkt_open = False
        self.ring.clear()
        self.seq = -1
        self.streaming = True

    def stop_stream(self):
        self._close_packet()
        self.streaming = False

    def tare_mean_cdeg(self):
        """Mean roll of the last second, or None when the device is not still."""
        n = min(self._tare_n, self.rate_hz)
        if n < self.rate_hz or not self.fusion.still or self.fusion.initialising:
            return None
        total = 0
        for k in range(1, n + 1):
            total += self._tare[(self._tare_i - k) % _TARE_WINDOW]
        return (total + n // 2) // n if total >= 0 else -((-total + n // 2) // n)

    # --- loop --------------------------------------------------------------------------------
    def _periodic(self):
        clock = self.clock
        now = clock.ticks_ms()
        self.ticks.extend(clock.ticks_us())  # keeps the wrap count right while no samples come
        if self.ble is not None:
            self.ble.poll()
            ev = self.ble.events
            if ev:
                if ev & self.ble.EV_CONNECTED and self.streaming:
                    self.send_status()
                self._set_led()
        if self.battery is not None and clock.ticks_diff(now, self._next_battery_ms) >= 0:
            self._next_battery_ms = clock.ticks_add(now, _BATTERY_EVERY_MS)
            self.battery.read()
            if self.ble is not None:
                self.ble.set_battery(self.battery.pct)
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
            self._set_led()
        if self.led is not None:
            self.led.update(now)
        if self.haptic is not None:
            self.haptic.update(now)
        self.commands.poll()

    def step(self):
        """One loop iteration: the pending sample, links, commands, housekeeping."""
        if self._drdy:
            self._drdy = 0
            self._sample(self._stamp)
        self._periodic()
        if not self._drdy:
            self.clock.sleep_ms(1)

    def run(self, max_samples=None, max_ms=None):
        """Loop until max_samples samples were read or max_ms passed (None: forever)."""
        t0 = self.clock.ticks_ms()
        while True:
            self.step()
            if max_samples is not None and self.samples >= max_samples:
                break
            if max_ms is not None and self.clock.ticks_diff(self.clock.ticks_ms(), t0) >= max_ms:
                break
        self._close_packet()
