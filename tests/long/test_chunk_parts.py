"""The parts of the bounded-memory analysis, each against the whole-array computation it replaces:
the grid built block by block, the fusion overlap bound, the exact median in passes, a rest run
fitted in pieces, the store of per-sample arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from long_synth import pauses

from hiplevel.signal import exact_median
from hiplevel.signal.chunk_plan import OVERLAP_GAIN_SUM, OVERLAP_MAX_S, ChunkSettings, plan_chunks
from hiplevel.signal.filters import resample_uniform
from hiplevel.signal.fusion import FusionSettings, accel_fraction, fuse_passes, up_to_roll_pitch_deg
from hiplevel.signal.rest_masks import rest_mask
from hiplevel.signal.grid import GridBlock, GridBuilder, GridSegment
from hiplevel.signal.rest_bias import run_bias, run_bias_in_pieces
from hiplevel.signal.scan import SCAN_BLOCK
from hiplevel.signal.timeline import nominal_period_s, split_at_gaps
from hiplevel.signal.trace_store import TraceStore


def jittered_times(seed: int, n: int = 9000) -> np.ndarray:
    """100 Hz times with jitter, bridged holes, split gaps, a piece too short to keep."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(0.01 + rng.normal(0, 0.0008, n))
    t[3000:] += 2.0  # split
    t[3040:] += 1.5  # ... leaving a 0.4 s piece that is skipped
    t[6000:] += 0.15  # bridged
    return t


@pytest.mark.parametrize("block_rows", [1, 37, 1000, 10**6])
def test_the_grid_built_block_by_block_is_split_and_resample_of_the_whole(block_rows) -> None:
    t = jittered_times(1)
    x = np.random.default_rng(2).normal(size=(len(t), 6))
    breaks = (7500,)
    period = nominal_period_s(t)
    whole = split_at_gaps(t, breaks=breaks, period_s=period)
    gb = GridBuilder(period, block=512)
    events = []
    for a in range(0, len(t), block_rows):
        events += gb.feed(t[a:a + block_rows], x[a:a + block_rows], tuple(b - a for b in breaks if a <= b < a + block_rows))
    events += gb.finish()
    seg = gb.segmentation()
    assert (seg.segments, seg.gaps, seg.skipped) == (whole.segments, whole.gaps, whole.skipped)
    ends = [e for e in events if isinstance(e, GridSegment)]
    assert len(ends) == len(whole.segments) == 3 and len(whole.skipped) == 1 and len(whole.gaps) == 4
    for s in ends:
        blocks = [e for e in events if isinstance(e, GridBlock) and e.segment == s.index]
        assert [b.start for b in blocks] == list(range(0, s.n, 512))  # counted from the segment start
        tu, ref = resample_uniform(t[s.raw.start:s.raw.stop], x[s.raw.start:s.raw.stop], 1.0 / period)
        np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), ref)
        np.testing.assert_array_equal(s.times(0, s.n), tu)


def test_each_fusion_overlap_reaches_the_bound_or_the_segment_edge() -> None:
    rng = np.random.default_rng(4)
    n = 60_000
    k = np.full(n, 0.001)  # walking: the accelerometer partly trusted (Sigma k = 20 takes 200 s)
    for a in np.arange(3000, n - 2000, 6000) + rng.integers(-1500, 1500, 10):
        k[a:a + 1500] = 0.02  # 15 s of quiet standing: trusted fully
    cs = ChunkSettings(fusion_max_samples=8000, fusion_chunk_samples=8000)
    s = np.concatenate([[0.0], np.cumsum(k)])
    plan = plan_chunks(n, 100.0, lambda a, b: s[a:b], cs)
    assert len(plan.chunks) >= 8 and plan.unconverged == 0
    assert [c.start for c in plan.chunks[1:]] == [c.stop for c in plan.chunks[:-1]]
    assert plan.chunks[0].start == 0 and plan.chunks[-1].stop == n
    for c in plan.chunks:
        assert c.lo % SCAN_BLOCK == 0 and (n - c.hi) % SCAN_BLOCK == 0
        assert c.lo == 0 or k[c.lo:c.start].sum() >= OVERLAP_GAIN_SUM
        assert c.hi == n or k[c.stop:c.hi].sum() >= OVERLAP_GAIN_SUM
    # Cuts go where the overlaps are short: each reaches back and ahead into quiet standing
    # (walking alone would need 20,000 samples each side).
    assert max(max(c.start - c.lo, c.hi - c.stop) for c in plan.chunks) < 8000
    assert sum(c.hi - c.lo for c in plan.chunks) < 1.8 * n


def test_an_overlap_that_would_be_too_long_is_counted() -> None:
    n = 400_000
    k = np.full(n, 1e-5)  # the accelerometer ignored for an hour
    s = np.concatenate([[0.0], np.cumsum(k)])
    plan = plan_chunks(n, 100.0, lambda a, b: s[a:b], ChunkSettings(fusion_max_samples=50_000, fusion_chunk_samples=50_000))
    assert plan.unconverged > 0
    assert all(c.start - c.lo <= OVERLAP_MAX_S * 100 + SCAN_BLOCK for c in plan.chunks)


def test_a_chunk_fused_with_its_overlap_is_the_whole_segment_fused() -> None:
    """The bound itself, on a walk: cut in the middle of walking (no quiet standing in reach),
    fused from its overlap's start, the chunk's own samples come out as in the whole fusion."""
    imu = pauses().imu
    t, acc, gyro = imu.t_s, imu.acc_g, imu.gyro_dps - imu.gyro_dps[:300].mean(axis=0)
    st_ = FusionSettings()
    rest = rest_mask(acc, gyro, 100.0, st_)
    k, _, _ = accel_fraction(acc, np.radians(gyro), np.full(len(t), 0.01), rest, st_)
    s = np.concatenate([[0.0], np.cumsum(k)])
    plan = plan_chunks(len(t), 100.0, lambda a, b: s[a:b], ChunkSettings(fusion_max_samples=4000, fusion_chunk_samples=4000))
    whole, _ = up_to_roll_pitch_deg(fuse_passes(t, acc, gyro, rest, st_))
    moving = 0
    for c in plan.chunks:
        part, _ = up_to_roll_pitch_deg(fuse_passes(t[c.lo:c.hi], acc[c.lo:c.hi], gyro[c.lo:c.hi], rest[c.lo:c.hi], st_))
        np.testing.assert_allclose(part[c.start - c.lo:c.stop - c.lo], whole[c.start:c.stop], atol=0.01)
        moving += not rest[c.start]
    assert len(plan.chunks) >= 3


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=400), st.integers(1, 9),
       st.integers(2, 50))
def test_the_median_in_passes_is_np_median(values, parts, in_memory) -> None:
    v = np.asarray(values)
    pieces = np.array_split(v, parts)
    old = exact_median.IN_MEMORY_VALUES
    exact_median.IN_MEMORY_VALUES = in_memory  # force the passes on a few hundred values
    try:
        assert exact_median.median_of_chunks(lambda: iter(pieces)) == np.median(v)
    finally:
        exact_median.IN_MEMORY_VALUES = old


def test_a_long_rest_run_fitted_in_pieces_is_the_run_fitted_whole() -> None:
    rng = np.random.default_rng(5)
    n = 5003
    t = 100.0 + np.arange(n) * 0.01
    acc = np.column_stack([0.02 * np.sin(t), 0.01 * rng.normal(size=n), 1 + 0.005 * rng.normal(size=n)])
    gyro = rng.normal(0, 0.3, (n, 3)) + [0.5, -0.7, 0.2]
    ref = run_bias(t, acc, gyro)
    for piece in (64, 700):
        got = run_bias_in_pieces(lambda a, b: (t[a:b], acc[a:b], gyro[a:b]), n, piece)
        np.testing.assert_allclose(got.bias_dps, ref.bias_dps, atol=1e-12)
        assert got.residual_deg == pytest.approx(ref.residual_deg, abs=1e-12)


def test_the_store_returns_any_range_from_memory_and_from_files() -> None:
    x = np.arange(10_000, dtype=float).reshape(-1, 2) * 0.5
    with TraceStore(ram_budget_bytes=20_000, block=700) as store:
        for a in range(0, len(x), 333):
            store.append(("s", "x"), x[a:a + 333])
        store.flush(("s", "x"))
        assert store.spilled_bytes > 0 and store.rows(("s", "x")) == len(x)
        for a, b in ((0, 1), (650, 760), (699, 700), (1234, 4999), (0, len(x))):
            np.testing.assert_array_equal(store.read(("s", "x"), a, b), x[a:b])
        d = store._dir
    assert d is not None and not d.exists()  # temporary files removed on close


def test_the_store_reads_rows_of_spilled_blocks_alone_and_across_blocks() -> None:
    rng = np.random.default_rng(8)
    arrays = {"f": rng.normal(size=(5000, 3)), "b": rng.random(5000) < 0.5, "k": rng.normal(size=5000)}
    with TraceStore(ram_budget_bytes=30_000, block=512) as store:
        for key, x in arrays.items():
            for a in range(0, len(x), 777):
                store.append(("s", key), x[a:a + 777])
            store.flush(("s", key))
        for key, x in arrays.items():
            for a, b in ((0, 0), (0, 1), (5, 511), (511, 513), (600, 2100), (4095, 5000), (4999, 5000), (0, 5000),
                         (3000, 3000), (4990, 6000)):
                got = store.read(("s", key), a, b)
                assert got.dtype == x.dtype and got.shape == x[a:b].shape
                np.testing.assert_array_equal(got, x[a:b])
                got[...] = 0  # a copy: the store keeps its rows
        np.testing.assert_array_equal(store.read(("s", "f"), 0, 5000), arrays["f"])


def test_the_store_keeps_one_file_per_key_and_forgets_it_on_drop() -> None:
    # A file per 16,384-row block cost a file created, opened and removed each (issue 13).
    x = np.arange(9000, dtype=float).reshape(-1, 3)
    with TraceStore(ram_budget_bytes=0, block=256) as store:
        for key in (("s", "up"), ("s", "acc")):
            for a in range(0, len(x), 500):
                store.append(key, x[a:a + 500] + len(key[1]))
            store.flush(key)
        assert store._dir is not None and len(list(store._dir.iterdir())) == 2
        for a, b in ((0, 3000), (255, 257), (1000, 2999), (2990, 3000)):
            np.testing.assert_array_equal(store.read(("s", "up"), a, b), x[a:b] + 2)
        # Written again after a drop (the turn-corrected fusion): the new rows, not the old file's.
        store.drop(("s", "up"))
        for a in range(0, len(x), 700):
            store.append(("s", "up"), -x[a:a + 700])
        store.flush(("s", "up"))
        np.testing.assert_array_equal(store.read(("s", "up"), 0, 3000), -x)
        np.testing.assert_array_equal(store.read(("s", "acc"), 100, 2900), x[100:2900] + 3)
        assert len(list(store._dir.iterdir())) == 2


def test_the_store_opens_each_spilled_file_once_and_holds_few_open(monkeypatch) -> None:
    # A Python file opened for every block written and every read cost more than the bytes: ~700
    # opens in the passes over an hour (issue 13). Each key's file is opened once and kept, at most
    # MAX_OPEN_FILES at a time (a recording with many gaps has many keys): the rows are the same.
    import os

    from hiplevel.signal import trace_store

    if not trace_store._POSITIONAL:
        pytest.skip("no positional reads and writes on this platform")
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(trace_store.os, "open", lambda path, *a: opened.append(str(path)) or real_open(path, *a))
    x = np.arange(6000, dtype=float).reshape(-1, 2)
    keys = [(seg, "acc") for seg in range(trace_store.MAX_OPEN_FILES + 4)]
    with TraceStore(ram_budget_bytes=0, block=256) as store:
        for key in keys[:3]:
            for a in range(0, len(x), 500):
                store.append(key, x[a:a + 500] + key[0])
            store.flush(key)
        for _ in range(4):
            for a, b in ((0, 3000), (255, 257), (1000, 2999)):
                for key in keys[:3]:
                    np.testing.assert_array_equal(store.read(key, a, b), x[a:b] + key[0])
        assert len(opened) == 3 and len(set(opened)) == 3  # written and read through one descriptor each
        for key in keys[3:]:
            store.append(key, x + key[0])
            store.flush(key)
        assert len(store._fds) <= trace_store.MAX_OPEN_FILES
        for key in keys:  # the closed ones are opened again to be read
            np.testing.assert_array_equal(store.read(key, 100, 2900), x[100:2900] + key[0])
        assert len(store._fds) <= trace_store.MAX_OPEN_FILES
        fds = list(store._fds.values())
    for fd in fds:  # closed with the store
        with pytest.raises(OSError):
            os.fstat(fd)
