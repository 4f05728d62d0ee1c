"""Latency figure and frame pacing, with the times given directly (no clock)."""

import pytest

from hiplevel.live_screen.timing import FramePacer, LatencyMeter


def test_latency_is_arrival_to_the_frame_that_showed_it():
    m = LatencyMeter()
    assert m.summary().count == 0 and "not measured" in m.summary().words()
    m.arrived(10.000)
    m.arrived(10.004)  # two packets, one frame
    assert m.waiting
    m.shown(10.006)
    assert not m.waiting
    for k in range(98):
        m.arrived(20.0 + k)
        m.shown(20.0 + k + 0.001)
    s = m.summary()
    assert s.count == 100
    assert s.median_ms == pytest.approx(1.0)
    assert s.max_ms == pytest.approx(6.0)
    assert 1.0 < s.p99_ms <= 6.0
    assert s.words() == f"latency median 1.0 ms, p99 {s.p99_ms:.1f} ms"


def test_pacer_draws_at_once_unless_a_frame_was_just_drawn_or_it_is_urgent():
    p = FramePacer(interval_s=0.02)
    assert p.due_now(0.0)
    p.drawn(0.0)
    assert not p.due_now(0.01)
    assert p.due_now(0.01, urgent=True)
    assert p.next_due_s() == pytest.approx(0.02)
    assert p.due_now(0.02)
