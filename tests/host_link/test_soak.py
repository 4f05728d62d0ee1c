"""The soak (bench/soak.py) in short: two and a half virtual minutes of every fault at once on the virtual
device (drops, corrupted packets, disconnects of 0.1 s to 30 s on both sides, the ring buffer
overflowing, I2C failures, host pauses, host clock steps), recorded as `hiplevel record` does and
compared slot by slot with a fault-free run: nothing is lost without being counted, nothing is
wrong. The hour-long run and its memory figures are a benchmark (`python -m bench.soak`)."""

from __future__ import annotations

import pytest

from bench.soak import soak
from bench.soak_compare import missing_by_cause
from bench.soak_plan import SoakFaults, plan_faults
from bench.soak_run import START_AT_S
from hiplevel.virtual.faults import AirFaults

pytestmark = pytest.mark.slow

DURATION_S = 150.0
SEED = 5
SPEED = 20.0
# The device waits while 5 virtual s ahead of the host: a loaded machine slows the run down
# instead of turning the host's lag into extra ring overflows (the faults stay the planned ones).
LEAD_S = 5.0
REFERENCE_EXTRA_S = 30.0  # the faulty run's STOP comes at most a few lead limits late


def test_minutes_of_faults_lose_nothing_uncounted_and_nothing_wrong(tmp_path) -> None:  # type: ignore[no-untyped-def]
    faults = plan_faults(DURATION_S, SEED)
    assert max(faults.disconnects_s()) == 30.0 and min(faults.disconnects_s()) == 0.1
    faults, _reference, run, c = soak(DURATION_S, SEED, SPEED, tmp_path, faults, lead_limit_s=LEAD_S,
                                      trace_memory=False, reference_extra_s=REFERENCE_EXTRA_S)
    print(f"\nsoak {DURATION_S:.0f} s: {c}\nlink {run.link}\nair {run.air}")
    # The faults happened: every disconnect dropped the link, packets were dropped and corrupted
    # (each corrupted one counted), gaps were resent, I2C faults left slots without a sample and the
    # 30 s disconnect overflowed the 20 s ring (how much comes back depends on the machine's speed).
    assert run.link.drops == len(faults.disconnects_s())
    # (a corrupted one sent as a host-side loss began never reached the host: lost_in_link_loss)
    assert run.air.dropped > 0 and run.air.corrupted > 0
    assert run.air.corrupted - run.air.lost_in_link_loss <= run.link.bad_packets <= run.air.corrupted
    assert c.resent > 0
    causes = missing_by_cause(c, faults, START_AT_S)
    assert causes["in I2C faults"] > 0 and causes["in disconnects and pauses"] > 0
    # What the user gets: every slot the device produced is there with its value, or counted lost.
    # every slot from START (within a lead limit after the planned time) to STOP (at it or later)
    assert c.expected >= (DURATION_S - LEAD_S) * 100
    assert c.lost_uncounted == 0 and c.over_declared == 0 and c.declared_lost == c.lost_counted
    assert c.wrong == 0 and c.phantom == 0
    assert c.received + c.lost_counted == c.expected
    # The host clock's steps (+10 min, -30 s) are found and do not move the session's time base.
    assert abs(c.time_base_error_s) <= 2.0


def test_the_first_packets_after_start_lost_on_air_come_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The first data notifications after START (a STATUS and the first DATA packets) are lost:
    # the host must know the stream began at slot 0 and ask for them (found by the soak: they
    # were lost without a trace).
    faults = SoakFaults(AirFaults(drop_notify_indices=frozenset({0, 1, 2})))
    _faults, _reference, run, c = soak(30.0, SEED, SPEED, tmp_path, faults, lead_limit_s=LEAD_S,
                                       trace_memory=False, reference_extra_s=REFERENCE_EXTRA_S)
    assert run.air.dropped == 3
    assert c.lost_uncounted == 0 and c.lost_counted == 0 and c.wrong == 0 and c.phantom == 0
    assert c.resent >= 5 and c.received == c.expected
