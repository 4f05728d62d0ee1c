# Stand-in for ESP32 MicroPython's machine.WDT (re-exported by machine.py), simulation only.
#
# As on the chip: WDT(id=0, timeout=ms) starts it, feed() restarts its count, and it can neither be
# stopped nor reconfigured (a second WDT() is the same watchdog). When virtual time passes the
# deadline without a feed, the chip resets: here the expiry is recorded in `wdt_resets` and
# machine.reset() is called, which ends the program (SystemExit), as a reset ends the running
# firmware. machine.deepsleep() stops it (the chip resets on wake).
#
# Simulation hooks: wdt_state() -> the running _Watchdog or None (.timeout_ms, .feeds, .armed);
# wdt_resets -> [(t_us, timeout_ms)].
import machine_sys

_wdt = None
wdt_resets = []
_FAR_US = 1 << 62


class _Watchdog:
    def __init__(self, timeout_ms):
        self.timeout_ms = int(timeout_ms)
        self.feeds = 0
        self.armed = True
        clock = machine_sys.clock()
        if clock is None:
            raise OSError("machine.WDT needs the virtual clock (machine.set_clock)")
        self._clock = clock
        self._deadline_us = clock.now_us() + self.timeout_ms * 1000
        clock.add_listener(self._on_time)

    def feed(self):
        self.feeds += 1
        self._deadline_us = self._clock.now_us() + self.timeout_ms * 1000

    def _on_time(self, now_us):
        if not self.armed:
            return _FAR_US
        if now_us >= self._deadline_us:
            self.armed = False
            wdt_resets.append((now_us, self.timeout_ms))
            machine_sys.reset()
        return self._deadline_us


class WDT:
    """machine.WDT(id=0, timeout=5000): start the watchdog; feed() before `timeout` ms pass."""

    def __init__(self, id=0, timeout=5000):
        global _wdt
        if _wdt is None or not _wdt.armed:
            _wdt = _Watchdog(timeout)
        self._w = _wdt

    def feed(self):
        self._w.feed()


def wdt_state():
    """The started watchdog, or None (simulation hook)."""
    return _wdt


def stop():
    """The chip reset (deep sleep, or a reset in the simulation): no watchdog runs any more."""
    global _wdt
    if _wdt is not None:
        _wdt.armed = False
    _wdt = None
