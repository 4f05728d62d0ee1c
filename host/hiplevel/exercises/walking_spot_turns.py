"""Walking: steps taken while turning on the spot, away from any walking bout (`SpotTurnSteps`,
the `spot` of `walking.WalkingDetector`).

Turning on the spot (to face the other way once a walk is done, to sit down) the feet take short,
flat steps, and their heel strikes lift the pelvis by 0.016-0.05 g, mostly under the contact floor
or in groups of one to three contacts that no bout keeps (ipol-dev, after the walk: 20 of 27
missed truth steps). A lower floor finds some of them but as many bumps of standing (tried: found
+9, extra +5..+11 on ipol-dev, 6-34 false steps an hour on hapt-dev). Three cues that do not
depend on the heel strike still show each step, and all three must agree:
- the sway: in single support the pelvis accelerates sideways, away from the stance foot (the body
  falls toward the swing side, an inverted pendulum), so each step is a half-wave of the lateral
  acceleration whose sign is its stance side, as wide as a single support (ipol-dev: the sign
  holds in 93 % of the truth steps after the walk, at 60-130 mg; on the straight in all, 58-80 mg);
- the landing: the swing ends in a contact, an upward bump right after the half-wave, however
  small;
- the turn: the pelvis turns within a second of each step, and the run of steps turns it well
  past what a weight shift or the walk's own rotation does (ipol-dev: the half-waves of quiet
  standing and of the weight shift before the first step turn it by 3-12 deg; the turns on the
  spot after the walk by 50-100 deg).
Steps come one foot at a time: a run is two or more half-waves of alternating sign, each starting
at most max_gap_s after the one before ends. A half-wave that meets the sway and landing cues but
stands alone, or whose run turns too little, is a weight shift (hapt-dev's static postures, a phone
on a belt: half-waves a median 0.26 s wide at half their peak; none of the wider ones with a
landing in a run that turns 45 deg). A run over which the pelvis tilts far is a posture change
(sitting down, standing up, lying down: hapt-dev's transitions turn and step too), not a walk, and
so is a run the pelvis lies near (`lies_near`: turning one's back to the bed before lying down,
hapt-dev e04), or one inside a short bout found to be a posture change's stepping (the caller
passes those bouts with the walking ones).

Stepping in place, the pelvis need not turn at all (stopping, people shift from foot to foot or
step to settle their stance: ipol_1-3 31-32 s, two steps 4 s after the walk that turn it by 3 deg),
and then the turn cue is missing. Two other cues stand in for it: the sway is larger than a walking
step's (with no forward momentum the whole weight moves over each foot: 190-240 mg there, against
58-80 mg for the straight steps), and every step lands firmly, a heel strike at the contact floor.
A run of such steps is kept when it is a few steps apart from any walk: a longer stretch, or one
leading straight into a walk, is walking whose contacts the bouts judged (stroke-dev's treadmill
starts: 16 steps whose weak contacts the walk's edge rule trimmed).

A step's rep is the span of its half-wave above half its peak (its single support; the contacts,
when any, are too weak to bound it), its stance the side the pelvis accelerates away from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hiplevel.constants import Side, other_side
from hiplevel.exercises.base import RepWindow
from hiplevel.exercises.walking_drops import _signed_drop_of_extremes
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import moving_mean, zero_phase_lowpass

SWAY_SMOOTH_HZ = 2.0  # low-pass of the lateral acceleration: the step's sway, not the heel strike's jolt
SWAY_BASELINE_S = 2.0  # its moving-mean baseline (an accelerometer offset; a lean)
STEP_TURN_HALF_S = 1.0  # a step's turn is the heading's range within this of its sway peak, s
LANDING_S = 0.3  # the landing is looked for this long after the half-wave, s
RUN_PAD_S = 0.5  # a run's turn is measured from this long before its first half-wave to after its last, s
# How far before a few steps and after them lying is looked for (`lies_near`), s: turning to lie
# down (back to the bed, sit on its edge, lie back) takes 2-5 s (hapt-dev: lying 0.7-3.0 s from
# the turns; its stand-to-lie transitions, label to label, last 3.9-8.4 s); daily-life walks and
# turns lie 40 s away or more (mobgap-lowback), ipol-dev's and stroke-dev's never.
LYING_REACH_S = 5.0
# Lying is a posture held: the pelvis stays past the lying tilt this long at least, s (hapt-dev's
# lying 18-27 s; daily-life bends pass through it in 0.2-1.7 s, mobgap-lowback Test11: HA_002 bends
# forward to 53-87 deg, HA_001 to 152 deg, between its walks).
LYING_HOLD_S = 3.0


@dataclass(frozen=True)
class SpotTurnSteps:
    """Parameters (units in the names).

    sway_min_g: least peak lateral acceleration of a step's half-wave (ipol-dev turns on the spot:
        40-114 mg; straight steps 58-80 mg median);
    sway_min_s: least width of the half-wave above half its peak (a single support: ipol-dev
        steps on the spot 0.40-0.64 s; hapt-dev's static postures a median 0.26 s; 0.25 put one
        rep in them);
    landing_min_g: least upward acceleration (`WalkingDetector._upward_g`) within LANDING_S after
        the half-wave (ipol-dev steps on the spot 31-118 mg; half-waves after the walk with no
        truth step 0-11 mg): a flat pivot step's contact, under the contact floor;
    step_turn_deg: least turn of the pelvis within STEP_TURN_HALF_S of each step's sway peak
        (ipol-dev steps on the spot 31-92 deg; the weight shift before the walk 3-12 deg);
    run_turn_deg: least turn of a run of steps, from RUN_PAD_S before its first half-wave to
        RUN_PAD_S after its last (ipol-dev: 59-85 deg); 0 disables these steps;
    max_tilt_deg: most the pelvis may tilt over a run (the ranges of its roll and pitch, combined):
        turning on the spot keeps it upright (ipol-dev: 6-11 deg), sitting down, standing up and
        lying down swing it far (hapt-dev's transitions between postures: 34-357 deg; its runs on
        stairs and walks, away from the postures, 8-14); also over a short walking bout
        (`walking_bouts.posture_change`);
    max_gap_s: most time from one half-wave's end to the next's start in a run;
    bout_margin_s: half-waves within this of a walking bout (from its first contact to one median
        step after its last: its edge swings) belong to the bout, whose own steps count them;
    in_place_sway_g, in_place_landing_g: a run of two or more half-waves that each peak at
        in_place_sway_g or more (a walking step's sway or more: ipol-dev's straight steps 58-80 mg
        median; ipol_1-3's steps in place 193 and 239 mg; the weight shift before a turn's first
        step, whose lift-off bump lands like a contact, 46 mg, ipol_6-6 28.9 s) and land at
        in_place_landing_g or more (the contact floor: a heel strike; ipol_1-3 274 and 193 mg) is
        steps in place, turning or not; in_place_landing_g 0 disables. ipol-dev gains the same
        two steps, and no other set moves, from 50 to 190 mg and from 20 to 150 mg;
    in_place_max_steps: ... when its stretch of alternating half-waves (those of the sway cue, each
        starting within max_gap_s of the one before) holds at most this many: stopping, people
        step a few times (ipol_1-3: 3 half-waves); stroke-dev's treadmill starts sway on for 16,
        steps whose weak contacts the walk's bout trimmed from its edge (3-8 give the same);
    in_place_apart_s: ... and lies this far from every walking bout (its first contact to one
        median step after its last): steps leading straight into a walk are its first steps, the
        bout's to judge (stroke-dev pp06 0.8-1.8 s, 0.2 s before the bout, sway 70-100 mg: with
        in_place_sway_g at 50-70 mg and no such distance, two extra reps; = the walking
        detector's max_step_s, a gap that ends a bout; 0-4 s give the same)."""

    sway_min_g: float = 0.035
    sway_min_s: float = 0.3
    landing_min_g: float = 0.02
    step_turn_deg: float = 20.0
    run_turn_deg: float = 45.0
    max_tilt_deg: float = 20.0
    max_gap_s: float = 0.6
    bout_margin_s: float = 0.5
    in_place_sway_g: float = 0.1
    in_place_landing_g: float = 0.035
    in_place_max_steps: int = 4
    in_place_apart_s: float = 2.2

    def steps(self, sway: np.ndarray, upward_g: Callable[[], np.ndarray], yaw_rate_dps: np.ndarray, rate_hz: float,
              bouts: list[np.ndarray], roll_deg: np.ndarray, pitch_deg: np.ndarray,
              lying_deg: float = 0.0) -> list[tuple[int, int, Side]]:
        """Steps on the spot away from `bouts` (their contacts, sample indices), each as (a, b,
        stance side): [a, b) sample indices of its single support. sway: the step's sway over the
        motion (`smooth_lateral_g` of the pelvis' lateral linear acceleration in the levelled frame,
        + = left), g (N,); upward_g: returns the contact
        signal (`WalkingDetector._upward_g`), g (N,), called only when a half-wave away from the
        bouts turns the pelvis or sways past in_place_sway_g (a whole pass over the recording:
        rarely needed); yaw_rate_dps: the pelvis' yaw rate, deg/s (N,);
        roll_deg, pitch_deg: its fused tilt (N,); lying_deg: a run that the pelvis lies near
        (`lies_near`, this tilt from the standing pose) is the turn of lying down or getting up,
        no steps (hapt-dev e04: two steps turning 75 deg, lying 1.7 s later; 0: no test)."""
        if self.run_turn_deg <= 0 or len(sway) < 4:
            return []
        n = len(sway)
        half, land, pad = (int(round(s * rate_hz)) for s in (STEP_TURN_HALF_S, LANDING_S, RUN_PAD_S))
        taken = bout_spans(bouts, int(round(self.bout_margin_s * rate_hz)))
        turning, in_place = [], []  # candidate steps of a turn on the spot / of stepping in place
        upward = None
        waves = _away_from_spans(sway_half_wave_spans(sway, rate_hz, self.sway_min_g, self.sway_min_s), taken)
        if not waves:  # (most recordings: every half-wave in a walk; the heading is read at the waves only)
            return []
        heading = np.cumsum(yaw_rate_dps) / rate_hz
        gap = int(round(self.max_gap_s * rate_hz))
        # How many alternating half-waves each one's stretch of swaying holds (stepping in place is a few).
        swaying = {w[0]: len(run) for run in alternating_runs([(a, b, stance_of(sway[k])) for a, b, k in waves], gap)
                   for w in run}
        for a, b, peak in waves:
            turned = float(np.ptp(heading[max(0, peak - half) : min(n, peak + half + 1)])) >= self.step_turn_deg
            firm = (self.in_place_landing_g > 0 and abs(float(sway[peak])) >= self.in_place_sway_g
                    and swaying[a] <= self.in_place_max_steps)
            if not (turned or firm):
                continue
            upward = upward_g() if upward is None else upward
            landing = float(np.max(upward[b : min(n, b + land)])) if b < n else 0.0
            step = (a, b, stance_of(sway[peak]))
            if turned and landing >= self.landing_min_g:
                turning.append(step)
            if firm and landing >= self.in_place_landing_g:
                in_place.append(step)

        def upright(run: list[tuple[int, int, Side]]) -> bool:
            """Whether the pelvis stays upright over the run and lies nowhere near it: no posture change."""
            lo, hi = max(0, run[0][0] - pad), min(n - 1, run[-1][1] + pad)
            return (tilt_range_deg(roll_deg[lo : hi + 1], pitch_deg[lo : hi + 1]) <= self.max_tilt_deg
                    and not (lying_deg > 0 and lies_near(roll_deg, pitch_deg, run[0][0], run[-1][1], rate_hz, lying_deg)))

        out: set[tuple[int, int, Side]] = set()
        for run in alternating_runs(turning, gap):
            lo, hi = max(0, run[0][0] - pad), min(n - 1, run[-1][1] + pad)
            if len(run) >= 2 and abs(heading[hi] - heading[lo]) >= self.run_turn_deg and upright(run):
                out.update(run)
        walks = bout_spans(bouts, int(round(self.in_place_apart_s * rate_hz)))
        for run in alternating_runs(in_place, gap):
            # Steps that lead straight into a walk or out of one are its edge, which the bout judges.
            if len(run) >= 2 and away_from([(run[0][0], run[-1][1], 0)], walks) and upright(run):
                out.update(run)
        return sorted(out)


def bout_spans(bouts: list[np.ndarray], pad: int) -> list[tuple[int, int]]:
    """Each walking bout's span (its contacts, sample indices): [lo, hi) from pad samples before its
    first contact to pad after one median step past its last (its termination swing)."""
    return [(int(c[0]) - pad, int(c[-1]) + int(median(np.diff(c))) + pad) for c in bouts if len(c) > 1]


def stance_of(sway_g: float) -> Side:
    """The stance side of a sway half-wave peaking at sway_g (+ = left): the pelvis accelerates away
    from the stance foot, rightward in a left stance."""
    return "left" if sway_g < 0 else "right"


def lies_near(roll_deg: np.ndarray, pitch_deg: np.ndarray, a: int, b: int, rate_hz: float, lying_deg: float) -> bool:
    """Whether the pelvis lies (tilted past lying_deg from the standing pose: roll and pitch, deg,
    combined, for LYING_HOLD_S or more) within LYING_REACH_S before sample a or after sample b
    (samples at rate_hz): a few steps right before lying down or right after getting up are that posture
    change's turn (standing and sitting tilt it 35 deg at most, lying 60-110; a bend can tilt it as
    far, but passes: `LYING_HOLD_S`). A tilt that runs into the recording's start or end counts as
    held (a live window ends at the present: the lying has only begun)."""
    n = len(roll_deg)
    reach, hold = int(LYING_REACH_S * rate_hz), max(1, int(LYING_HOLD_S * rate_hz))
    lo, hi = max(0, a - reach - hold), min(n, b + reach + hold + 1)
    tilted = np.hypot(roll_deg[lo:hi], pitch_deg[lo:hi]) > lying_deg
    if not tilted.any():
        return False
    edges = np.diff(np.concatenate([[0], tilted.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1) + lo, np.flatnonzero(edges == -1) + lo  # runs [start, end)
    # A run cut by the searched span's ends is at least hold long there, unless the data end first.
    long = (ends - starts >= hold) | ((starts == lo) & (lo == 0)) | ((ends == hi) & (hi == n))
    near = ((starts <= a) & (ends > a - reach)) | ((ends > b) & (starts <= b + reach))
    return bool(np.any(long & near))


def tilt_range_deg(roll_deg: np.ndarray, pitch_deg: np.ndarray) -> float:
    """How far the pelvis tilts over a stretch, deg: the ranges of its roll and pitch, combined."""
    return float(np.hypot(np.ptp(roll_deg), np.ptp(pitch_deg)))


def smooth_lateral_g(lateral_g: np.ndarray, rate_hz: float) -> np.ndarray:
    """The step's sway in the lateral acceleration, g (N,): SWAY_SMOOTH_HZ low-pass, less its
    SWAY_BASELINE_S moving mean."""
    x = zero_phase_lowpass(lateral_g, SWAY_SMOOTH_HZ, rate_hz)
    return x - moving_mean(x, max(1, int(SWAY_BASELINE_S * rate_hz)))


def sway_half_waves(sway_g: np.ndarray, rate_hz: float, min_g: float, min_s: float) -> list[tuple[int, int, int]]:
    """The half-waves of the sway (`smooth_lateral_g`, g) between its zero crossings that peak at
    min_g or more and stay above half their peak for min_s or more: each as (a, b, peak), [a, b)
    the span above half the peak, peak the sample of the peak (the first of equal ones)."""
    return list(zip(*(x.tolist() for x in sway_half_wave_spans(sway_g, rate_hz, min_g, min_s))))


def sway_half_wave_spans(sway_g: np.ndarray, rate_hz: float, min_g: float,
                         min_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`sway_half_waves` as three integer arrays: the waves' a, b and peak."""
    n = len(sway_g)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    # All half-waves at once (a per-wave loop of numpy calls cost 8,000 rounds an hour): each
    # sample's wave peak, and the first and last sample of each wave [z_w, ends_w) that reach it /
    # half of it (every wave holds its peak, so each has both: the first found at or after z_w lies
    # in wave w). The peaks spread by np.repeat and the waves' samples found by searchsorted over
    # the waves, not gathered per sample (the same indices).
    z = np.r_[0, np.flatnonzero(np.diff(np.sign(sway_g)) != 0) + 1]
    ends = np.r_[z[1:], n]
    mag = np.abs(sway_g)
    peak = np.maximum.reduceat(mag, z)
    lens = ends - z
    at_peak = np.flatnonzero(mag == np.repeat(peak, lens))
    k = at_peak[np.searchsorted(at_peak, z)]
    above = np.flatnonzero(mag >= np.repeat(0.5 * peak, lens))
    first, last = above[np.searchsorted(above, z)], above[np.searchsorted(above, ends) - 1]
    keep = (peak >= min_g) & (last + 1 - first >= min_s * rate_hz)
    return first[keep], last[keep] + 1, k[keep]


def _away_from_spans(waves: tuple[np.ndarray, np.ndarray, np.ndarray],
                     spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """`away_from` of the waves as `sway_half_wave_spans` gives them (most of a recording's waves
    lie in its bouts: they are dropped before they are made tuples; the same waves)."""
    a, b, k = waves
    if len(a) and spans:
        s = np.array(spans)
        far = ~((s[:, 0] < b[:, None]) & (a[:, None] < s[:, 1])).any(axis=1)
        a, b, k = a[far], b[far], k[far]
    return list(zip(a.tolist(), b.tolist(), k.tolist()))


def away_from(waves: list[tuple[int, int, int]], spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """The waves (a, b, peak) whose [a, b) overlaps none of the [lo, hi) spans (sample indices)."""
    if not waves or not spans:
        return waves
    w, s = np.array(waves)[:, :2], np.array(spans)
    hit = ((s[:, 0] < w[:, 1:]) & (w[:, :1] < s[:, 1])).any(axis=1)
    return [x for x, h in zip(waves, hit.tolist()) if not h]


def alternating_runs(steps: list[tuple[int, int, Side]], max_gap: int) -> list[list[tuple[int, int, Side]]]:
    """Consecutive steps (a, b, side), in order, grouped into runs: each step starts at most
    max_gap samples after the one before ends and has the other side."""
    runs: list[list[tuple[int, int, Side]]] = []
    for s in steps:
        if runs and s[0] - runs[-1][-1][1] <= max_gap and s[2] != runs[-1][-1][2]:
            runs[-1].append(s)
        else:
            runs.append([s])
    return runs


def spot_rep(a: int, b: int, stance: Side, hi: float | None, lo: float | None) -> RepWindow:
    """The rep of a step on the spot ((a, b, stance) of `SpotTurnSteps.steps`, with the roll's
    highest and lowest value in [a, b), deg): its single support, the swing side's drop against
    the set's neutral (no bout, so no standing of its own before it)."""
    return RepWindow(a, b, stance, (a, b), other_side(stance), metrics={"on_the_spot": True},
                     drop_deg=_signed_drop_of_extremes(hi, lo, 0.0, other_side(stance)))
