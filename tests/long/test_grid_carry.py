"""`GridBuilder` resamples each raw block where it lies, the grid samples before its first raw
sample from the carried one (no copy of the block with the carried sample in front), and hands its
grid blocks on as views where one array holds them: the same grid, to the bit, as `resample_uniform`
of the whole segment (docs/analysis.md, "Stop 40a"), with grid times that fall on raw times, a
block of one sample, NaN values, and with and without the compiled kernel."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.signal.filters import resample_uniform
from hiplevel.signal.grid import GridBlock, GridBuilder, GridSegment, grid_steps


def _grid(t: np.ndarray, x: np.ndarray, rows: int, block: int) -> tuple[list[GridBlock], GridSegment]:
    gb = GridBuilder(0.01, block=block)
    events = []
    for a in range(0, len(t), rows):
        events += gb.feed(t[a:a + rows], x[a:a + rows])
    events += gb.finish()
    (seg,) = [e for e in events if isinstance(e, GridSegment)]
    return [e for e in events if isinstance(e, GridBlock)], seg


@pytest.mark.parametrize("native", [True, False])
@pytest.mark.parametrize("rows", [1, 2, 3, 97, 5000])
def test_the_grid_of_blocks_is_the_whole_resampling(rows, native, monkeypatch) -> None:
    if not native:
        monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    rng = np.random.default_rng(rows)
    n = 4000
    t = 5.0 + grid_steps(0, n) / 100.0  # the grid's own times: every grid sample on a raw one ...
    t[1000:2000] += rng.uniform(-0.003, 0.003, 1000)  # ... but here (jitter)
    t[2500:] += 0.004  # a step: raw samples between the grid's
    x = rng.normal(size=(n, 6))
    x[3000, 2] = np.nan
    blocks, seg = _grid(t, x, rows, 256)
    _, ref = resample_uniform(t, x, 100.0)
    got = np.concatenate([b.values for b in blocks])
    np.testing.assert_array_equal(got, ref)
    assert [b.start for b in blocks] == list(range(0, seg.n, 256))
    assert all(len(b.values) == 256 for b in blocks[:-1])
