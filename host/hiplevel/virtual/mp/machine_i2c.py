# Stand-in for ESP32 MicroPython's machine.I2C / SoftI2C (re-exported by machine.py): buses that
# simulated chips attach to, and the failure schedule the fault tests and the virtual device use.
#
# Simulation hook: i2c_bus(bus_id) (documented in machine.py).
import errno as _errno


class _Bus:
    def __init__(self):
        self.devices = {}
        self.transfers = 0
        self.failures = 0
        self._fail_next = 0
        self._fail_next_err = _errno.EIO
        self._windows = []  # [t0_us, t1_us, err, on_end, ended]
        self._wclock = None

    def attach(self, addr, dev):
        self.devices[addr] = dev

    def detach(self, addr):
        self.devices.pop(addr, None)

    def fail_next(self, n, err=_errno.EIO):
        self._fail_next = n
        self._fail_next_err = err

    def fail_windows(self, clock, windows_us, err=_errno.ENODEV, on_end=None):
        self._wclock = clock
        for w in windows_us:
            self._windows.append([int(w[0]), int(w[1]), err, on_end, False])

    def _fault(self):
        """errno of the fault active now, or 0; counts the transfer."""
        self.transfers += 1
        if self._fail_next > 0:
            self._fail_next -= 1
            self.failures += 1
            return self._fail_next_err
        if self._windows:
            now = self._wclock.now_us()
            for w in self._windows:
                if w[0] <= now < w[1]:
                    self.failures += 1
                    return w[2]
                if now >= w[1] and not w[4]:
                    w[4] = True
                    if w[3] is not None:
                        w[3]()
        return 0

    def _check(self, addr):
        err = self._fault()
        if err:
            raise OSError(err)
        dev = self.devices.get(addr)
        if dev is None:
            # ESP32 port: no ACK from the address -> ENODEV
            self.failures += 1
            raise OSError(_errno.ENODEV)
        return dev


_buses = {}


def i2c_bus(bus_id):
    b = _buses.get(bus_id)
    if b is None:
        b = _Bus()
        _buses[bus_id] = b
    return b


class I2C:
    def __init__(self, id=0, *, scl=None, sda=None, freq=400000, timeout=50000):
        self._bus = i2c_bus(id)
        self.id = id
        self.freq = freq

    def init(self, **kw):
        self.freq = kw.get("freq", self.freq)

    def deinit(self):
        pass

    def scan(self):
        if self._bus._fault():
            return []
        return sorted(self._bus.devices)

    def readfrom_mem(self, addr, memaddr, nbytes, *, addrsize=8):
        dev = self._bus._check(addr)
        return bytes(dev.mem_read(memaddr, nbytes))

    def readfrom_mem_into(self, addr, memaddr, buf, *, addrsize=8):
        dev = self._bus._check(addr)
        data = dev.mem_read(memaddr, len(buf))
        for i in range(len(buf)):
            buf[i] = data[i]

    def writeto_mem(self, addr, memaddr, buf, *, addrsize=8):
        dev = self._bus._check(addr)
        dev.mem_write(memaddr, bytes(buf))

    def writeto(self, addr, buf, stop=True):
        dev = self._bus._check(addr)
        if len(buf) > 1:
            dev.mem_write(buf[0], bytes(buf[1:]))
        elif len(buf) == 1:
            dev._ptr = buf[0]
        return len(buf)

    def readfrom_into(self, addr, buf, stop=True):
        dev = self._bus._check(addr)
        data = dev.mem_read(getattr(dev, "_ptr", 0), len(buf))
        for i in range(len(buf)):
            buf[i] = data[i]

    def readfrom(self, addr, nbytes, stop=True):
        buf = bytearray(nbytes)
        self.readfrom_into(addr, buf, stop)
        return bytes(buf)


SoftI2C = I2C
