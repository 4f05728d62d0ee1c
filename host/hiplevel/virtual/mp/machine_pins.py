# Stand-ins for ESP32 MicroPython's machine.Pin, PWM, ADC and Timer (re-exported by machine.py).
# Objects built with the same pin id share state, as on hardware, so main.py's `Pin(19)` is the
# pin the simulated chip drives.
#
# Simulation hooks pin_state, pwm_state, set_adc_source: documented in machine.py. Timer
# callbacks run on the virtual clock set with machine.set_clock().
import errno as _errno

import machine_sys


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
            machine_sys.log_append(self.log, (machine_sys.now_us(), level))
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


def _pin_id(pin):
    return pin.id if isinstance(pin, Pin) else pin


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
            machine_sys.log_append(self._st.log, (machine_sys.now_us(), value))
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
        clock = machine_sys.clock()
        if clock is None:
            raise OSError(_errno.ENODEV)
        self._next_us = clock.now_us() + self._period_us
        clock.add_listener(self._on_time)

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
