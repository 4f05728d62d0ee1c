# The virtual device's MicroPython entry point (docs/virtual-device.md), simulation only.
#
#   MICROPYPATH=.frozen:firmware:host/hiplevel/virtual/mp micropython vdevice.py CONFIG.json
#
# Builds what the board would have (a virtual clock, the simulated MPU6050 on the stand-in I2C bus
# with its INT pin, a battery on the ADC pin, the BLE stack whose "air" is this process's
# stdin/stdout) and then runs the firmware App built by firmware/main.py's build_app, the same
# wiring as on hardware.
# Device-side faults: I2C failure windows and link-loss windows, from CONFIG.json (at fixed virtual
# times) or begun by the host at the device's current time (FAULT message).
# Diagnostics (CONFIG.json "diag_period_s" > 0): every that many virtual seconds and once at the
# end, a DIAG message with the firmware's heap after a collection (gc.mem_free / mem_alloc) and its
# stream counters, so long runs can follow the device's memory and the slots it produced.
import gc
import json
import select
import struct
import sys

from micropython import const

import bluetooth
import machine
import vclock
from sim_mpu6050 import SimMPU6050

import board
from drivers.battery import percent_from_mv
from main import build_app
from settings import load_config

_SERVICES = const(0x01)
_ADVERTISE = const(0x02)
_NOTIFY = const(0x03)
_READ_RESULT = const(0x04)
_DISCONNECTED = const(0x05)
_TIME = const(0x06)
_END = const(0x07)
_DIAG = const(0x08)
_CONNECT = const(0x81)
_DISCONNECT = const(0x82)
_WRITE = const(0x83)
_READ = const(0x84)
_MTU = const(0x85)
_QUIT = const(0x86)
_PAIR = const(0x87)
_GO = const(0x88)
_FAULT = const(0x89)
_TIME_ACK = const(0x8A)

_US_PER_S = const(1000000)
_TIME_PERIOD_US = const(1000000)  # one TIME message per virtual second
_BATTERY_EMPTY_MV = const(3000)
_BATTERY_FULL_MV = const(4300)


class _Stop(BaseException):
    # BaseException: the firmware may catch Exception around I/O; this must unwind it.
    pass


def _log(msg):
    sys.stderr.write("vdevice: %s\n" % msg)


class PipeAir:
    """The radio: pipe messages on stdout, central events from stdin, device-side link loss."""

    def __init__(self, ble, clock, link_loss_s, lead_limit_s=0.0):
        self.ble = ble
        self.clock = clock
        self.chip = None  # the simulated MPU6050, told when the patient may start (GO)
        # lead limit: the clock waits while it is this far ahead of the last TIME the host
        # acknowledged (0 = never), so a slow host never falls behind an accelerated device
        self._lead_us = int(lead_limit_s * _US_PER_S)
        self._acked_us = 0
        self._out = sys.stdout.buffer
        self._in = sys.stdin.buffer
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)
        self._conns = set()
        # (start_us, end_us) windows in which the radio link is gone
        self._loss = [(int(a * _US_PER_S), int((a + d) * _US_PER_S)) for a, d in link_loss_s]
        self._in_loss = False
        self._adv = None  # the device's current advertisement while it is hidden by a link loss
        self._next_time_us = 0

    @property
    def acked_us(self):
        """The newest virtual time the host has acknowledged (TIME_ACK), us."""
        return self._acked_us

    def send(self, kind, payload=b""):
        self._out.write(struct.pack("<BH", kind, len(payload)))
        if payload:
            self._out.write(payload)

    # --- bluetooth stand-in hooks ------------------------------------------------------------
    def on_services(self, services):
        self.send(_SERVICES, json.dumps(services).encode())

    def on_advertise(self, adv, resp, interval_us):
        if interval_us is None:
            self._adv = None
            doc = {}
        else:
            doc = {"adv": adv.hex(), "resp": resp.hex(), "interval_us": interval_us}
            self._adv = doc
        if not self._in_loss:
            self.send(_ADVERTISE, json.dumps(doc).encode())

    def on_notify(self, conn, value_handle, data):
        if not self._in_loss:
            self.send(_NOTIFY, struct.pack("<HH", conn, value_handle) + data)

    def on_disconnect(self, conn):
        self._conns.discard(conn)
        self.send(_DISCONNECTED, struct.pack("<H", conn))

    # --- virtual time --------------------------------------------------------------------------
    def on_time(self, now_us):
        """Clock listener: TIME every virtual second, link-loss edges exactly on time."""
        if now_us >= self._next_time_us:
            self.send(_TIME, struct.pack("<I", (now_us // 1000) & 0xFFFFFFFF))
            self._next_time_us = (now_us // _TIME_PERIOD_US + 1) * _TIME_PERIOD_US
        self._update_loss(now_us)
        nxt = self._next_time_us
        for a, b in self._loss:
            if now_us < a < nxt:
                nxt = a
            if now_us < b < nxt:
                nxt = b
        return nxt

    def _update_loss(self, now_us):
        lost = False
        for a, b in self._loss:
            if a <= now_us < b:
                lost = True
        if lost == self._in_loss:
            return
        if lost:
            _log("link loss at %d ms" % (now_us // 1000))
            self.send(_ADVERTISE, b"{}")
            self._in_loss = True
            for conn in list(self._conns):
                self._conns.discard(conn)
                self.ble._central_disconnect(conn)
                self.send(_DISCONNECTED, struct.pack("<H", conn))
        else:
            _log("link back at %d ms" % (now_us // 1000))
            self._in_loss = False
            if self._adv is not None:
                self.send(_ADVERTISE, json.dumps(self._adv).encode())

    # --- device-side faults begun by the host (FAULT) -----------------------------------------
    def _fault(self, doc):
        now = self.clock.now_us()
        d = doc.get("i2c_fail_s")
        if d:
            machine.i2c_bus(board.I2C_ID).fail_windows(self.clock, [(now, now + int(d * _US_PER_S))])
        d = doc.get("link_loss_s")
        if d:
            self._loss = [w for w in self._loss if w[1] > now] + [(now, now + int(d * _US_PER_S))]
            self._update_loss(now)
            self.clock.wake(self.on_time, now)  # its next call must see the end of this window

    # --- central events (idle hook) ------------------------------------------------------------
    def poll(self):
        """Handle every message the host has written so far (called whenever the firmware waits).
        With a lead limit and the clock that far ahead of the host's last TIME_ACK, first wait for
        the host's next message, and return False: time stands still for this wait, while the
        firmware goes on running (it answers commands at the same virtual time)."""
        frozen = self._lead_us and self.clock.now_us() > self._acked_us + self._lead_us
        if frozen:
            self._poll.poll(-1)
        while self._poll.poll(0):
            self._read_one()
        return not (self._lead_us and self.clock.now_us() > self._acked_us + self._lead_us)

    def _read_one(self):
        head = self._in.read(3)
        if len(head) < 3:
            raise _Stop()  # host closed our stdin: it is gone
        kind, n = struct.unpack("<BH", head)
        payload = self._in.read(n) if n else b""
        self._handle(kind, payload)

    def _handle(self, kind, p):
        if kind == _WRITE:
            conn, handle = struct.unpack_from("<HH", p)
            self.ble._central_write(conn, handle, p[4:])
        elif kind == _READ:
            handle = struct.unpack_from("<H", p)[0]
            self.send(_READ_RESULT, p[:2] + self.ble._central_read(handle))
        elif kind == _CONNECT:
            conn = struct.unpack_from("<H", p)[0]
            if self._in_loss:
                self.send(_DISCONNECTED, p[:2])  # out of range: refused
            else:
                self._conns.add(conn)
                self.ble._central_connect(conn, p[2:8])
        elif kind == _DISCONNECT:
            conn = struct.unpack_from("<H", p)[0]
            if conn in self._conns:
                self._conns.discard(conn)
                self.ble._central_disconnect(conn)
        elif kind == _MTU:
            conn, mtu = struct.unpack_from("<HH", p)
            self.ble._central_mtu(conn, mtu)
        elif kind == _QUIT:
            raise _Stop()
        elif kind == _PAIR:
            self.ble._central_pair(struct.unpack_from("<H", p)[0])
        elif kind == _GO:
            if self.chip is not None:
                self.chip.go(self.clock.now_us())
        elif kind == _FAULT:
            self._fault(json.loads(p))
        elif kind == _TIME_ACK:
            acked = struct.unpack_from("<I", p)[0] * 1000
            if acked > self._acked_us:
                self._acked_us = acked
        else:
            _log("unknown message kind 0x%02x ignored" % kind)


class Diagnostics:
    """DIAG every `period_s` virtual seconds (clock listener) and once at the end."""

    def __init__(self, air, clock, period_s):
        self.air = air
        self.clock = clock
        self.period_us = int(period_s * _US_PER_S)
        self.app = None

    def on_time(self, now_us):
        self.send()
        return (now_us // self.period_us + 1) * self.period_us

    def send(self):
        app = self.app
        gc.collect()
        doc = {"t_ms": self.clock.now_us() // 1000, "mem_free": gc.mem_free(), "mem_alloc": gc.mem_alloc(),
               "acked_ms": self.air.acked_us // 1000}
        if app is not None:
            doc["seq"] = app.seq
            doc["streaming"] = app.streaming
            doc["samples"] = app.samples
            doc["imu_errors"] = app.imu_errors
            doc["ring_overwritten_unsent"] = app.ring.overwritten_unsent
        self.air.send(_DIAG, json.dumps(doc).encode())


def _battery_source(cfg, clock):
    """ADC pin microvolts for a battery draining linearly in percent (virtual time)."""
    start = float(cfg.get("start_pct", 90))
    drain = float(cfg.get("drain_pct_per_h", 12))

    def uv():
        pct = start - drain * clock.now_us() / 3600e6
        pct = 0.0 if pct < 0 else (100.0 if pct > 100 else pct)
        return int(battery_mv_for_pct(pct) * 1000 / board.BATTERY_DIVIDER_RATIO)

    return uv


def battery_mv_for_pct(pct):
    """Battery millivolts for a charge percent: the inverse of the firmware's own gauge curve
    (bisection over percent_from_mv, which is monotonic), so the device reports `pct` back."""
    lo, hi = _BATTERY_EMPTY_MV, _BATTERY_FULL_MV
    while lo < hi:
        mid = (lo + hi) // 2
        if percent_from_mv(mid) < pct:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _address_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def build_board(cfg):
    clock = vclock.VirtualClock(float(cfg.get("speed", 0.0)))
    machine.set_clock(clock)
    # Nobody reads this process's pin and PWM logs (the host sees the air only): keep none, so
    # the heap holds the firmware's own objects and DIAG's mem figures are the firmware's.
    machine.set_log_max(0)
    addr = _address_bytes(cfg.get("address", "AA:BB:CC:DD:1A:2B"))
    machine.set_unique_id(addr)
    bluetooth.set_address(addr)
    ble = bluetooth.BLE()
    faults = cfg.get("faults", {})
    air = PipeAir(ble, clock, faults.get("link_loss", []), float(cfg.get("lead_limit_s", 0.0)))
    bluetooth.set_air(air)
    clock.add_listener(air.on_time)
    clock.add_idle_hook(air.poll)

    chip = SimMPU6050(clock, cfg["chip_stream"], board.PIN_IMU_INT)

    def on_end():
        raise _Stop()

    chip.on_end = on_end
    if cfg.get("patient_waits_at_s") is not None:
        chip.wait_at(float(cfg["patient_waits_at_s"]))
    air.chip = chip
    bus = machine.i2c_bus(board.I2C_ID)
    bus.attach(0x68, chip)
    windows = [(int(a * _US_PER_S), int(b * _US_PER_S)) for a, b in faults.get("i2c_fail", [])]
    if windows:
        bus.fail_windows(clock, windows)
    machine.set_adc_source(board.PIN_BATTERY_ADC, _battery_source(cfg.get("battery", {}), clock))
    return clock, chip, air, ble


def main(argv):
    with open(argv[1]) as f:
        cfg = json.load(f)
    clock, chip, air, ble = build_board(cfg)
    period_s = float(cfg.get("diag_period_s", 0))
    diag = Diagnostics(air, clock, period_s) if period_s > 0 else None
    try:
        _run_app(clock, cfg["firmware_dir"], cfg.get("usb_fd"), cfg.get("firmware_config", {}), diag)
    except _Stop:
        pass
    if diag is not None:
        diag.send()
    if chip.exhausted:
        air.send(_END)
    _log("stopped at %d ms virtual" % (clock.now_us() // 1000))


class _Unplugged:
    # The USB serial port with no cable: what the firmware writes there goes nowhere.
    def write(self, data):
        return len(data)


def _run_app(clock, fs_root, usb_fd, overrides, diag):
    # firmware/main.py's own wiring with the stand-ins (importing main runs nothing). The USB port
    # is the pty the host made (usb_fd, inherited), or no cable at all.
    uart = machine.uart_state(board.UART_ID)
    if usb_fd is None:
        uart.attach_fds(None, _Unplugged())
    else:
        port = open(usb_fd, "r+b")
        uart.attach_fds(port, port)
    config = load_config(fs_root)
    for k in overrides:
        config[k] = overrides[k]
    app = build_app(clock, machine, bluetooth, fs_root, config)
    if diag is not None:
        diag.app = app
        clock.add_listener(diag.on_time)
    app.run()


if __name__ == "__main__":
    main(sys.argv)
