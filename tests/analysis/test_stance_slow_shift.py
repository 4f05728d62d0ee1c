"""Single-leg stance: slow, small weight shifts with a hold's balance corrections (issue 14), a known
miss (strict xfail until fixed): 3 cm in 2 s with balance corrections of 15 mg is inside the human
range (3-12 cm, 0.5-2 s, 4-15 mg), yet on main only 4 of the 12 holds of seeds 3-5 are found with
their time right (hold-span rule: 80 % of the true hold covered, at most 20 % outside it).

Cause, as measured (docs/analysis.md, "Known limits of the band walk and holds"): a 2 s shift's velocity is one unipolar
hump, which the rest tests high-pass before judging it (`base.unmoving_mask` at 0.1 Hz against
5 cm/s, `base.quiet_mask` at 0.3 Hz against 3 cm/s): an 8 cm shift in 2 s peaks at 7.5 cm/s but
read 4.9 and 2.9 cm/s there (bench section 7, shift_s 2.0, seed 20261202), so it was taken for
standing, the sideways velocity held at zero through it and no move found; a 3 cm shift in 2 s
peaks at 2.8 cm/s, under both."""

import pytest

from bench.metrics import hold_span_right
from hiplevel.sim import match_reps

from stance_helpers import holds


@pytest.mark.xfail(strict=True, reason="slow small shifts held at zero velocity by the rest tests (issue 14)")
@pytest.mark.parametrize("seed", (3, 4, 5))
def test_slow_small_shift_with_balance_corrections_found(seed):
    sim, res, _ = holds(seed, shift_m=0.03, shift_s=2.0, balance_mg=15.0)
    m = match_reps(sim.reps, res.reps)
    right = [(t, r) for t, r in m.pairs if hold_span_right((t.start_s, t.end_s), (r.start_s, r.end_s))]
    assert len(right) == len(sim.reps) and not m.extra, f"{len(right)}/{len(sim.reps)} holds, {len(m.extra)} extra"
    assert all(t.side == r.side for t, r in right)
