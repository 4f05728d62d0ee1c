"""Single-leg stance (issue 14): a balance wander on one foot taken for the shift in or back inside
the edge path's lag (`stance_edges.EdgeSettings.edge_lag_s`, 6 s), so no other rule called the
velocity path's hold doubtful: the edge hold of its stretch, with the foot-off (foot-down) vote the
velocity hold lacks, starts (ends) more than `stance_merge.EDGE_LEAD_S` earlier (later) and
replaces it (`stance_merge.merge_edge_holds`, `edge_leads`)."""

import pytest

from test_stance_human_range import _holds, _whole


# Bench section 7 case seeds (`bench.robustness --seed N`): shift_s 2.0 at seeds 20261202 and 5
# (case seeds 20261270, 73: the shift in taken 4.3 s late), shift_m 0.02 at seeds 7 and 8 (24, 25).
@pytest.mark.parametrize("seed, strategy", [(20261270, {"shift_s": 2.0}), (73, {"shift_s": 2.0}),
                                            (24, {"shift_m": 0.02}), (25, {"shift_m": 0.02})])
def test_hold_not_started_or_ended_by_a_wander_inside_the_lag(seed, strategy):
    _whole(*_holds(seed, **strategy))
