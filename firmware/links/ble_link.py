# BLE GATT peripheral (docs/protocol.md): hiplevel service (data notify, command write, reply
# notify), Device Information and Battery services, advertising, MTU tracking, LE Secure
# Connections pairing with bonding (docs/security.md).
# The IRQ handler only records events and copies command writes into preallocated slots;
# `poll()` in the main loop does the work (re-advertising, MTU, handing commands out). The one
# exception is the bond secrets, which the stack needs answered in the IRQ (links/ble_bonds.py
# keeps them in RAM; flash is written from the loop).
import bluetooth
from micropython import const

from core import packets as P
from core.auth import Session

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_GATTS_WRITE = const(3)
_IRQ_MTU_EXCHANGED = const(21)
_IRQ_ENCRYPTION_UPDATE = const(28)
_IRQ_GET_SECRET = const(29)
_IRQ_SET_SECRET = const(30)

_FLAG_READ = const(0x0002)
_FLAG_WRITE_NO_RESPONSE = const(0x0004)
_FLAG_WRITE = const(0x0008)
_FLAG_NOTIFY = const(0x0010)
_FLAG_WRITE_ENCRYPTED = const(0x1000)

# The belt has no display and no keys: "Just Works" LE Secure Connections pairing (ECDH, so a
# passive listener cannot decrypt), without MITM protection, which needs a passkey or a number to
# compare. The application-level authentication (core/access.py) does not depend on it.
_IO_CAPABILITY_NO_INPUT_OUTPUT = const(3)

_DEFAULT_MTU = const(23)
_PREFERRED_MTU = const(247)  # largest ATT MTU that fits one LL data PDU with DLE (251 bytes)
_ADV_INTERVAL_US = const(100000)
_CMD_SLOTS = const(8)
_CMD_MAX_BYTES = const(256)

SERVICE_UUID = "7e1a0001-5c2b-4a8e-9f4d-6b1e0c3a2d10"
DATA_UUID = "7e1a0002-5c2b-4a8e-9f4d-6b1e0c3a2d10"
COMMAND_UUID = "7e1a0003-5c2b-4a8e-9f4d-6b1e0c3a2d10"
REPLY_UUID = "7e1a0004-5c2b-4a8e-9f4d-6b1e0c3a2d10"
# 128-bit service UUID, little-endian, as it goes in advertising data
_SERVICE_UUID_LE = bytes(reversed(bytes.fromhex(SERVICE_UUID.replace("-", ""))))


def _ad(ad_type, payload):
    return bytes((len(payload) + 1, ad_type)) + payload


def advertising_payloads(name, battery_pct):
    """(adv, scan response). Legacy advertising holds 31 bytes: flags + the 128-bit service
    list go in the advertisement, the name and battery service data in the scan response."""
    adv = _ad(0x01, b"\x06") + _ad(0x07, _SERVICE_UUID_LE)
    resp = _ad(0x09, name.encode()) + _ad(0x16, b"\x0f\x18" + bytes((battery_pct & 0xFF,)))
    return adv, resp


class BleLink:
    """One central at a time, advertising from construction on with `battery_pct` (255 =
    unknown). `connected`, `payload_max` (ATT MTU - 3); `events` bits are set by poll():
    1 = connected now, 2 = disconnected now. `session`: the connection's authentication
    (core/auth.py), new with every connection; `authed` once the central proved the key.
    `bonds` (links/ble_bonds.BondStore or None): pairing with bonding is offered when the port
    allows it (`pairing`); `encrypted` once the link is. `encrypted_only`: the command
    characteristic needs an encrypted link and no data goes over an unencrypted one."""

    EV_CONNECTED = 1
    EV_DISCONNECTED = 2
    trusted = False

    def __init__(self, ble, name, info, battery_pct=255, bonds=None, encrypted_only=False):
        self._ble = ble
        self.name = name
        self.conn = None
        self.mtu = _DEFAULT_MTU
        self.events = 0
        self.notify_errors = 0
        self.connects = 0
        self._pending = 0  # IRQ -> loop event bits
        self._pending_conn = None
        self._pending_mtu = 0
        self._cmd_bufs = [bytearray(_CMD_MAX_BYTES) for _ in range(_CMD_SLOTS)]
        self._cmd_lens = [0] * _CMD_SLOTS
        self._cmd_head = 0
        self._cmd_tail = 0
        self.cmd_dropped = 0
        self._battery_pct = battery_pct
        self._reply_buf = bytearray(_PREFERRED_MTU)
        self.session = Session()
        self.bonds = bonds
        self.encrypted_only = encrypted_only
        self.encrypted = False
        self.bonded = False
        self._pending_enc = None  # (conn, encrypted, bonded) from the IRQ
        ble.active(True)
        ble.config(gap_name=name, mtu=_PREFERRED_MTU)
        self.pairing = False
        if bonds is not None:
            try:
                ble.config(bond=True, le_secure=True, mitm=False, io=_IO_CAPABILITY_NO_INPUT_OUTPUT)
                self.pairing = True
            except (ValueError, OSError, TypeError):
                pass  # a port without pairing: the application-level guard stands alone
        ble.irq(self._irq)
        cmd_flags = _FLAG_WRITE | _FLAG_WRITE_NO_RESPONSE
        if encrypted_only:
            cmd_flags |= _FLAG_WRITE_ENCRYPTED
        hip = (
            bluetooth.UUID(SERVICE_UUID),
            (
                (bluetooth.UUID(DATA_UUID), _FLAG_NOTIFY),
                (bluetooth.UUID(COMMAND_UUID), cmd_flags),
                (bluetooth.UUID(REPLY_UUID), _FLAG_NOTIFY),
            ),
        )
        dis = (
            bluetooth.UUID(0x180A),
            (
                (bluetooth.UUID(0x2A29), _FLAG_READ),
                (bluetooth.UUID(0x2A24), _FLAG_READ),
                (bluetooth.UUID(0x2A25), _FLAG_READ),
                (bluetooth.UUID(0x2A26), _FLAG_READ),
            ),
        )
        bas = (bluetooth.UUID(0x180F), ((bluetooth.UUID(0x2A19), _FLAG_READ | _FLAG_NOTIFY),))
        ((self.h_data, self.h_cmd, self.h_reply), dis_h, (self.h_battery,)) = ble.gatts_register_services((hip, dis, bas))
        ble.gatts_set_buffer(self.h_cmd, _CMD_MAX_BYTES)
        for h, text in zip(dis_h, (info["manufacturer"], info["model"], info["serial"], info["fw"])):
            ble.gatts_write(h, text.encode())
        ble.gatts_write(self.h_battery, bytes((battery_pct & 0xFF,)))
        self.advertise()

    # --- IRQ: record only -----------------------------------------------------------------
    def _irq(self, event, data):
        if event == _IRQ_CENTRAL_CONNECT:
            self._pending_conn = data[0]
            self._pending |= 1
        elif event == _IRQ_CENTRAL_DISCONNECT:
            if self._pending & 1 and data[0] == self._pending_conn:
                # connected and gone again before the loop saw it: only advertise again
                self._pending = (self._pending & ~1) | 8
            if data[0] == self.conn:
                self._pending |= 2
        elif event == _IRQ_GATTS_WRITE:
            if data[1] == self.h_cmd:
                self._store_cmd(self._ble.gatts_read(self.h_cmd))
        elif event == _IRQ_MTU_EXCHANGED:
            self._pending_mtu = data[1]
            self._pending |= 4
        elif event == _IRQ_ENCRYPTION_UPDATE:
            self._pending_enc = (data[0], bool(data[1]), bool(data[3]))
            self._pending |= 16
        elif event == _IRQ_GET_SECRET:
            if self.bonds is None:
                return None
            key = data[2]
            return self.bonds.get(data[0], data[1], None if key is None else bytes(key))
        elif event == _IRQ_SET_SECRET:
            if self.bonds is None:
                return False
            value = data[2]
            return self.bonds.set(data[0], bytes(data[1]), None if value is None else bytes(value))

    def _store_cmd(self, value):
        nxt = (self._cmd_head + 1) % _CMD_SLOTS
        if nxt == self._cmd_tail or len(value) > _CMD_MAX_BYTES:
            self.cmd_dropped += 1
            return
        buf = self._cmd_bufs[self._cmd_head]
        n = len(value)
        buf[:n] = value
        self._cmd_lens[self._cmd_head] = n
        self._cmd_head = nxt

    # --- loop side ------------------------------------------------------------------------
    def poll(self):
        """Apply recorded events; sets `events` for this iteration."""
        ev = 0
        pending = self._pending
        if pending:
            self._pending = 0
            # the disconnect of the current central first: a new one (even with the same
            # handle, which NimBLE reuses) may have connected after it
            if pending & 2:
                self.conn = None
                self.mtu = _DEFAULT_MTU
                self.session.reset()
                self.encrypted = self.bonded = False
                ev |= self.EV_DISCONNECTED
            if pending & 1 and self._pending_conn is not None and self.conn != self._pending_conn:
                self.conn = self._pending_conn
                self.mtu = _DEFAULT_MTU
                self.connects += 1
                self.session.reset()
                self.encrypted = self.bonded = False
                ev |= self.EV_CONNECTED
                if self.encrypted_only and self.pairing:
                    self._request_pairing()
            if pending & 10 and self.conn is None:
                self._pending_conn = None
                self.advertise()  # the stack stops advertising on connect; start again
            if pending & 4 and self.conn is not None:
                self.mtu = self._pending_mtu
            enc = self._pending_enc
            if pending & 16 and enc is not None and enc[0] == self.conn:
                self.encrypted, self.bonded = enc[1], enc[2]
        self.events = ev

    def next_command(self):
        """Memoryview of the oldest queued command write, or None; valid until the next call."""
        if self._cmd_tail == self._cmd_head:
            return None
        i = self._cmd_tail
        self._cmd_tail = (i + 1) % _CMD_SLOTS
        return memoryview(self._cmd_bufs[i])[: self._cmd_lens[i]]

    @property
    def connected(self):
        return self.conn is not None

    @property
    def authed(self):
        """A central is connected, has proved the device key in this connection, and (with
        encrypted_only) the link is encrypted: it may have the movement data."""
        return self.conn is not None and self.session.authed and (self.encrypted or not self.encrypted_only)

    def _request_pairing(self):
        """Ask the central to pair (or to encrypt with its bond): a security request."""
        try:
            self._ble.gap_pair(self.conn)
        except OSError:
            pass  # the central may still start pairing itself

    def disconnect(self):
        """Hang up on the central; poll() then sees the disconnect and advertises again."""
        if self.conn is None:
            return
        self.session.reset()
        try:
            self._ble.gap_disconnect(self.conn)
        except OSError:
            pass  # already gone: the disconnect event follows anyway

    @property
    def payload_max(self):
        return self.mtu - 3

    def advertise(self):
        adv, resp = advertising_payloads(self.name, self._battery_pct)
        self._ble.gap_advertise(_ADV_INTERVAL_US, adv, resp_data=resp)

    def set_battery(self, pct):
        """Battery Level characteristic (notified when connected) and advertising data."""
        if pct == self._battery_pct:
            return
        self._battery_pct = pct
        self._ble.gatts_write(self.h_battery, bytes((pct & 0xFF,)), self.conn is not None)
        if self.conn is None:
            self.advertise()

    def send_data(self, packet):
        """One DATA/STATUS packet (<= payload_max bytes) as one notification; False if not sent."""
        return self._notify(self.h_data, packet)

    def _notify(self, handle, data):
        if self.conn is None:
            return False
        try:
            self._ble.gatts_notify(self.conn, handle, data)
            return True
        except OSError:
            # ENOMEM when the stack's buffers are full, ENOTCONN in a disconnect race
            self.notify_errors += 1
            return False

    def send_reply(self, cmd, token, status, payload=b""):
        """REPLY packets, chunked to payload_max; returns False if any chunk failed."""
        return P.chunk_reply(self._reply_buf, self.payload_max, self._notify_reply, cmd, token, status, payload)

    def _notify_reply(self, buf, n):
        return self._notify(self.h_reply, memoryview(buf)[:n])
