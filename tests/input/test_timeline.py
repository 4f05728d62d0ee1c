"""repair_times and split_at_gaps: known answers on hand-made time series."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal.timeline import MAX_INTERPOLATED_GAP_S, TimelineSettings, repair_times, split_at_gaps

P = 0.01
T = np.round(np.arange(200) * P, 6)


def kinds(fix) -> dict[str, int]:
    return {f.kind: f.count for f in fix.fixes}


def test_clean_times_pass_unchanged() -> None:
    fix = repair_times(T)
    assert not fix.changed and np.array_equal(fix.t_s, T) and np.array_equal(fix.keep, np.arange(200))


def test_repeated_timestamp_drops_the_repeat_only() -> None:
    t = T.copy()
    t[50] = t[49]
    fix = repair_times(t)
    assert kinds(fix) == {"repeated": 1} and fix.fixes[0].first == 50
    assert len(fix.t_s) == 199 and 50 not in fix.keep and np.all(np.diff(fix.t_s) > 0)


def test_swapped_samples_are_put_back_in_order() -> None:
    t = T.copy()
    t[[80, 81]] = t[[81, 80]]
    fix = repair_times(t)
    assert kinds(fix) == {"reordered": 1}
    assert fix.keep[80:82].tolist() == [81, 80] and np.array_equal(fix.t_s, T)


@pytest.mark.parametrize("bad", [1e7, -1e7, 86_400.0, -5.0])
def test_one_corrupted_timestamp_is_retimed_between_its_neighbours(bad: float) -> None:
    t = T.copy()
    t[100] = bad
    fix = repair_times(t)
    assert kinds(fix) == {"retimed": 1} and fix.fixes[0].first == 100
    np.testing.assert_allclose(fix.t_s, T, atol=1e-9)
    assert fix.breaks == ()


@pytest.mark.parametrize("bad", [1e7, -1e7, 86_400.0, -5.0])
@pytest.mark.parametrize("where", [0, 199])
def test_a_corrupted_first_or_last_timestamp_costs_at_most_that_sample(bad: float, where: int) -> None:
    t = T.copy()
    t[where] = bad
    fix = repair_times(t)
    seg = split_at_gaps(fix.t_s, breaks=fix.breaks)
    kept = sum(len(s) for s in seg.segments)
    assert len(seg.segments) == 1 and kept >= 199
    assert seg.segments[0].duration_s == pytest.approx(1.99 if kept == 200 else 1.98, abs=1e-9)


def test_a_run_of_corrupted_timestamps_is_retimed() -> None:
    t = T.copy()
    t[60:63] += 2.0**30 / 1e6  # one high bit set in three consecutive stamps
    fix = repair_times(t)
    assert kinds(fix) == {"retimed": 3}
    np.testing.assert_allclose(fix.t_s, T, atol=1e-9)


def test_clock_jump_back_is_spliced_and_breaks_the_series() -> None:
    t = np.concatenate([T[:100], T[100:] - 50.0])
    fix = repair_times(t)
    assert kinds(fix) == {"clock_back": 100} and fix.fixes[0].first == 100
    assert fix.fixes[0].shift_s == pytest.approx(50.0)
    assert fix.breaks == (100,) and np.all(np.diff(fix.t_s) > 0)
    np.testing.assert_allclose(np.diff(fix.t_s), P, atol=1e-9)
    seg = split_at_gaps(fix.t_s, breaks=fix.breaks)
    assert [(s.start, s.stop) for s in seg.segments] == [(0, 100), (100, 200)]
    assert seg.gaps[0].break_ and not seg.gaps[0].interpolated


def test_short_holes_are_bridged_and_long_ones_split() -> None:
    t = np.concatenate([np.arange(0, 10, P), np.arange(10.2, 20, P), np.arange(50, 60, P)])
    seg = split_at_gaps(t)
    assert len(seg.segments) == 2
    bridged, split = seg.gaps
    assert bridged.interpolated and bridged.missing == 20 and bridged.index == 1000
    assert not split.interpolated and split.missing == pytest.approx(3000, abs=1) and split.duration_s > 29
    assert seg.segments[1].t0_s == 50.0


def test_max_interpolated_gap_is_the_step_between_samples() -> None:
    limit = MAX_INTERPOLATED_GAP_S
    for step, split in ((limit - P / 2, False), (limit + P / 2, True)):
        t = np.concatenate([np.arange(0, 5, P), 5 - P + step + np.arange(0, 5, P)])
        assert (len(split_at_gaps(t).segments) == 2) is split


def test_pieces_shorter_than_the_minimum_are_skipped() -> None:
    t = np.concatenate([np.arange(0, 10, P), 20 + np.arange(0, 0.5, P), 30 + np.arange(0, 10, P)])
    seg = split_at_gaps(t, TimelineSettings(min_segment_s=1.0))
    assert len(seg.segments) == 2 and seg.samples_skipped == 50


def test_zero_limit_splits_at_every_hole() -> None:
    t = np.concatenate([np.arange(0, 5, P), 5.02 + np.arange(0, 5, P)])
    assert len(split_at_gaps(t, TimelineSettings(max_interpolated_gap_s=0.0)).segments) == 2


def test_chunks_with_one_sample_overlap_give_the_whole_series_gaps() -> None:
    """The bounded-memory analysis calls split_at_gaps chunk by chunk: same holes."""
    t = np.concatenate([np.arange(0, 10, P), np.arange(10.2, 20, P), np.arange(50, 60, P), np.arange(61, 70, P)])
    whole = [(g.start_s, g.end_s, g.missing, g.interpolated) for g in split_at_gaps(t).gaps]
    parts = []
    for a in range(0, len(t), 700):
        chunk = t[max(a - 1, 0): a + 700]
        parts += [(g.start_s, g.end_s, g.missing, g.interpolated) for g in split_at_gaps(chunk, period_s=P).gaps]
    assert parts == whole


def test_times_from_no_single_clock_are_refused_not_guessed() -> None:
    from hiplevel.signal.timeline import MAX_CLOCK_JUMPS, TimelineError

    rng = np.random.default_rng(0)
    t = np.round(rng.permutation(np.arange(5000)) * P, 6)  # shuffled rows
    assert np.count_nonzero(np.diff(t) < -0.5) > MAX_CLOCK_JUMPS
    with pytest.raises(TimelineError, match="jump back .* times"):
        repair_times(t)
