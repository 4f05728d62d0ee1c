"""Which leg the reps of a single-leg lowering set (step-down, single-leg squat) are on, from how far
the pelvis moved sideways between them (issue 14, physics check).

Why not the speed of the moves alone (`step_down.shift_evidence`): a slow weight shift (1-1.5 s) peaks
at a third of its true speed after the lateral filters (an 8.2 cm shift in 1.2 s, true peak 0.10 m/s,
read 0.036 m/s and then swung to -0.044), while balance corrections on one leg (1-3 Hz, 0.05-0.09 m/s)
and the sideways moves within a rep (knee valgus, trunk lean: up to 3 cm toward either side) pass
whole and outweigh it. And a person who stays on the stance leg between reps (the step-down test's
protocol) shifts once for five reps: the reps in between have no shift of their own.

The displacement does not care how fast the shift was: from the standing before a rep to its start,
the sideways acceleration double-integrated with its mean off (`stance_side.displacement_m`; the
median of windows sliding half a second either way, so that the balance corrections at their ends
average out and a window ending in a fast move, far off, does not count) is the shift onto the
stance foot, and from its end to the standing after it the shift back; the rep's own sideways moves
lie outside both. A set is done on one leg (domain primer): reps with no clear shift between them
form a run on one leg, whose side is the sum of its reps' displacements (a run of five hover reps:
the shift in before the first and the shift back after the last).
"""

from __future__ import annotations

import numpy as np

from hiplevel.exercises.stance_side import sliding_displacements_m
from hiplevel.signal.exact_median import median, unique

# The displacement windows slide this far in all (half before, half after their place), in steps of
# SLIDE_STEP_S: a second holds one to three periods of the balance corrections on one leg.
SLIDE_S = 1.0
SLIDE_STEP_S = 0.1
# A displacement this large between two reps is a weight shift (3-12 cm across issue 14's range,
# hiplevel.sim 4-8 cm); sway and the corrections on one leg move the pelvis 2-3 mm (SD): two reps
# with no such shift between them are on the same leg.
RUN_SPLIT_M = 0.015


def rep_shift_windows_m(acc_mps2: np.ndarray, spans: list[tuple[int, int, int, int]], rate_hz: float
                        ) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each rep (start of the standing before it, its onset, its offset, end of the standing
    after it; sample indices) the sideways displacements, m (+ = leftward), of the windows from the
    standing to the onset and from the offset to the standing, each sliding SLIDE_S about its place
    in steps of SLIDE_STEP_S (`stance_side.sliding_displacements_m`; zeros where the standing is empty).
    acc_mps2: the pelvis's sideways acceleration, m/s^2."""
    slide, step = int(SLIDE_S * rate_hz), max(1, int(SLIDE_STEP_S * rate_hz))
    h = slide // 2

    def slid(a: int, b: int) -> np.ndarray:
        return sliding_displacements_m(acc_mps2, a - h, b - h, rate_hz, slide, step)

    empty = np.zeros(len(range(0, slide + 1, step)))
    return [(slid(lo, a) if a > lo else empty, slid(b, hi) if hi > b else empty) for lo, a, b, hi in spans]


def rep_shifts_m(windows: list[tuple[np.ndarray, np.ndarray]]) -> list[tuple[float, float]]:
    """Each rep's displacement in and out, m (+ = leftward): the median of its sliding windows
    (`rep_shift_windows_m`). Why the median, not the mean: a window whose end falls in a fast move
    reads its length times half the move's speed short (hiplevel.sim's step-down shifts in the
    rep's first and last 0.3 s at up to 0.25 m/s: +27 and +38 cm on 3.5 s windows against -6..+3 cm
    for the others)."""
    # (`exact_median.median`: np.median's values without its import of numpy.ma, 20-30 ms a process.)
    return [(float(median(w_in)), float(median(w_out))) for w_in, w_out in windows]


def run_starts(shifts: list[tuple[float, float]], new_set: list[bool]) -> list[bool]:
    """Whether each rep starts a run (`run_signs`): the first, one after a set break (new_set), or
    one with a displacement of RUN_SPLIT_M between it and the previous rep (that rep's shift out or
    its own shift in, m, `rep_shifts_m`)."""
    return [i == 0 or new_set[i] or abs(shifts[i - 1][1]) >= RUN_SPLIT_M or abs(shifts[i][0]) >= RUN_SPLIT_M
            for i in range(len(shifts))]


def run_spans(shifts: list[tuple[float, float]], new_set: list[bool]) -> list[tuple[int, int]]:
    """The runs (`run_starts`) as [first, end) rep indices, in order."""
    starts = [i for i, first in enumerate(run_starts(shifts, new_set)) if first]
    return list(zip(starts, starts[1:] + [len(shifts)]))


def run_signs(shifts: list[tuple[float, float]], new_set: list[bool]) -> list[float]:
    """The stance side of each rep (+ left, - right, 0 unclear), as its share of its run's
    displacement (+-1 / the run's length), from its shifts (`rep_shifts_m`):
    a rep with a shift in of RUN_SPLIT_M whose shift out does not outweigh it the other way takes the
    sign of its shift in less its shift out; the others take their run's, where a run is the reps in
    a row with no displacement of RUN_SPLIT_M between them (the previous rep's out or this one's in)
    and no set break (new_set), and its sign the sum of its reps' shifts in less their shifts out;
    under RUN_SPLIT_M it is unclear (hiplevel.sim's step-down shifts within the rep's first and last
    0.3 s: a fast rep's windows miss most of it, 0-0.8 cm). Why a rep needs its shift in to decide
    alone: the window after a set's last rep read 3-4 cm the wrong way at times (hiplevel.sim: a
    deep squat with 1 cm shifts, a step-down at 200 Hz), the person re-standing for the rest and the
    fused tilt still settling; and why not the shift in alone: a squat's in-window read 2 cm the
    wrong way once (its shift out 7.4 cm the right way). Why a share: a run's reps read the same
    windows (the shift in before its first rep and out after its last; a hover set's five reps
    have no others), so one window read the wrong way must count once for the run, not once per
    rep, or it outweighs every rep's own roll (hiplevel.sim, hover, 1.0 s shifts: a whole leg of 5
    reps on the wrong leg, unflagged); the chain of legs (`left_probabilities`) adds the shares
    up again where the reps agree."""
    own = [d_in - d_out for d_in, d_out in shifts]
    signs: list[float] = []
    for start, end in run_spans(shifts, new_set):
        e = sum(own[start:end])
        signs.extend([float(np.sign(x if abs(d_in) >= RUN_SPLIT_M and d_in * x > 0 else e if abs(e) >= RUN_SPLIT_M
                                    else 0.0)) / (end - start)
                      for x, (d_in, _) in zip(own[start:end], shifts[start:end])])
    return signs


def held_in_run(shifts: list[tuple[float, float]], new_set: list[bool], signs: list[float]) -> list[bool]:
    """Whether the chain of legs (`left_probabilities`) holds each rep on the previous rep's leg
    (SWITCH_IN_RUN_P): the two are in one run (`run_starts`) with the same clear side (signs,
    `run_signs`), and the run's displacement was read at both its ends: its first rep's shift in and
    its last rep's shift out each of RUN_SPLIT_M, the one toward its side and the other away (m,
    `rep_shifts_m`), the hover protocol's one shift in and one shift back for a leg's reps. Why
    both ends: a run also forms where the windows missed the shifts of reps done touching down
    between them (a slow shift reads under RUN_SPLIT_M), and such a run may hold the change of leg
    (physics check, both seeds, squats: a leg's last rep held with the next leg's four at confidence
    1.0, and two hikes of a leg's end held with its next leg's first rep); its reps stay linked at
    SWITCH_P, each on its own cues."""
    held = [False] * len(shifts)
    for start, end in run_spans(shifts, new_set):
        side = float(np.sign(signs[start]))
        if side != 0.0 and shifts[start][0] * side >= RUN_SPLIT_M and -shifts[end - 1][1] * side >= RUN_SPLIT_M:
            for k in range(start + 1, end):
                held[k] = signs[k] * side > 0
    return held


# A displacement is the median of its sliding windows (`rep_shift_windows_m`), each off by its length
# times the mean velocity at its ends: on one leg the balance corrections (1-3 Hz, 0.5-3 mm: up to
# 0.04 m/s) make that cm over a 2 s window, and where fewer than DISPLACEMENT_AGREE_SHARE of the
# windows read the median's side, the median is itself a draw of them. Measured on main cba4d15
# (physics check seeds 0 and 1, both exercises, 1,711 reps with a clear displacement deciding): from
# 0.8 right in 1,426 of 1,435 (99.4 %, above DISPLACEMENT_LOG_ODDS); under 0.8 in 256 of 276 (92.8 %:
# 2.5 log-odds): 20 of the 29 displacements read the wrong way. A displacement in doubt still counts,
# at DISPLACEMENT_DOUBT_LOG_ODDS: level with a sure roll, no longer above it.
DISPLACEMENT_AGREE_SHARE = 0.8
DISPLACEMENT_DOUBT_LOG_ODDS = 2.5


def displacement_agreement(windows: list[tuple[np.ndarray, np.ndarray]], shifts: list[tuple[float, float]],
                           new_set: list[bool]) -> list[float]:
    """For each rep, the share of the sliding windows (`rep_shift_windows_m`) that read the side
    its displacement gives (`run_signs`): of its own (in less out, window by window) where its shift
    in decides, else of its run's summed; 1.0 where none is clear (nothing to doubt)."""
    own = [d_in - d_out for d_in, d_out in shifts]
    agree = [1.0] * len(shifts)
    for start, end in run_spans(shifts, new_set):
        e = sum(own[start:end])
        e_win = sum(w_in - w_out for w_in, w_out in windows[start:end])
        for k in range(start, end):
            d_in, x = shifts[k][0], own[k]
            if abs(d_in) >= RUN_SPLIT_M and d_in * x > 0:
                w, side = windows[k][0] - windows[k][1], np.sign(x)
            elif abs(e) >= RUN_SPLIT_M:
                w, side = e_win, np.sign(e)
            else:
                continue
            agree[k] = float(np.mean(np.sign(w) == side))
    return agree


# The roll on one leg around the rep (a cue of its own): between the shift onto the stance foot and
# the lowering, and between the return and the shift back, the free side already hangs lower (the
# single-leg stance drop, domain primer; the physics check draws 0-3 deg per set, whatever the rep
# does). A hike is the rep's own move, growing with its depth, so the standing at its edges is not
# hiked as far. Over EDGE_ROLL_S before the onset and after the offset (the mean of the two sides),
# on the physics check (seeds 0 and 1, both exercises, 1,786 reps, main cba4d15): right in 1,172 of
# 1,172 from 1 deg (235 hikes among them), 889 of 889 from 1.5 (190 hikes), 430 of 432 at 0.75-1.5;
# under 0.5 deg it is the sway's (61 %). hiplevel.sim's squat holds a fifth of the rep's roll on one
# leg around it, a hike's too: a 5 deg hike (its human range's end) reads 1 deg there the wrong way,
# so the cue counts from EDGE_ROLL_DEG, 1.5x that (1.0-2.0 deg and 1.5-3 log-odds read the same on
# the physics check), with EDGE_ROLL_LOG_ODDS: under a displacement, so it decides where the rep's
# own cues split and leaves the rest in doubt, not overruled.
EDGE_ROLL_S = 0.4
EDGE_ROLL_DEG = 1.5
EDGE_ROLL_LOG_ODDS = 2.0


def edge_rolls_deg(roll_deg: np.ndarray, spans: list[tuple[int, int, int, int]], rate_hz: float) -> list[float]:
    """For each rep (spans as `rep_shift_windows_m`: the standing before it, its onset, its offset,
    the standing after it; sample indices) the mean roll, deg (+ = left side higher), over
    EDGE_ROLL_S before its onset and after its offset within its standing: the mean of the two
    sides' (of the one there is; 0 where neither has a sample)."""
    n = max(1, int(EDGE_ROLL_S * rate_hz))
    out = []
    for lo, a, b, hi in spans:
        sides = [seg for seg in (roll_deg[max(lo, a - n) : a], roll_deg[b + 1 : min(hi, b + 1 + n)]) if len(seg)]
        out.append(float(np.mean([np.mean(seg) for seg in sides])) if sides else 0.0)
    return out


# The roll cue (independent of the sideways acceleration): the free side hangs lower through a rep,
# so the mean re-aligned roll over the rep points to the stance leg. It counts from ROLL_CUE_DEG:
# above quiet sway averaged over a 1.5-4 s rep (SD 0.2-1 deg: its mean < 0.5 deg) and the belt's
# slip after the calibration (human range +-1 deg, hiplevel.sim), below the mean of a 2-10 deg drop
# (1-5 deg). From ROLL_SURE_DEG it is beyond any hip hike read the other way (hikes of 1.5-5 deg
# peak; on the physics check the hikes' mean roll reached 2.4 deg toward the wrong leg, with the
# belt's slip 1-2 deg more).
ROLL_CUE_DEG = 1.0
ROLL_SURE_DEG = 3.0
# From ROLL_CERTAIN_DEG no hike explains the roll: a hike of 5 deg peak held through the whole rep with
# the belt's slip of 1 deg (the hikes' mean roll reached 2.9 deg the wrong way on the physics check,
# seeds 0 and 1, both exercises; none of 1,707 reps beyond that) -- only a drop of the free side, a
# 9-10 deg drop's mean. It then outweighs the rep's acceleration cues together (a displacement and the
# moves, 4.7): a 13 deg drop read as a hike of the other leg is the worst report there is (physics
# seed 0 squat case 13: its displacement share and moves against it). Right in all 606 reps from 6
# deg (ln 607 = 6.4).
ROLL_CERTAIN_DEG = 6.0
ROLL_CERTAIN_LOG_ODDS = 6.0
# What each cue's side is worth, as the log-odds of it being the right leg (natural log; a rep's
# cues add up). Measured on main c7f0724 (physics check seeds 0 and 1, both exercises, 1,707 reps):
# a clear displacement (`run_signs`) right in 98.2 % (1,590 of 1,619: 4.0); the roll from
# ROLL_SURE_DEG in all 1,133 (capped under the displacement: a hike past 3 deg is within the human
# range, and a sure roll alone must not overrule a clear displacement, only with the moves; from
# ROLL_CERTAIN_DEG, beyond any hike, it does); the
# roll from ROLL_CUE_DEG in 73 % (240 of 327: 1.0); the moves (`step_down.shift_evidence`) in 70 %
# (0.85) but 52 % where no displacement is clear (they share its acceleration): under the roll cue.
DISPLACEMENT_LOG_ODDS = 4.0
ROLL_SURE_LOG_ODDS = 3.5
ROLL_CUE_LOG_ODDS = 1.0
MOVE_LOG_ODDS = 0.7
# A set stands on one leg (domain primer): the leg changes between two reps with this probability
# where no rest lies between them (a set of 5-10 reps per leg: at most one change in 10-20 reps; the
# physics check changed legs without a longer gap in 83 of 1,414), and with an even chance across a
# rest (a break, `lowering_reach.SET_GAP_RATIO`: the next set may be either leg's).
SWITCH_P = 0.05
SWITCH_AT_BREAK_P = 0.5
# ... and within a run read at both ends (`held_in_run`: a shift in before its first rep and back
# after its last, none of RUN_SPLIT_M between its reps, so the free foot stayed up), with this: the run
# is one observation of its leg, its displacement counted once (`run_signs`' shares) and its reps'
# rolls and moves added to it (0.01 read the same on the physics check and hiplevel.sim; a run
# free to change leg at SWITCH_P lets a middle rep's share, 0.8 of 5, fall under the flag).
SWITCH_IN_RUN_P = 0.0


# Both legs of a stream rolling the same way (issue 14). The free side drops in single-leg support, so
# a leg's reps roll toward it (+ on the left leg, - on the right) -- unless the leg hikes (the free
# side rises: the compensation the domain primer reports as a negative drop, and flags) or the neutral
# is off by more than the leg's drop (the belt slipped after the calibration). Then that leg's reps
# roll toward the other leg in every rep, agree with each other, and the chain of legs holds the whole
# set there (hiplevel.sim, step-down touching down, 1.4 s shifts, 15 mg, the weak leg hiking 5 deg:
# 29 of its 50 reps on the other leg, 15 at 0.95 or more, on main 7aea8f7). A set (the reps between
# two breaks, `lowering_reach.SET_GAP_RATIO`) whose displacements name one leg (their runs' shares,
# `run_signs`, summing to SET_SHIFT_RUNS: a run's displacement, read on its own windows) while its
# median roll names the other by SET_ROLL_DEG (where the roll starts to count, ROLL_CUE_DEG; the hiking
# sets' medians read 2.5-3.9 deg the wrong way at 5 deg hikes, 1.8-2.4 at 3 deg), in a stream where
# another set's displacements name that other leg and its median roll leans toward it at all (the
# hiking sessions' other legs, 0-3 deg drops, read 0.22-1.96 deg: a floor there has no margin; 0.25
# turned no rep's side, 0.5 put 10 reps back on the wrong leg), has both legs rolling one way: its
# roll is the compensation, not its side, and counts nothing under ROLL_CERTAIN_DEG (no hike reaches
# that). A leg whose one displacement was read the wrong way names the same leg as the other set, so
# no such pair forms; the rule misfires only where both sets stand on one leg and one set's
# displacement reads the other way (hiplevel.sim: none of 100 such sessions, 1,000 reps, changed;
# docs/analysis.md, lowering round "lower38").
SET_SHIFT_RUNS = 1.0
SET_ROLL_DEG = ROLL_CUE_DEG


def rolls_in_doubt(runs: list[float], rolls_deg: list[float], new_set: list[bool]) -> list[bool]:
    """Whether each rep's roll is its leg's compensation, not its side (see SET_SHIFT_RUNS): its set
    (the reps from one break, new_set, to the next) has displacements naming one leg (runs,
    `run_signs`: + left, - right, summed to SET_SHIFT_RUNS) and a median roll (rolls_deg, deg, + =
    left side higher) naming the other by SET_ROLL_DEG, while another set's displacements name that
    other leg and its median roll leans toward it (both legs rolling one way)."""
    set_id = np.cumsum(new_set)
    sets = []  # (its reps, the leg its displacements name, its median roll toward that leg, deg) per set
    for k in unique(set_id):  # `exact_median`'s, not numpy's unique and median: they import numpy.ma
        idx = np.flatnonzero(set_id == k)
        shift = round(float(np.sum(np.asarray(runs, float)[idx])), 6)  # shares of 1/3 sum to 0.999...
        side = float(np.sign(shift)) if abs(shift) >= SET_SHIFT_RUNS else 0.0
        sets.append((idx, side, side * float(median(np.asarray(rolls_deg, float)[idx]))))
    doubt = [False] * len(runs)
    for idx, side, roll in sets:
        if side != 0.0 and roll <= -SET_ROLL_DEG and any(s == -side and r > 0.0 for _, s, r in sets):
            for i in idx:
                doubt[i] = True
    return doubt


def rep_log_odds(run: float, move_mps: float, roll_deg: float, agreement: float = 1.0,
                 edge_roll_deg: float = 0.0, roll_in_doubt: bool = False) -> float:
    """A rep's own evidence for the left leg, log-odds (+ = left stance) from its cues: run,
    the displacement's side (`run_signs`: + left, - right, 0 unclear; its share of the run's) and
    agreement, the share of its windows that read that side (`displacement_agreement`: under
    DISPLACEMENT_AGREE_SHARE it is worth DISPLACEMENT_DOUBT_LOG_ODDS); move_mps, the sideways moves
    around it (`step_down.shift_evidence`, m/s, + = left, 0 where under a clear move's speed);
    roll_deg, its mean roll (deg, + = left side higher = left stance: worth ROLL_CUE_LOG_ODDS,
    ROLL_SURE_LOG_ODDS or, beyond any hike, ROLL_CERTAIN_LOG_ODDS); edge_roll_deg, the roll on
    one leg at its edges (`edge_rolls_deg`, deg: EDGE_ROLL_LOG_ODDS from EDGE_ROLL_DEG); roll_in_doubt,
    its leg rolls like the other (`rolls_in_doubt`): the roll counts only from ROLL_CERTAIN_DEG."""
    a = abs(roll_deg)
    roll = (ROLL_CERTAIN_LOG_ODDS if a >= ROLL_CERTAIN_DEG else 0.0 if roll_in_doubt
            else ROLL_SURE_LOG_ODDS if a >= ROLL_SURE_DEG else ROLL_CUE_LOG_ODDS if a >= ROLL_CUE_DEG else 0.0)
    shift = DISPLACEMENT_LOG_ODDS if agreement >= DISPLACEMENT_AGREE_SHARE else DISPLACEMENT_DOUBT_LOG_ODDS
    edge = EDGE_ROLL_LOG_ODDS if abs(edge_roll_deg) >= EDGE_ROLL_DEG else 0.0
    return (shift * run + float(np.sign(roll_deg)) * roll + float(np.sign(move_mps)) * MOVE_LOG_ODDS
            + float(np.sign(edge_roll_deg)) * edge)


def left_probabilities(log_odds: list[float], new_set: list[bool], new_run: list[bool] | None = None) -> list[float]:
    """The probability that each rep is on the left leg given every rep's evidence (log_odds,
    `rep_log_odds`) and that the leg changes between reps with SWITCH_P, or SWITCH_AT_BREAK_P where
    new_set marks a break before a rep, or SWITCH_IN_RUN_P where new_run (`held_in_run`'s negation;
    None: all True) does not mark a new run: the forward-backward pass over the two-state chain of legs."""
    n = len(log_odds)
    if n == 0:
        return []
    runs = [True] * n if new_run is None else new_run
    em = np.array([[x / 2, -x / 2] for x in log_odds])  # log-likelihood of (left, right), up to a constant
    with np.errstate(divide="ignore"):  # log(0) = -inf: no change of leg within a run
        trans = [np.log([[1 - p, p], [p, 1 - p]])
                 for p in (SWITCH_AT_BREAK_P if b else SWITCH_P if r else SWITCH_IN_RUN_P
                           for b, r in zip(new_set, runs))]
    fwd, bwd = np.empty((n, 2)), np.zeros((n, 2))
    fwd[0] = em[0]
    for i in range(1, n):
        fwd[i] = em[i] + np.logaddexp.reduce(fwd[i - 1][:, None] + trans[i], axis=0)
    for i in range(n - 2, -1, -1):
        bwd[i] = np.logaddexp.reduce(trans[i + 1] + (em[i + 1] + bwd[i + 1])[None, :], axis=1)
    post = fwd + bwd
    return [float(1.0 / (1.0 + np.exp(r - l))) for l, r in post]


def set_sides(runs: list[float], moves_mps: list[float], rolls_deg: list[float], new_set: list[bool],
              pooled: list[float], held: list[bool] | None = None, agreements: list[float] | None = None,
              edge_rolls_deg: list[float] | None = None) -> list[tuple[int, float]]:
    """The stance side (+1 left, -1 right) and its confidence (the probability of that side, 0.5-1)
    of each rep of a stream of lowerings, weighing its own cues (`rep_log_odds`) with those of the
    reps around it on the same leg (`left_probabilities`; new_set: a break before the rep; held:
    the rep held on the previous rep's leg, `held_in_run`, None: none; agreements and
    edge_rolls_deg: `rep_log_odds`' cues of the same names, None: all 1.0 and 0.0); pooled, the
    set's summed moves (+ = left), breaks a tie.

    Why the set: the rep's own cues fail together at times (physics check, seeds 0 and 1, both
    exercises, 38 reps on the wrong leg on main c7f0724, 24 of them unflagged): a displacement read
    the wrong way (20: the rest before the first rep of a leg, a hike with its roll the same way),
    or none clear and the moves, a coin flip there, deciding (18). The same leg's other reps still
    point right, and a leg is kept over a set: a lone rep against them with a weak case takes their
    side, and one whose own cues are strong enough against them to stand is left in doubt (a
    confidence under `Thresholds.side_min_confidence`, scored `side_uncertain`). But where a leg
    hikes in every rep its reps agree on the other leg, so the stream's sets are compared first: a
    set rolling like the other leg against its own displacements has its roll set aside
    (`rolls_in_doubt`)."""
    # Only a clear run's reps whose displacements agree are held together (`held_in_run`): where its
    # windows read no clear displacement they missed the shifts (a fast rep's), so a change of leg
    # between its reps may have gone unseen too (physics seed 0 step-down case 10: a leg's first
    # rep, a hike, tied to the other leg's last), and a run whose first rep's own shift in points
    # against the run's sum changed leg within it (hiplevel.sim, 5 s step-downs, seed 33).
    links = None if held is None else [not h for h in held]
    agree = [1.0] * len(runs) if agreements is None else agreements
    edges = [0.0] * len(runs) if edge_rolls_deg is None else edge_rolls_deg
    doubt = rolls_in_doubt(runs, rolls_deg, new_set)
    p_left = left_probabilities([rep_log_odds(*c) for c in zip(runs, moves_mps, rolls_deg, agree, edges, doubt)],
                                new_set, links)
    out = []
    for p, tie in zip(p_left, pooled):
        side = 1 if p > 0.5 or (p == 0.5 and tie > 0) else -1
        out.append((side, round(max(p, 1.0 - p), 3)))
    return out
