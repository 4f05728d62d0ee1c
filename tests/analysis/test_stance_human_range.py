"""Single-leg stance across the human range of weight shifts and hold lengths (issue 14): every hold
found with the stance leg as its side, no extra, for the small (3 cm), slow (2 s) shifts and the
short (3 s) holds at the edges of how people move; a 3 s hold is flagged short.

Why they failed, as measured on the simulator (fixed by the edge-first search, `stance_edges`,
whose holds also replace the velocity path's doubtful ones):
- a 2 s shift of 8 cm peaks at ~12 mg; the fusion's rest test and the detector's own rest tests
  (`unmoving_mask`, `quiet_mask`) may take it for standing (the sideways velocity held at zero
  through the shift, no move found), and one velocity-path hold could span two holds' stretches;
- a 3 cm shift is the size of the pelvis' balance wanders on one leg (2-4 cm and back), so a
  wander next to the shift back can look like it, and a 3 cm shift in 1 s peaks at ~5 cm/s, under
  the rest tests' 5 cm/s: the velocity may be held at zero through it.
(Fixed: the accelerometer's scale and cross-axis errors left a 2-4 mg offset through a hold's
5-10 deg roll, which the straight-line drift correction turned into a 3-8 cm hump at foot-off and
foot-down: `lateral_motion.roll_offset_g`. 3 s holds: the shift back may start 2.7-3 s after the
shift in ends (min_hold_s 3 -> 2 s), and a shift in whose velocity drifts on the same way through
the hold (no anchor there) was merged with that drift into one hump too slow for a shift and
dropped (seed 5).)"""

import numpy as np
import pytest

from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session
from hiplevel.sim.strategies import HoldStrategy

from analysis_helpers import match
from stance_helpers import LONG_HOLD_SEED, all_found, holds, whole

SEEDS = (3, 4, 5)


def test_nominal_holds_found():
    """The classic person (8 cm in 1 s, 10 s holds): the reference the edge cases are held to."""
    for seed in SEEDS:
        all_found(*holds(seed))


def test_small_shift_found():
    """3 cm weight shifts in 1 s (the small end of people's 3-12 cm), in every set."""
    for seed in SEEDS:
        all_found(*holds(seed, shift_m=0.03))


def test_slow_shift_found():
    """8 cm weight shifts taking 2 s (the slow end of people's 0.5-2 s), in every set."""
    for seed in SEEDS:
        all_found(*holds(seed, shift_s=2.0))


def test_short_hold_found_and_flagged():
    """3 s holds: found in every set, and flagged short."""
    for seed in SEEDS:
        sim, res, matched = holds(seed, hold_s=3.0)
        all_found(sim, res, matched)
        assert all("short_hold" in r.flags for _, r in matched[0])


# The set in which the robustness sweep (bench section 7, seed 66202) lost a hold: the velocity
# bump of the roll coming back before foot-down ends 0.3 s before the shift back starts, and the
# two were taken for two moves (the first one then paired as the shift back).
SPLIT_BACK_SHIFT_SEED = 66219


@pytest.mark.parametrize("strategy", [{"shift_profile": "even"}, {"landing_mm": 0.5}, {}])
def test_shift_back_split_by_roll_return_is_one_move(strategy):
    """Each hold found when the shift back arrives in two humps the same way, a fraction of a
    second apart (even-speed shifts, soft landings)."""
    all_found(*holds(SPLIT_BACK_SHIFT_SEED, **strategy))


def _hump_mps(n: int, start: int, length: int, peak_mps: float) -> np.ndarray:
    v = np.zeros(n)
    v[start : start + length] = peak_mps * np.sin(np.linspace(0.0, np.pi, length))
    return v


def test_shift_back_after_velocity_drift_is_a_move():
    """A hold with no anchor (strong balance corrections) lets the velocity drift for seconds; the
    shift back right after that drift is a move, not the velocity settling after it."""
    from types import SimpleNamespace

    from hiplevel.exercises import DETECTORS

    det = DETECTORS["single-leg-stance"]
    rate = 100.0
    v = _hump_mps(1000, 100, 500, -0.2) + _hump_mps(1000, 600, 80, 0.08)  # 5 s of drift, then a 0.8 s move
    moves = det.moves(SimpleNamespace(rate_hz=rate), v)
    assert [(h.sign, round(size, 3)) for h, size in moves] == [(1, round(float(np.sum(v[600:680])) / rate, 3))]


def test_pair_passes_over_a_wander_that_is_no_hold():
    """The first opposite move after a shift onto the leg that does not make a hold (here: the
    caller rejects it) does not end the search: the next one is the shift back."""
    from hiplevel.exercises import DETECTORS
    from hiplevel.exercises.base import Hump

    det = DETECTORS["single-leg-stance"]
    shift_in = (Hump(1, 150, 0.1, 100, 200), 0.06)
    wander = (Hump(-1, 3050, 0.05, 3000, 3100), 0.03)
    back = (Hump(-1, 8050, 0.1, 8000, 8100), 0.06)
    moves = [shift_in, wander, back]
    assert det.pair(moves, 100.0) == [(shift_in[0], wander[0])]
    assert det.pair(moves, 100.0, accept=lambda a, b: b is not wander[0]) == [(shift_in[0], back[0])]


# Sets of the robustness sweep (bench section 7, seed 20261202: case seed 20261270) that lost a hold: balance
# corrections of 20 mg (no anchor through the holds, the velocity drifts, and the shift back after
# it was taken for its settling), 90 s holds (the pelvis wandering 4 cm and back mid-hold was paired
# as the shift back).
@pytest.mark.parametrize("seed, hold_s, strategy", [(20261270, 10.0, {"balance_mg": 20.0}), (20261270, 90.0, {})])
def test_holds_with_drift_or_mid_hold_wander_found(seed, hold_s, strategy):
    all_found(*holds(seed, hold_s=hold_s, **strategy))


# Sets of the robustness sweep (bench section 7, seed 20261202: shift_s 2 s is case seed 20261270,
# 3 s is 20261304) in which slow shifts gave holds on the wrong leg: the first half of the shift
# passed the rest tests (velocity held at zero), the foot lift's 8-9 deg roll left a few mg on the
# sideways axis, and the drift correction turned the rest of the shift into a 6-8 cm hump the other
# way. A hold may be missed there (test_slow_shift_found), never given to the other leg.
@pytest.mark.parametrize("seed, shift_s", [(20261270, 2.0), (20261304, 3.0)])
def test_slow_shift_never_names_the_wrong_leg(seed, shift_s):
    sim, res, (pairs, missing, extra) = holds(seed, shift_s=shift_s)
    assert [r.side for _, r in pairs] == [t.side for t, _ in pairs]
    assert not extra


def test_small_shift_overrun_by_lift_drift_gives_no_wrong_leg():
    """The threshold sweep's 3 cm case (bench section 7, seed 20261202: battery seed 20262203) with
    partner_ratio x0.7: the lift's drift made a 7 cm hump toward the free side right after the
    true 3 cm shift, and the first hold went to the wrong leg."""
    import dataclasses

    from hiplevel.analysis.offline import motion_of, score_windows
    from hiplevel.exercises import DETECTORS
    from hiplevel.scoring import Thresholds
    from hiplevel.signal.neutral import neutral_roll
    from hiplevel.signal.orientation import trace_from_series

    seed = 20262203
    mount = tuple(float(x) for x in np.random.default_rng([seed, 7]).uniform(-3.0, 3.0, 3))
    sim = simulate_session(SessionSpec(
        [ExerciseSpec("single-leg-stance", reps=4, weak_side="left", drop_deg=8.0, hold_s=10.0, sway_deg=0.4,
                      strategy=HoldStrategy(shift_m=0.03))],
        rate_hz=100.0, seed=seed, mount_offset_deg=mount, rest_s=4.0))
    tr = trace_from_series(sim.imu)
    m = motion_of(tr, 0, len(tr.t_s), neutral_roll(tr.roll_deg, tr.standing))
    det = dataclasses.replace(DETECTORS["single-leg-stance"], partner_ratio=0.7 * DETECTORS["single-leg-stance"].partner_ratio)
    pairs, _, extra = match(sim.reps, score_windows("single-leg-stance", m, det.detect(m), Thresholds()))
    assert [r.side for _, r in pairs] == [t.side for t, _ in pairs]
    assert not extra


# Sets of the robustness sweep (bench section 7, seed 20261202: case seeds 66202 + 17 i) that lost
# holds to the roll-following offset and the fusion's loss of slow shifts (see the module doc): 2 s
# shifts (all 4 lost), sway of 1.5 deg SD (1 of 4), balance corrections of 15 and 25 mg (1 and 2 of
# 4, and an extra).
@pytest.mark.parametrize("seed, sway_deg, strategy", [
    (66270, 0.4, {"shift_s": 2.0}), (66270, 1.5, {}), (66253, 0.4, {"balance_mg": 15.0}),
    (66287, 0.4, {"balance_mg": 25.0})])
def test_sweep_sets_with_slow_shift_or_strong_sway_found(seed, sway_deg, strategy):
    all_found(*holds(seed, sway_deg=sway_deg, **strategy))


def test_roll_offset_fitted_from_calm_runs_at_two_roll_levels():
    """A 3 % sideways scale error reads 4.6 mg at 9 deg of roll: fitted from the calm runs' means
    (standing level and on one leg) and given back along the roll; nothing to fit (zero) when all
    calm runs stand at one roll level."""
    from hiplevel.exercises.lateral_motion import roll_offset_g

    rate = 100.0
    roll = np.r_[np.zeros(300), np.linspace(0.0, 9.0, 100), np.full(800, 9.0), np.linspace(9.0, 0.0, 100), np.zeros(300)]
    true_acc = 0.01 * np.sin(np.arange(len(roll)) / rate * 2 * np.pi * 1.3)  # sway: mean zero over the runs
    offset = 0.03 * np.sin(np.radians(roll))
    calm = np.ones(len(roll), dtype=bool)
    calm[300:400] = calm[1200:1300] = False  # the roll moving: foot-off and foot-down
    got = roll_offset_g(true_acc + offset, roll, calm, rate)
    assert np.max(np.abs(got - offset)) < 0.6e-3  # g
    assert not np.any(roll_offset_g(true_acc + offset, np.zeros(len(roll)), calm, rate))


def test_standing_sway_reference_is_both_sides_not_the_quieter():
    """Quiet standing that sways 4x more on one side of a would-be hold than on the other: the
    reference is their geometric mean (2x the quieter side), so the stretch between, swaying like
    the louder side, is no clear single-leg sway (the quieter side alone made it one: quiet
    standing seed 2 of tests/analysis/test_no_exercise_scenes.py, a false hold)."""
    from hiplevel.exercises.single_support import SupportSignals, reference_sway

    rate = 100.0
    rng = np.random.default_rng(1)
    level = np.r_[np.full(400, 1.0), np.full(1000, 1.0), np.full(400, 0.25)]
    x = rng.normal(0.0, 1.0, len(level)) * level
    s = SupportSignals(x, 1e-3 * x, 1e-2 * x)
    rr, ll = reference_sway(s, rate, [(0, 400), (1400, 1800)])
    assert 0.4 < rr < 0.6 and 0.4e-3 < ll < 0.6e-3


# Issue 14, item 3: the robustness table's single-leg-stance misses (bench section 7, --seed 20261202:
# case seeds 66202 + 17 i). People shift their weight by 3-12 cm in 0.5-2 s and correct their
# balance on one foot by 4-15 mg; with margin the detector must find every hold at a 2-3 cm shift,
# a 2.5 s shift and 20 mg corrections. Why the velocity humps alone missed them, measured on these sets:
# - the detector's rest tests (`calm`: `unmoving_mask` 5 cm/s on a 0.1 Hz high-passed velocity,
#   `quiet_mask` 3 cm/s at 0.3 Hz) sit at the shifts' own peak speed (8 cm in 2.5 s: 6 cm/s,
#   3.5 cm/s after the high-pass; 3 cm in 1 s: 5.6 cm/s, 3 cm/s after it), so the velocity is held
#   at zero through the shift (2.5 s set: one calm run from 0 to 22 s over the first shift, the
#   hold and the shift back) although the levelled sideways acceleration follows the truth within
#   ~2 mg. Lowering those speeds (3 or 2 cm/s, with or without a 1.5 cm least size, with or without
#   the roll's offset removed first) loses holds elsewhere: 9-30 failing cases of 41, against 6;
# - where the shift is in the velocity depends on where it is anchored. Anchored exactly at the
#   shift's edges (an oracle: the velocity held at zero until 0.5 s before the true shift starts and from 0.5 s
#   after foot-off; 4 sets, 32 shifts each) the integrated shift reads 2.0 cm (5-95 %: 0.3-3.6) for
#   2 cm, 7.4 (5.8-9.2) for 8 cm, 6.7 (3.4-9.9) for 8 cm in 2.5 s, never the wrong sign. Anchored
#   3.5 s around each foot-off and foot-down (no standing left between holds), 41 % of 2 cm shifts
#   read the wrong sign; the same displacement taken over every 0.5-3 s window with the velocity
#   zero at the window's edges reads 10-23 cm (95th percentile) inside holds, whose sway moves the
#   pelvis at 2-3 cm/s at any instant. So the displacement cue works only with the shift's edges
#   found first, by cues of their own (the quiet standing before, the foot leaving), not by a scan.
#   With those oracle anchors the detector as it is finds 4/4 (2.5 s), 4/4 (3 cm), 3/4 (3 s),
#   1/4 (2 cm) and 3/4 (20 mg, one on the wrong leg); anchored 3.5 s around each foot-off and
#   foot-down instead, 0-3 of 4, some on the wrong leg. A cue not tied to velocity edges: the
#   least-squares size of a min-jerk shift's acceleration profile (duration tau) centred at each
#   sample, on the levelled acceleration less its roll offset. At tau = 1 s it reads 7.9-8.3 cm for
#   8 cm shifts, 2.4-3.3 for 3 cm, 1.5-2.8 for 2 cm; inside holds 1.3-2.2 cm (95th percentile; 20 mg:
#   up to 4.1), in standing at most 0.9. At tau = 2.5 s: 4.2-8.6 cm for 8 cm in 2.5 s, but 4.9-7.2
#   (95th percentile) inside holds and up to 3.9 in standing: a slow shift stands out only where
#   it starts from, or ends in, quiet standing. Taking the samples of such fitted shifts (the
#   best-fitting tau at each sample, at least 1.5 cm and 3x the 10 s median) out of the anchors
#   loses holds everywhere else (31 failing cases of 41): the pairing, merging and roll checks
#   downstream are built on the present anchors, so the cue needs a detector built around it;
# - 20 mg: the corrections fail the rest tests through the third hold (no anchor from 37.1 to
#   46.6 s), and the straight-line drift correction over those 9.5 s leaves its 8 cm shift back as a
#   1.8 cm hump and an opposite 1.9 cm one; its shift in then pairs with the next hold's shift in
#   (`one_level` rejects that).
# Fixed by finding each hold from its edges first (`exercises.stance_edges`): the stretch on one foot,
# foot-off and foot-down from the jolts, and the shift in and back fitted there as minimum-jerk moves
# of opposite ways; the pair's mean size is the shift's.
EDGE_CASES = [(66219, {"shift_m": 0.02}), (66236, {"shift_m": 0.03}), (66287, {"shift_s": 2.5}),
              (66270, {"balance_mg": 20.0})]


@pytest.mark.parametrize("seed, strategy", EDGE_CASES, ids=["shift_2cm", "shift_3cm", "shift_2.5s", "balance_20mg"])
def test_holds_at_the_margin_of_the_human_range_found(seed, strategy):
    """Every hold found on the right leg, no extra: 2 and 3 cm shifts, a 2.5 s shift, 20 mg balance
    corrections on one foot."""
    all_found(*holds(seed, **strategy))


@pytest.mark.parametrize("size_m, tau_s, sign", [(0.02, 1.0, 1), (0.08, 2.5, -1), (0.03, 0.75, -1)])
def test_min_jerk_shift_fit_reads_size_and_way(size_m, tau_s, sign):
    """A minimum-jerk shift inside a stretch of balance corrections (4 mg RMS, 1-3 Hz): its way
    and size (within 20 %) and its span (within 0.2 s) are read from the acceleration alone."""
    from hiplevel.exercises.single_support import band
    from hiplevel.exercises.stance_edges import min_jerk_accel, shift_fits

    rate = 100.0
    rng = np.random.default_rng(2)
    acc = band(rng.normal(0.0, 1.0, 1000), rate, 1.0, 3.0)
    acc *= 0.004 * 9.80665 / np.std(acc)
    k = sign * size_m * min_jerk_accel(tau_s, rate)
    acc[300 : 300 + len(k)] += k
    fits = {s: [f for f in shift_fits(acc, 100, 800, rate, (0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0), s) if f is not None]
            for s in (1, -1)}
    got = {s: max(f, key=lambda x: x[2]) if f else None for s, f in fits.items()}  # the best of each way
    hump, size, explained = got[sign]
    assert got[-sign] is None or got[-sign][2] < explained
    assert abs(size - size_m) < 0.2 * size_m
    assert abs(hump.onset - 300) <= 20 and abs(hump.offset - (300 + len(k) - 1)) <= 20


# More sweep sets (bench section 7 run with --seed 20261203 and 20261204: case seeds 67202 + 17 i and
# 68202 + 17 i) whose slow shifts the velocity humps miss (c1f960d: 1, 0 and 0 of 4 found). Found
# from the edges: the stretch on one foot there runs 2-3 s past foot-down (the slow shift back), and
# the last jolt over the votes' level was the shift back's own, 1.4 s after the foot came down; the
# foot-down is the largest jolt near the stretch's end.
@pytest.mark.parametrize("seed, strategy", [(68270, {"shift_s": 2.0}), (68287, {"shift_s": 2.5}),
                                            (67304, {"shift_s": 3.0})])
def test_slow_shift_holds_found_from_their_edges(seed, strategy):
    all_found(*holds(seed, **strategy))


# Sets of the robustness sweep over 3 seeds (bench section 7, case seeds 67270, 68270, 68287) in
# which the velocity path took the standing between two holds for a hold (a foot lifted 1.5 s
# after the shift), or split one hold in two (20-25 mg balance corrections, no anchor through the
# hold): the stretches on one foot, split at the standing between holds, tell those holds doubtful
# and the edge path's hold of the stretch replaces them.
@pytest.mark.parametrize("seed, strategy", [(67270, {"lift_lag_s": 1.5}), (68270, {"balance_mg": 20.0}),
                                            (68287, {"balance_mg": 25.0})])
def test_hold_spanning_standing_or_split_replaced(seed, strategy):
    all_found(*holds(seed, **strategy))


# Sets of section 7's movement cases on other simulated people (`bench.robustness --seed 6` and 8:
# case seeds 57 and 25) in which one hold came out as two on the same leg: the pelvis wandered
# mid-hold and the wander's two moves were paired as a shift back and a shift in. The first half
# had no foot-down, the second no foot-off: the foot never came down between.
@pytest.mark.parametrize("seed, hold_s, strategy", [(25, 10.0, {"shift_profile": "even"}), (57, 60.0, {})])
def test_hold_split_by_a_wander_is_one_hold(seed, hold_s, strategy):
    all_found(*holds(seed, hold_s=hold_s, **strategy))


# Holds of 90 s with 5 s between them: the set is 95 % on one foot, so its quietest tenth of
# sideways corrections (the edge search's quiet standing, `stance_edges.stretches_on_one_foot`) was itself
# on one foot (4-7x the standing between holds), the steady parts of each hold read as standing and
# each hold was cut into 3-8 stretches without edges; a wander then cut one velocity-path hold and
# the hold after it was missed (bench section 7 hold_s 90 s, seed 70). Fixed: quiet standing is at
# most sway_ratio times the set's quietest 1.5 s (`stance_edges.standing_corrections`).


def test_long_holds_are_one_stretch_on_one_foot_each():
    """90 s holds: each hold is one stretch on one foot, and every hold is found on its leg."""
    from hiplevel.analysis.offline import motion_of
    from hiplevel.exercises.single_support import SupportSignals
    from hiplevel.exercises.stance_edges import stretches_on_one_foot
    from hiplevel.signal.fusion import roll_pitch_to_up
    from hiplevel.signal.neutral import neutral_roll
    from hiplevel.signal.orientation import trace_from_series

    sim, res, matched = holds(LONG_HOLD_SEED, hold_s=90.0)
    all_found(sim, res, matched)
    tr = trace_from_series(sim.imu)
    m = motion_of(tr, 0, len(tr.t_s), neutral_roll(tr.roll_deg, tr.standing))
    vert = np.sum(m.acc_lin_g * roll_pitch_to_up(m.roll_deg, m.pitch_deg), axis=1)
    sig = SupportSignals.of(m.gyro_dps[:, 0], m.acc_lin_g[:, 1], vert, m.rate_hz)
    stretches = [(a / m.rate_hz, b / m.rate_hz) for a, b in stretches_on_one_foot(sig, m.rate_hz, 2.0)]
    for t in sim.reps:
        inside = [(a, b) for a, b in stretches if a < t.end_s and t.start_s < b]
        assert len(inside) == 1, f"hold {t.start_s:.1f}-{t.end_s:.1f} s in {len(inside)} stretches"
        assert inside[0][0] <= t.start_s + 2.0 and inside[0][1] >= t.end_s - 2.0


# Sway SD 1.8-2.2 deg on one leg (bench section 7 sway_deg 1.8 on case seeds 87 and 91, 2.2 on 104
# and 20261304: 3 or 2 of 4 holds found before): the roll's 1 s medians wander over 6-10 deg in one
# hold, and `stance_roll.one_level` took that for two holds in one (max_level_change_deg 7). A level
# change now rejects a hold only with standing on both feet inside it: the sway down to standing's
# (the stretches on one foot split), a shift inside, or the roll back at the standing's level.
@pytest.mark.parametrize("seed, sway_deg", [(87, 1.8), (91, 1.8), (104, 2.2), (20261304, 2.2)])
def test_high_sway_hold_is_one_hold(seed, sway_deg):
    whole(*holds(seed, sway_deg=sway_deg))


# ...while the foot put down between two holds on one leg still ends the first: 1 s of standing
# between them, the weight shifted by 3 cm (no stretch of standing sway between: the 1 s windows
# around it hold the shifts).
@pytest.mark.parametrize("sway_deg", [0.4, 2.2])
def test_foot_put_down_between_holds_on_one_leg_splits_them(sway_deg):
    for seed in (1, 3, 5):
        sim, res, _ = holds(seed, sway_deg=sway_deg, side="left", pause_s=1.0, shift_m=0.03)
        for r in res.reps:
            spanned = [t for t in sim.reps if t.start_s < r.end_s and r.start_s < t.end_s]
            assert len(spanned) <= 1, f"seed {seed}: a hold {r.start_s:.1f}-{r.end_s:.1f} s over {len(spanned)} holds"


# Sway SD 1.5 deg (bench section 7, seed 5): the roll sway drifted the velocity 18 cm over 3.3 s
# right after the first hold's shift back, a "move the other way" next to that shift back and the
# second hold's shift in, so neither stood level (`stance_roll.stood_level`) and both holds were
# lost. A move longer than max_shift_s is the velocity drifting, not a weight shift.
def test_velocity_drift_next_to_a_shift_is_no_move_from_standing():
    whole(*holds(5, sway_deg=1.5))
