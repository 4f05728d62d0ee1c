"""Single-leg stance: slow, small weight shifts (issue 14). 3 cm in 2 s with balance corrections of
15 mg is inside the human range (3-12 cm, 0.5-2 s, 4-15 mg); 8 cm in 2.5 s is the slow side's
margin. Each hold must be found on its leg with its time right (hold-span rule: 80 % of the true
hold covered, at most 20 % outside it).

Such a shift moves at the rest tests' own speeds, so the velocity path holds the velocity at zero
through it (docs/analysis.md, "Known limits of the band walk and holds"); the holds are found from
the foot's edges (`stance_edges`), whose shift in and shift back are fitted as one pair: opposite
ways, durations within 1.5x, and only pairs that could be a weight shift (mean size >= the
detector's `min_shift_m`) choose the side. Before that, the side went to whichever pair explained
more acceleration, and a 0.4-0.5 s shape fitted to the foot-off or landing transient (3-6 mm)
took it: on main 4 of the 12 holds of seeds 3-5 at 3 cm / 2 s were found, 10 of 12 at 8 cm / 2.5 s.

Stop 30: the side is now the majority of three cues (`stance_side`), with the sensor's roll swing
taken out of the edge acceleration. At 3 cm in 2 s with 15 mg of balance corrections (the human
range's weakest shift against its strongest corrections) the cues disagree on some holds: those
are flagged `side_uncertain`, and 4 of the 12 (seeds 3-5) are on the wrong leg with the flag.
Stop 29 had them all on their leg, for the wrong reason (docs/analysis.md: the sensor's swing at
foot-off stood in for the shift's lost deceleration). A hold on the wrong leg must say so."""

import pytest

from bench.metrics import hold_span_right
from hiplevel.sim import match_reps

from stance_helpers import holds


@pytest.mark.parametrize("shift_m,shift_s,balance_mg", [(0.03, 2.0, 15.0), (0.08, 2.5, 6.0)])
@pytest.mark.parametrize("seed", (3, 4, 5))
def test_slow_small_shift_found(seed, shift_m, shift_s, balance_mg):
    sim, res, _ = holds(seed, shift_m=shift_m, shift_s=shift_s, balance_mg=balance_mg)
    m = match_reps(sim.reps, res.reps)
    right = [(t, r) for t, r in m.pairs if hold_span_right((t.start_s, t.end_s), (r.start_s, r.end_s))]
    assert len(right) == len(sim.reps) and not m.extra, f"{len(right)}/{len(sim.reps)} holds, {len(m.extra)} extra"
    assert all(t.side == r.side or "side_uncertain" in r.flags for t, r in m.pairs)
