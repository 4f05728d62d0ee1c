# Virtual clock for the firmware running on the MicroPython unix port (simulation only).
#
# Same surface as the ESP32 `time` module the firmware uses (ticks_us, ticks_ms, ticks_diff,
# ticks_add, sleep_ms, sleep_us), with MicroPython's 2^30 tick wrap, plus simulation hooks:
#
#   clock = VirtualClock(speed=0.0, start_us=0)
#   clock.add_listener(fn)    fn(now_us) is called now, then as virtual time passes. It may return the
#                             absolute virtual time (us) at which it wants to be called next; the
#                             clock then stops exactly there (discrete events: the simulated chip
#                             fires its INT pin at its own sample instants). Returning None means
#                             "call me again at the end of every advance".
#   clock.wake(fn, at_us)     call listener fn at virtual time at_us at the latest (after something
#                             changed the schedule it returned last time)
#   clock.add_idle_hook(fn)   fn() is called whenever the firmware waits (sleep_*), before time
#                             advances; the pipe "air" uses it to poll stdin. If it returns False,
#                             time does not advance for that wait (the host holds the clock).
#   clock.now_us()            absolute virtual time, us, never wraps.
#   clock.advance_us(us)      move virtual time forward (what sleep_us does after the idle hooks).
#
# speed: virtual seconds per wall second; 0 jumps time as fast as possible, otherwise sleeps in
# real time so virtual time does not run ahead of wall time * speed.
import time as _rt

_TICKS_PERIOD = 1 << 30
_TICKS_MAX = _TICKS_PERIOD - 1
_TICKS_HALF = _TICKS_PERIOD // 2


class VirtualClock:
    """Discrete-event virtual time, microseconds."""

    def __init__(self, speed=0.0, start_us=0):
        self._now_us = int(start_us)
        self._start_us = self._now_us
        self.speed = float(speed)
        self._listeners = []  # [fn, next_us or None]
        self._idle_hooks = []
        self._wall0_us = _rt.ticks_us()
        self._wall_elapsed_us = 0
        self._wall_last = self._wall0_us

    # --- the `time` module surface -------------------------------------------------------
    def ticks_us(self):
        return self._now_us & _TICKS_MAX

    def ticks_ms(self):
        return (self._now_us // 1000) & _TICKS_MAX

    def ticks_cpu(self):
        return self.ticks_us()

    @staticmethod
    def ticks_diff(a, b):
        return ((a - b + _TICKS_HALF) & _TICKS_MAX) - _TICKS_HALF

    @staticmethod
    def ticks_add(a, delta):
        return (a + delta) & _TICKS_MAX

    def sleep_us(self, us):
        advance = True
        for hook in self._idle_hooks:
            if hook() is False:
                advance = False  # the hook holds the clock: time stands still for this wait
        if us > 0 and advance:
            self.advance_us(us)

    def sleep_ms(self, ms):
        self.sleep_us(int(ms) * 1000)

    def sleep(self, s):
        self.sleep_us(int(s * 1000000))

    def time_ns(self):
        return self._now_us * 1000

    # --- simulation hooks ----------------------------------------------------------------
    def now_us(self):
        return self._now_us

    def add_listener(self, fn):
        """fn(now_us) -> next wake time (absolute us) or None; called once now to schedule."""
        self._listeners.append([fn, fn(self._now_us)])

    def wake(self, fn, at_us):
        """Call listener `fn` at `at_us` (absolute us) at the latest."""
        for entry in self._listeners:
            if entry[0] == fn and entry[1] is not None and entry[1] > at_us:
                entry[1] = at_us

    def add_idle_hook(self, fn):
        self._idle_hooks.append(fn)

    def advance_us(self, us):
        """Advance virtual time by `us`, stopping at every listener's requested instant."""
        target = self._now_us + int(us)
        while True:
            nxt = target
            for entry in self._listeners:
                if entry[1] is not None and entry[1] < nxt:
                    nxt = entry[1]
            if nxt < self._now_us:
                nxt = self._now_us
            self._pace(nxt)
            self._now_us = nxt
            for entry in self._listeners:
                if entry[1] is None or entry[1] <= nxt:
                    entry[1] = entry[0](nxt)
            if nxt >= target:
                return

    def _pace(self, virtual_us):
        # Wall time must not run behind virtual time / speed.
        if self.speed <= 0:
            return
        want_wall_us = int((virtual_us - self._start_us) / self.speed)
        now = _rt.ticks_us()
        self._wall_elapsed_us += _rt.ticks_diff(now, self._wall_last)
        self._wall_last = now
        lag = want_wall_us - self._wall_elapsed_us
        if lag > 200:
            _rt.sleep_us(lag)
