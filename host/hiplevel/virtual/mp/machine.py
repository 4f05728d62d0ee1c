# Stand-in for the ESP32 MicroPython `machine` module, for the firmware on the unix port.
#
# Same constructors and methods as the ESP32 port for what the firmware uses (I2C, SoftI2C, Pin,
# PWM, ADC, Timer, UART, idle, unique_id, freq, reset). Objects built with the same id share
# state, as on hardware, so main.py's `Pin(19)` is the pin the simulated chip drives.
#
# Simulation hooks (module level):
#   set_clock(clock)                  virtual clock: timestamps pin/PWM logs, paces idle()/Timer
#   i2c_bus(bus_id) -> _Bus           .attach(addr, dev) / .detach(addr); dev has
#                                     mem_read(memaddr, nbytes) -> bytes, mem_write(memaddr, data)
#                                     .fail_next(n, err=EIO)          next n transfers raise OSError
#                                     .fail_windows(clock, [(t0_us, t1_us), ...], err=ENODEV,
#                                                   on_end=None)  transfers fail inside windows;
#                                                   on_end() runs once after each (e.g. chip reset)
#                                     .transfers, .failures           counters
#   pin_state(pin_id) -> _PinState    .drive(level) external level (fires irq on edges),
#                                     .log [(t_us, level)] output changes (bounded)
#   pwm_state(pin_id) -> _PwmState    .freq, .duty_u16, .log [(t_us, duty_u16)]
#   set_adc_source(pin_id, fn)        fn() -> microvolts at the pin
#   uart_state(uart_id) -> _UartState .feed(bytes) host->device bytes, .take() device->host bytes;
#                                     or .attach_fds(rx_stream, tx_stream) to file objects
#   set_unique_id(bytes)
#   deepsleep_calls -> [(t_us, ms)]   every machine.deepsleep(ms): recorded, and it returns (the
#                                     real one never does: the wake is a reset)
import errno as _errno

try:
    import select as _select
except ImportError:  # pragma: no cover - unix port has select
    _select = None

_clock = None
_unique_id = b"\xaa\xbb\xcc\xdd\x1a\x2b"
_LOG_MAX = 4096


def set_clock(clock):
    global _clock
    _clock = clock


def _now_us():
    return _clock.now_us() if _clock is not None else 0


def set_unique_id(uid):
    global _unique_id
    _unique_id = bytes(uid)


def unique_id():
    return _unique_id


def idle():
    # On hardware: wait for the next interrupt. Here: let 1 ms of virtual time pass.
    if _clock is not None:
        _clock.sleep_us(1000)


def freq(hz=None):
    return 240000000 if hz is None else None


DEEPSLEEP_RESET = 4
PWRON_RESET = 1
deepsleep_calls = []


def deepsleep(time_ms=0):
    # On hardware: everything stops, the RTC timer (time_ms > 0) or a wake pin resets the chip.
    deepsleep_calls.append((_now_us(), int(time_ms)))


def lightsleep(time_ms=0):
    if _clock is not None and time_ms > 0:
        _clock.sleep_us(int(time_ms) * 1000)


def reset_cause():
    return PWRON_RESET


def reset():
    raise SystemExit("machine.reset()")


def soft_reset():
    raise SystemExit("machine.soft_reset()")


def disable_irq():
    return 0


def enable_irq(state=0):
    return None


def _log_append(log, item):
    if len(log) >= _LOG_MAX:
        del log[0]
    log.append(item)


# --- I2C ---------------------------------------------------------------------------------------
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


# --- Pin ---------------------------------------------------------------------------------------
class _PinState:
    def __init__(self, pin_id):
        self.id = pin_id
        self.level = 0
        self.mode = -1
        self.handler = None
        self.trigger = 0
        self.log = []

    def drive(self, level):
        """External signal on an input pin; fires the irq handler on a matching edge."""
        level = 1 if level else 0
        old = self.level
        self.level = level
        if self.handler is None or old == level:
            return
        if (level and self.trigger & Pin.IRQ_RISING) or (not level and self.trigger & Pin.IRQ_FALLING):
            self.handler(_pins_obj(self.id))

    def _set_output(self, level):
        level = 1 if level else 0
        if level != self.level:
            _log_append(self.log, (_now_us(), level))
        self.level = level


_pins = {}
_pin_objs = {}


def pin_state(pin_id):
    st = _pins.get(pin_id)
    if st is None:
        st = _PinState(pin_id)
        _pins[pin_id] = st
    return st


def _pins_obj(pin_id):
    p = _pin_objs.get(pin_id)
    return p if p is not None else Pin(pin_id)


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_UP = 2
    PULL_DOWN = 1
    IRQ_RISING = 1
    IRQ_FALLING = 2
    WAKE_LOW = 4
    WAKE_HIGH = 5
    DRIVE_0 = 0
    DRIVE_1 = 1
    DRIVE_2 = 2
    DRIVE_3 = 3

    def __init__(self, id, mode=-1, pull=-1, *, value=None, drive=None, hold=None):
        self._st = pin_state(id)
        self.id = id
        _pin_objs.setdefault(id, self)
        self.init(mode, pull, value=value)

    def init(self, mode=-1, pull=-1, *, value=None, drive=None, hold=None):
        if mode != -1:
            self._st.mode = mode
        if value is not None:
            self._st._set_output(value)

    def value(self, x=None):
        if x is None:
            return self._st.level
        self._st._set_output(x)

    def __call__(self, x=None):
        return self.value(x)

    def on(self):
        self._st._set_output(1)

    def off(self):
        self._st._set_output(0)

    def toggle(self):
        self._st._set_output(0 if self._st.level else 1)

    def irq(self, handler=None, trigger=3, *, wake=None, hard=False):
        self._st.handler = handler
        self._st.trigger = trigger
        return None

    def __repr__(self):
        return "Pin(%d)" % self.id


# --- PWM ---------------------------------------------------------------------------------------
class _PwmState:
    def __init__(self, pin_id):
        self.id = pin_id
        self.freq = 0
        self.duty_u16 = 0
        self.log = []


_pwms = {}


def pwm_state(pin_id):
    st = _pwms.get(pin_id)
    if st is None:
        st = _PwmState(pin_id)
        _pwms[pin_id] = st
    return st


def _pin_id(pin):
    return pin.id if isinstance(pin, Pin) else pin


class PWM:
    def __init__(self, dest, *, freq=None, duty=None, duty_u16=None, duty_ns=None, invert=False):
        self._st = pwm_state(_pin_id(dest))
        self.init(freq=freq, duty_u16=duty_u16)

    def init(self, *, freq=None, duty=None, duty_u16=None, duty_ns=None, invert=False):
        if freq is not None:
            self._st.freq = freq
        if duty_u16 is not None:
            self.duty_u16(duty_u16)

    def freq(self, value=None):
        if value is None:
            return self._st.freq
        self._st.freq = value

    def duty_u16(self, value=None):
        if value is None:
            return self._st.duty_u16
        value = max(0, min(65535, int(value)))
        if value != self._st.duty_u16:
            _log_append(self._st.log, (_now_us(), value))
        self._st.duty_u16 = value

    def duty(self, value=None):
        if value is None:
            return self._st.duty_u16 >> 6
        self.duty_u16(int(value) << 6)

    def deinit(self):
        self.duty_u16(0)


# --- ADC ---------------------------------------------------------------------------------------
_adc_sources = {}
_ADC_FULL_SCALE_UV = 3300000  # 11 dB attenuation, roughly


def set_adc_source(pin_id, fn):
    _adc_sources[pin_id] = fn


class ADC:
    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3
    WIDTH_12BIT = 12

    def __init__(self, pin, *, atten=None, sample_ns=None):
        self._id = _pin_id(pin)

    def init(self, *, atten=None, sample_ns=None):
        pass

    def atten(self, atten):
        pass

    def width(self, bits):
        pass

    def read_uv(self):
        fn = _adc_sources.get(self._id)
        return int(fn()) if fn is not None else 0

    def read_u16(self):
        return max(0, min(65535, self.read_uv() * 65535 // _ADC_FULL_SCALE_UV))

    def read(self):
        return self.read_u16() >> 4


# --- Timer -------------------------------------------------------------------------------------
class Timer:
    ONE_SHOT = 0
    PERIODIC = 1

    def __init__(self, id=0, **kw):
        self._cb = None
        self._period_us = 0
        self._mode = Timer.PERIODIC
        self._next_us = None
        self._armed = False
        if kw:
            self.init(**kw)

    def init(self, *, mode=1, period=-1, freq=-1, callback=None):
        if freq > 0:
            self._period_us = 1000000 // freq
        else:
            self._period_us = int(period) * 1000
        self._mode = mode
        self._cb = callback
        self._armed = True
        if _clock is None:
            raise OSError(_errno.ENODEV)
        self._next_us = _clock.now_us() + self._period_us
        _clock.add_listener(self._on_time)

    def _on_time(self, now_us):
        if not self._armed:
            return 1 << 62
        if now_us >= self._next_us:
            if self._cb is not None:
                self._cb(self)
            if self._mode == Timer.PERIODIC:
                self._next_us += self._period_us
            else:
                self._armed = False
                return 1 << 62
        return self._next_us

    def deinit(self):
        self._armed = False


# --- UART --------------------------------------------------------------------------------------
class _UartState:
    def __init__(self, uart_id):
        self.id = uart_id
        self.rx = bytearray()  # host -> device
        self.tx = bytearray()  # device -> host
        self.rx_stream = None
        self.tx_stream = None
        self._poll = None

    def feed(self, data):
        self.rx.extend(data)

    def take(self):
        out = bytes(self.tx)
        self.tx = bytearray()
        return out

    def attach_fds(self, rx_stream, tx_stream):
        self.rx_stream = rx_stream
        self.tx_stream = tx_stream
        if rx_stream is not None and _select is not None:
            self._poll = _select.poll()
            self._poll.register(rx_stream, _select.POLLIN)

    def _pull(self):
        if self._poll is None:
            return
        while self._poll.poll(0):
            chunk = self.rx_stream.read(1)
            if not chunk:
                self._poll = None
                return
            self.rx.extend(chunk)


_uarts = {}


def uart_state(uart_id):
    st = _uarts.get(uart_id)
    if st is None:
        st = _UartState(uart_id)
        _uarts[uart_id] = st
    return st


class UART:
    def __init__(self, id, baudrate=115200, **kw):
        self._st = uart_state(id)
        self.baudrate = baudrate

    def init(self, baudrate=115200, **kw):
        self.baudrate = baudrate

    def deinit(self):
        pass

    def any(self):
        self._st._pull()
        return len(self._st.rx)

    def read(self, nbytes=-1):
        self._st._pull()
        if not self._st.rx:
            return None
        n = len(self._st.rx) if nbytes < 0 else min(nbytes, len(self._st.rx))
        out = bytes(self._st.rx[:n])
        self._st.rx = self._st.rx[n:]  # MicroPython bytearrays do not support slice deletion
        return out

    def readinto(self, buf, nbytes=-1):
        self._st._pull()
        if not self._st.rx:
            return None
        n = len(buf) if nbytes < 0 else min(nbytes, len(buf))
        n = min(n, len(self._st.rx))
        for i in range(n):
            buf[i] = self._st.rx[i]
        self._st.rx = self._st.rx[n:]
        return n

    def write(self, buf):
        if self._st.tx_stream is not None:
            self._st.tx_stream.write(bytes(buf))
            if hasattr(self._st.tx_stream, "flush"):
                self._st.tx_stream.flush()
        else:
            self._st.tx.extend(buf)
        return len(buf)

    def flush(self):
        pass

    def txdone(self):
        return True
