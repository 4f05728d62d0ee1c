# Stand-in for the system part of ESP32 MicroPython's `machine` (re-exported by machine.py):
# the simulation clock every other stand-in reads, unique_id, idle/sleep, resets and IRQ masking.
#
# Simulation hooks set_clock, set_unique_id, deepsleep_calls: documented in machine.py. The
# other machine_* modules read the clock through now_us()/clock() at call time, so a later
# set_clock() reaches every object already built.

_clock = None
_unique_id = b"\xaa\xbb\xcc\xdd\x1a\x2b"
_LOG_MAX = 4096  # entries kept in a pin/PWM log: long runs must not grow the heap forever
_log_max = _LOG_MAX


def set_log_max(n):
    """Entries kept in each pin/PWM log from now on (0: keep none)."""
    global _log_max
    _log_max = int(n)


def set_clock(clock):
    global _clock
    _clock = clock


def clock():
    """The virtual clock set by set_clock(), or None."""
    return _clock


def now_us():
    """Virtual time, us (0 before a clock is set): timestamps for the logs."""
    return _clock.now_us() if _clock is not None else 0


def log_append(log, item):
    """Append to a bounded log, dropping the oldest entries when full."""
    if _log_max <= 0:
        return
    while len(log) >= _log_max:
        del log[0]
    log.append(item)


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
    import machine_wdt  # here: machine_wdt imports this module

    deepsleep_calls.append((now_us(), int(time_ms)))
    machine_wdt.stop()


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
