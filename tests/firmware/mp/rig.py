# Test rig on MicroPython: the real App on the stand-ins (virtual clock, simulated MPU6050,
# loopback BLE air, in-memory UART). Used by the t_*.py scripts.
import json

import bluetooth
import machine
from core import auth
from core import packets as P
from core.access import SIGNED
from sim_mpu6050 import SimMPU6050
from vclock import VirtualClock

PIN_INT = 19
CONN = 1
CENTRAL_ADDR = b"\x11\x22\x33\x44\x55\x66"
KEY = bytes(range(0x40, 0x50))  # the rig's device key, provisioned in the flash directory
HOST_NONCE = b"hostnonc"


def out(name, value):
    print(json.dumps({"name": name, "value": value}))


class Rig:
    """key: the device key written to the flash before boot (None: an unprovisioned device;
    flash_key=False: the flash is left as it is, `key` is only what the rig's host holds).
    connect() authenticates as the host holding `key` does (auth=False: a central without it);
    command() and write() then sign what must be signed, as the host's link does."""

    def __init__(self, config=None, start_us=0, fs_root="/tmp", chip_values=(1.0, 0.0, 0.0), ble=True, uart=True,
                 key=KEY, flash_key=True):
        from app import DEFAULT_CONFIG, KEY_FILE, App

        if flash_key:  # else the flash keeps what an earlier boot left there
            auth.save_key(fs_root + "/" + KEY_FILE, key)
        self.key = key
        self.session_key = None
        self.counter = 0
        bluetooth.reset()
        self.clock = VirtualClock(0, start_us)
        machine.set_clock(self.clock)
        self.pin = machine.Pin(PIN_INT, machine.Pin.IN)
        self.chip = SimMPU6050(self.clock, None, self.pin)
        self.chip.set_constant(*chip_values)
        self.bus = machine.i2c_bus(0)
        self.bus.attach(0x68, self.chip)
        machine.set_adc_source(35, lambda: 1950000)
        cfg = dict(DEFAULT_CONFIG)
        if config:
            for k in config:
                cfg[k] = config[k]
        self.uart_state = machine.uart_state(0)
        self.uart_state.rx = bytearray()
        self.uart_state.tx = bytearray()
        self.ble = bluetooth.BLE() if ble else None
        self.air = bluetooth.get_air()
        self.app = App(self.clock, machine.I2C(0), self.ble, self.pin, machine.PWM(machine.Pin(25)), machine.Pin(2),
                       machine.ADC(machine.Pin(35)), machine.UART(0) if uart else None, fs_root, cfg)
        self.token = 0

    # central side
    def connect(self, mtu=None, auth_with=True):
        self.session_key = None
        self.ble._central_connect(CONN, CENTRAL_ADDR)
        if mtu:
            self.ble._central_mtu(CONN, mtu)
        self.app.step()
        if auth_with and self.key is not None:
            self.authenticate(self.key)

    def authenticate(self, key):
        """AUTH_BEGIN and AUTH_PROVE with `key`; returns the AUTH_PROVE status."""
        self.session_key = None
        st, body = self.command(P.CMD_AUTH_BEGIN)
        if st != P.S_OK:
            return st
        nonce = body[: auth.NONCE_BYTES]
        skey = auth.session_key(key, nonce, HOST_NONCE)
        st, proof = self.command(P.CMD_AUTH_PROVE, HOST_NONCE + auth.host_proof(skey))
        if st == P.S_OK and proof == auth.device_proof(skey):
            self.session_key = skey
            self.counter = 0
        return st

    def disconnect(self):
        self.session_key = None
        self.ble._central_disconnect(CONN)
        self.app.step()

    def sign(self, cmd, payload):
        """(cmd with the signed bit, counter | tag | payload) for the current session."""
        self.counter += 1
        return cmd | P.CMD_SIGNED, auth.sign(self.session_key, cmd, self.counter, payload)

    def command(self, cmd, payload=b""):
        """Write one command over BLE, run one loop step, return the reply (status, payload)."""
        self.token = (self.token + 1) & 0xFF
        n0 = len(self.air.notifies)
        self.write(cmd, self.token, payload)
        self.app.step()
        return self.reply_after(n0)

    def write(self, cmd, token, payload=b"", chunk=0, more=False, sign=True):
        """One write of the command characteristic (no loop step); a state-changing command is
        signed when the rig has authenticated (sign=False: as given)."""
        if sign and self.session_key is not None and cmd in SIGNED:
            cmd, payload = self.sign(cmd, payload)
        self.write_raw(bytes((cmd, token, (chunk & 0x7F) | (0x80 if more else 0))) + bytes(payload))

    def write_raw(self, data):
        self.ble._central_write(CONN, self.app.ble.h_cmd, bytes(data))

    def command_chunks(self, cmd, payload, step=150):
        """A command whose payload goes in writes of `step` bytes, as a host sends a long one."""
        if self.session_key is not None and cmd in SIGNED:
            cmd, payload = self.sign(cmd, payload)
        parts = [payload[i : i + step] for i in range(0, len(payload), step)] or [b""]
        self.token = (self.token + 1) & 0xFF
        n0 = len(self.air.notifies)
        for i, part in enumerate(parts):
            self.write(cmd, self.token, part, i, i < len(parts) - 1, sign=False)
            self.app.step()
        return self.reply_after(n0)

    def replies(self, n0=0):
        """(cmd, token, status) of every reply notified since notification n0 (its last chunk)."""
        h = self.app.ble.h_reply
        return [(d[1], d[2], d[3]) for (c, hh, d) in self.air.notifies[n0:] if hh == h and not d[4] & 0x80]

    def reply_after(self, n0, steps=200):
        h = self.app.ble.h_reply
        body = b""
        status = None
        for _ in range(steps):
            for conn, handle, data in self.air.notifies[n0:]:
                if handle == h and data[2] == self.token:
                    status = data[3]
                    body += data[5:]
                    if not data[4] & 0x80:
                        return status, body
            n0 = len(self.air.notifies)
            self.app.step()
        return status, body

    def data_packets(self, n0=0):
        h = self.app.ble.h_data
        return [d for (c, hh, d) in self.air.notifies[n0:] if hh == h]

    def run_packets(self, n_samples):
        """The data packets notified while the app runs n_samples more samples."""
        n0 = len(self.air.notifies)
        self.app.run(max_samples=self.app.samples + n_samples)
        return self.data_packets(n0)
