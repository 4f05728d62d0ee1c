# Stand-in for the ESP32 MicroPython `bluetooth` module (peripheral role), simulation only.
#
# Firmware-facing API as the ESP32 (NimBLE) port: BLE() singleton, active, config(gap_name, mac,
# mtu, addr_mode, rxbuf, bond, le_secure, mitm, io), irq, gap_advertise, gap_disconnect, gap_pair,
# gatts_register_services (value handles returned in definition order, characteristics and
# descriptors flattened; a CCCD is added after every notify/indicate characteristic as NimBLE
# does), gatts_read, gatts_write, gatts_notify, gatts_indicate, gatts_set_buffer, UUID, FLAG_*
# constants.
#
# Pairing as NimBLE does it for a peripheral: a pairing (started by the central, or requested by
# the device with gap_pair) stores the new bond through _IRQ_SET_SECRET when config(bond=True),
# and a central that comes back with a bond is looked up through _IRQ_GET_SECRET; then
# _IRQ_ENCRYPTION_UPDATE (conn, encrypted, authenticated, bonded, key_size). "authenticated"
# (MITM-protected) needs mitm=True and an io capability other than NoInputNoOutput (3). A write
# to a characteristic flagged _FLAG_WRITE_ENCRYPTED (0x1000) on an unencrypted connection is
# refused by the stack (the firmware never sees it; the central gets ATT error 0x0F).
#
# Simulation hooks (the virtual-device "air" relies on exactly these):
#   set_air(air)                 where events go; default: a LoopbackAir that records them
#   get_air() -> air
#   set_address(addr6: bytes)    public address reported by config("mac")
#   reset()                      forget the singleton (tests)
# The air object receives:
#   air.on_services(services)    list of dicts, the SERVICES message format of
#                                docs/virtual-device.md: [{"service": uuid128, "chars":
#                                [{"uuid": uuid128, "handle": value_handle, "props": [...]}]}]
#   air.on_advertise(adv, resp, interval_us)   bytes/bytes/int; (None, None, None) when stopped
#   air.on_notify(conn, value_handle, data)    one notification (or indication), bytes
#   air.on_disconnect(conn)                    the device (or the stack) dropped a connection
#   air.on_encryption(conn, encrypted, bonded) a connection's security changed (optional hook)
#   air.on_security_request(conn)              the device asked the central to pair (optional)
# The central side calls methods on the BLE singleton, each firing the registered irq with the
# real event codes and argument tuples of the port:
#   ble._central_connect(conn, addr6)          _IRQ_CENTRAL_CONNECT (1): (conn, addr_type, addr)
#   ble._central_disconnect(conn)              _IRQ_CENTRAL_DISCONNECT (2): (conn, addr_type, addr)
#   ble._central_write(conn, value_handle, data)  _IRQ_GATTS_WRITE (3): (conn, value_handle)
#   ble._central_read(value_handle) -> bytes   no irq (the ESP32 port has no read request irq)
#   ble._central_mtu(conn, mtu)                _IRQ_MTU_EXCHANGED (21): (conn, negotiated mtu)
#   ble._central_pair(conn)                    the central pairs (or re-encrypts with its bond):
#                                              _IRQ_GET_SECRET / _IRQ_SET_SECRET (29 / 30), then
#                                              _IRQ_ENCRYPTION_UPDATE (28); returns encrypted
#   ble._central_write(...) returns 0, or the ATT error that refused the write
#   ble.connection_security(conn) -> (encrypted, authenticated, bonded) or None
# As on hardware, a connection stops advertising, and notifications are truncated to MTU - 3
# (counted in ble.truncated_notifies so tests can assert the firmware never relies on it).
import errno as _errno

from bt_parts import LoopbackAir, UUID  # noqa: F401  (UUID: part of the module's API)

FLAG_BROADCAST = 0x0001
FLAG_READ = 0x0002
FLAG_WRITE_NO_RESPONSE = 0x0004
FLAG_WRITE = 0x0008
FLAG_NOTIFY = 0x0010
FLAG_INDICATE = 0x0020

_IRQ_CENTRAL_CONNECT = 1
_IRQ_CENTRAL_DISCONNECT = 2
_IRQ_GATTS_WRITE = 3
_IRQ_GATTS_INDICATE_DONE = 20
_IRQ_MTU_EXCHANGED = 21
_IRQ_ENCRYPTION_UPDATE = 28
_IRQ_GET_SECRET = 29
_IRQ_SET_SECRET = 30

_FLAG_WRITE_ENCRYPTED = 0x1000
_FLAG_WRITE_AUTHENTICATED = 0x2000
_ATT_ERR_INSUFFICIENT_ENCRYPTION = 0x0F
_ATT_ERR_INSUFFICIENT_AUTHENTICATION = 0x05
_IO_NO_INPUT_OUTPUT = 3
_SEC_PEER_LTK = 2  # secret types as NimBLE's store: peer keys
_SEC_OUR_LTK = 1  # and our own
_KEY_SIZE = 16

_DEFAULT_MTU = 23
_DEFAULT_BUFFER_BYTES = 20
_FIRST_HANDLE = 1
_CCCD_UUID16 = 0x2902


_air = LoopbackAir()
_address = b"\xaa\xbb\xcc\xdd\x1a\x2b"
_ble = None


def set_air(air):
    global _air
    _air = air


def get_air():
    return _air


def set_address(addr6):
    global _address
    _address = bytes(addr6)


def reset():
    global _ble, _air
    _ble = None
    _air = LoopbackAir()


def _props(flags):
    out = []
    if flags & FLAG_READ:
        out.append("read")
    if flags & FLAG_WRITE:
        out.append("write")
    if flags & FLAG_WRITE_NO_RESPONSE:
        out.append("write-no-response")
    if flags & FLAG_NOTIFY:
        out.append("notify")
    if flags & FLAG_INDICATE:
        out.append("indicate")
    return out


class _BLE:
    def __init__(self):
        self._active = False
        self._handler = None
        self._gap_name = "MPY ESP32"
        self._mtu_pref = 256
        self._values = {}  # value handle -> bytearray
        self._buf_len = {}  # value handle -> (max len, append)
        self._flags = {}
        self._conns = {}  # conn -> [addr6, mtu]
        self._adv = None
        self._resp = None
        self._adv_interval_us = None
        self.truncated_notifies = 0
        self._sec = {"bond": False, "le_secure": False, "mitm": False, "io": _IO_NO_INPUT_OUTPUT}
        self._security = {}  # conn -> [encrypted, authenticated, bonded]
        self.refused_writes = 0
        self.security_requests = []  # conns the device asked to pair (gap_pair)
        self._ltk_counter = 0

    # --- firmware API ------------------------------------------------------------------------
    def active(self, state=None):
        if state is None:
            return self._active
        self._active = bool(state)
        if not self._active:
            self._conns = {}
            self._adv_interval_us = None
        return None

    def config(self, *args, **kw):
        if args:
            key = args[0]
            if key == "mac":
                return (0, _address)
            if key == "gap_name":
                return self._gap_name
            if key == "mtu":
                return self._mtu_pref
            if key == "addr_mode":
                return 0
            if key == "rxbuf":
                return 1024
            if key in self._sec:
                return self._sec[key]
            raise ValueError("unknown config param")
        for k in kw:
            if k == "gap_name":
                self._gap_name = str(kw[k])
            elif k == "mtu":
                self._mtu_pref = int(kw[k])
            elif k in ("bond", "mitm", "le_secure"):
                self._sec[k] = bool(kw[k])
            elif k == "io":
                self._sec[k] = int(kw[k])
            elif k not in ("addr_mode", "rxbuf"):
                raise ValueError("unknown config param")
        return None

    def irq(self, handler):
        self._handler = handler

    def _need_active(self):
        if not self._active:
            raise OSError(_errno.EPERM)

    def gap_advertise(self, interval_us, adv_data=None, *, resp_data=None, connectable=True):
        self._need_active()
        if interval_us is None:
            self._adv_interval_us = None
            _air.on_advertise(None, None, None)
            return
        if adv_data is not None:
            self._adv = bytes(adv_data)
        if resp_data is not None:
            self._resp = bytes(resp_data)
        self._adv_interval_us = interval_us // 625 * 625
        _air.on_advertise(self._adv or b"", self._resp or b"", self._adv_interval_us)

    def gap_disconnect(self, conn):
        self._need_active()
        if conn not in self._conns:
            return False
        self._drop(conn)
        _air.on_disconnect(conn)
        return True

    def gap_pair(self, conn):
        """The device asks the central to pair (a security request): recorded in
        `security_requests` and told to the air; the central decides (`_central_pair`)."""
        self._need_active()
        if conn not in self._conns:
            raise OSError(_errno.ENOTCONN)
        self.security_requests.append(conn)
        on_request = getattr(_air, "on_security_request", None)
        if on_request is not None:
            on_request(conn)

    def gatts_register_services(self, services):
        self._need_active()
        handle = _FIRST_HANDLE
        result = []
        described = []
        self._values = {}
        self._buf_len = {}
        self._flags = {}
        for svc_uuid, chars in services:
            handle += 1  # service declaration
            handles = []
            desc = {"service": UUID(svc_uuid).full(), "chars": []}
            for ch in chars:
                uuid, flags = ch[0], ch[1]
                handle += 2  # characteristic declaration, then value
                vh = handle
                self._values[vh] = bytearray()
                self._buf_len[vh] = (_DEFAULT_BUFFER_BYTES, False)
                self._flags[vh] = flags
                handles.append(vh)
                desc["chars"].append({"uuid": UUID(uuid).full(), "handle": vh, "props": _props(flags)})
                if flags & (FLAG_NOTIFY | FLAG_INDICATE):
                    handle += 1  # CCCD added by the stack, not returned
                for d in ch[2] if len(ch) > 2 else ():
                    handle += 1
                    self._values[handle] = bytearray()
                    self._buf_len[handle] = (_DEFAULT_BUFFER_BYTES, False)
                    self._flags[handle] = d[1]
                    handles.append(handle)
            result.append(tuple(handles))
            described.append(desc)
        _air.on_services(described)
        return tuple(result)

    def gatts_read(self, value_handle):
        v = self._values[value_handle]
        out = bytes(v)
        if self._buf_len[value_handle][1]:
            self._values[value_handle] = bytearray()
        return out

    def gatts_write(self, value_handle, data, send_update=False):
        self._values[value_handle] = bytearray(data)
        if send_update:
            for conn in list(self._conns):
                self._send(conn, value_handle, bytes(data))

    def gatts_set_buffer(self, value_handle, length, append=False):
        self._buf_len[value_handle] = (int(length), bool(append))

    def gatts_notify(self, conn, value_handle, data=None):
        self._need_active()
        if conn not in self._conns:
            raise OSError(_errno.ENOTCONN)
        payload = bytes(self._values[value_handle]) if data is None else bytes(data)
        self._send(conn, value_handle, payload)

    def gatts_indicate(self, conn, value_handle, data=None):
        self.gatts_notify(conn, value_handle, data)
        if self._handler is not None:
            self._handler(_IRQ_GATTS_INDICATE_DONE, (conn, value_handle, 0))

    def _send(self, conn, value_handle, payload):
        limit = self._conns[conn][1] - 3
        if len(payload) > limit:
            self.truncated_notifies += 1
            payload = payload[:limit]
        _air.on_notify(conn, value_handle, payload)

    def _pair(self, conn):
        """Pairing on `conn` (Just Works, or MITM-protected with a passkey-capable io); returns
        True when the connection is encrypted afterwards."""
        key = self._conns[conn][0]  # NimBLE keys the store by the peer's address
        sec = self._security.setdefault(conn, [False, False, False])
        authenticated = self._sec["mitm"] and self._sec["io"] != _IO_NO_INPUT_OUTPUT
        bonded = False
        if self._handler is not None and self._handler(_IRQ_GET_SECRET, (_SEC_PEER_LTK, 0, memoryview(key))):
            bonded = True  # a returning central: its stored key encrypts the link, no new pairing
        elif self._sec["bond"] and self._handler is not None:
            self._ltk_counter += 1
            ltk = bytes(((self._ltk_counter + i) & 0xFF for i in range(_KEY_SIZE)))
            ok_peer = self._handler(_IRQ_SET_SECRET, (_SEC_PEER_LTK, memoryview(key), memoryview(ltk)))
            ok_ours = self._handler(_IRQ_SET_SECRET, (_SEC_OUR_LTK, memoryview(key), memoryview(ltk)))
            bonded = bool(ok_peer and ok_ours)
        sec[0], sec[1], sec[2] = True, authenticated, bonded
        if self._handler is not None:
            self._handler(_IRQ_ENCRYPTION_UPDATE, (conn, 1, 1 if authenticated else 0, 1 if bonded else 0, _KEY_SIZE))
        on_encryption = getattr(_air, "on_encryption", None)
        if on_encryption is not None:
            on_encryption(conn, True, bonded)
        return True

    def connection_security(self, conn):
        """(encrypted, authenticated, bonded) of a connection, or None (simulation hook)."""
        sec = self._security.get(conn)
        return None if sec is None else tuple(sec)

    def _drop(self, conn):
        self._security.pop(conn, None)
        addr = self._conns.pop(conn)[0]
        self._adv_interval_us = None
        if self._handler is not None:
            self._handler(_IRQ_CENTRAL_DISCONNECT, (conn, 0, memoryview(addr)))

    # --- central side (simulation) ---------------------------------------------------------------
    def _central_connect(self, conn, addr6):
        self._need_active()
        self._conns[conn] = [bytes(addr6), _DEFAULT_MTU]
        if self._adv_interval_us is not None:
            # NimBLE stops advertising when a central connects
            self._adv_interval_us = None
            _air.on_advertise(None, None, None)
        if self._handler is not None:
            self._handler(_IRQ_CENTRAL_CONNECT, (conn, 0, memoryview(bytes(addr6))))

    def _central_disconnect(self, conn):
        if conn in self._conns:
            self._drop(conn)

    def _central_write(self, conn, value_handle, data):
        if conn not in self._conns or value_handle not in self._values:
            return 0
        flags = self._flags.get(value_handle, 0)
        sec = self._security.get(conn, (False, False, False))
        if flags & _FLAG_WRITE_ENCRYPTED and not sec[0]:
            self.refused_writes += 1
            return _ATT_ERR_INSUFFICIENT_ENCRYPTION
        if flags & _FLAG_WRITE_AUTHENTICATED and not sec[1]:
            self.refused_writes += 1
            return _ATT_ERR_INSUFFICIENT_AUTHENTICATION
        limit, append = self._buf_len[value_handle]
        data = bytes(data)[:limit]
        if append:
            self._values[value_handle].extend(data)
            del self._values[value_handle][:-limit]
        else:
            self._values[value_handle] = bytearray(data)
        if self._handler is not None:
            self._handler(_IRQ_GATTS_WRITE, (conn, value_handle))
        return 0

    def _central_pair(self, conn):
        if conn not in self._conns:
            return False
        return self._pair(conn)

    def _central_read(self, value_handle):
        return bytes(self._values.get(value_handle, b""))

    def _central_mtu(self, conn, mtu):
        if conn not in self._conns:
            return
        eff = max(_DEFAULT_MTU, min(int(mtu), self._mtu_pref))
        self._conns[conn][1] = eff
        if self._handler is not None:
            self._handler(_IRQ_MTU_EXCHANGED, (conn, eff))


def BLE():
    global _ble
    if _ble is None:
        _ble = _BLE()
    return _ble
