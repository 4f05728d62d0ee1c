"""Is the person on one leg? Cues of single support that hold across people, each a vote in [0, 1].

Shifting the weight onto one foot without lifting the other moves the pelvis just like the weight
shift that starts a single-leg hold; what differs is what lifting the foot does:

- **Sway**: on one foot the base of support is a foot wide, and the pelvis sways and corrects
  more than on two (roll rate and sideways acceleration, 0.3-3 Hz), from a few times to ten
  times quiet standing;
- **Foot down**: the free foot coming down takes weight with a small jolt (vertical acceleration);
- **Foot off**: lifting the foot often tips the pelvis briefly (a roll-rate transient).

No single cue is needed: a clear one, or several partial ones, make a hold (`support_votes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.signal.biquad import sosfiltfilt
from hiplevel.signal.exact_median import median
from hiplevel.signal.exact_median import percentile as exact_percentile  # `percentile` is an argument below
from hiplevel.signal.filters import design_sos, moving_max, moving_mean, moving_min

# Balance sway sits in this band for the roll (slower drift and faster impacts are not sway)...
SWAY_BAND_HZ = (0.3, 3.0)
# ...and the corrections on one foot in this one for the sideways acceleration (a weight shift
# moves the pelvis below 1 Hz).
CORRECTION_BAND_HZ = (1.0, 3.0)
# Vertical jolts of a foot coming down: up to here.
JOLT_LOWPASS_HZ = 8.0
# The sway's onset (`sway_onset`): its envelope over ONSET_WINDOW_S past the level halfway (in
# ratio) from standing's to the hold's, and there in ONSET_SHARE of the ONSET_HOLD_S after (the
# sway on one foot dips under that level for a few tenths of a second now and then). A hold whose
# sway rises under ONSET_MIN_RATIO times standing's has no onset to place (one foot: 1.5-10x).
ONSET_WINDOW_S = 0.5
ONSET_HOLD_S = 1.0
ONSET_SHARE = 0.8
ONSET_MIN_RATIO = 2.0


def band(x: np.ndarray, rate_hz: float, lo_hz: float, hi_hz: float) -> np.ndarray:
    """Zero-phase 2nd-order band-pass along axis 0 (x returned de-meaned when too short)."""
    if len(x) <= 30:
        return x - np.mean(x, axis=0)
    sos = design_sos(2, (lo_hz / (0.5 * rate_hz), min(hi_hz / (0.5 * rate_hz), 0.95)), "band")
    return sosfiltfilt(sos, x)


def rms(x: np.ndarray) -> float:
    """Root mean square (0 for an empty array)."""
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


def window_rms(x: np.ndarray, rate_hz: float, window_s: float = 1.0) -> np.ndarray:
    """RMS of x over consecutive half-overlapping windows of window_s."""
    w = max(2, int(window_s * rate_hz))
    if len(x) < w:
        return np.array([rms(x)])
    return np.array([rms(x[i : i + w]) for i in range(0, len(x) - w + 1, max(1, w // 2))])


def steady_rms(x: np.ndarray, rate_hz: float, percentile: float = 50.0) -> float:
    """The typical sway level of a stretch: a percentile (median) of its 1 s window RMS (a brief
    movement inside it, a fidget or a bend, does not raise it)."""
    return float(exact_percentile(window_rms(x, rate_hz), percentile)) if len(x) else 0.0


@dataclass(frozen=True)
class SupportSignals:
    """The set's signals the cues read, computed once: roll rate (deg/s) in the sway band, sideways
    acceleration (g) in the correction band, vertical acceleration (g) from 1 Hz to JOLT_LOWPASS_HZ."""

    roll_rate: np.ndarray
    lateral: np.ndarray
    vertical: np.ndarray

    @staticmethod
    def of(roll_rate_dps: np.ndarray, lateral_g: np.ndarray, vertical_g: np.ndarray,
           rate_hz: float) -> "SupportSignals":
        """The band-limited signals of a set (deg/s, g, g; N samples each)."""
        return SupportSignals(band(roll_rate_dps, rate_hz, *SWAY_BAND_HZ),
                              band(lateral_g, rate_hz, *CORRECTION_BAND_HZ),
                              band(vertical_g, rate_hz, 1.0, JOLT_LOWPASS_HZ))


def ramp_vote(ratio: float, lo: float, hi: float) -> float:
    """0 up to lo, 1 from hi, linear in between."""
    return float(np.clip((ratio - lo) / (hi - lo), 0.0, 1.0))


@dataclass(frozen=True)
class SupportCues:
    """Thresholds of the single-support votes (ratios to quiet standing on both feet).

    sway_ratio: (lo, hi) of the hold's typical sway (`steady_rms`) over the standing's just around
        it (roll rate, sideways acceleration; the larger counts): a weight shift on both feet
        stays about level with it, one leg reaches 1.5-10x;
    jolt_ratio: (lo, hi) of the vertical peak-to-peak at foot-down (or foot-off) over twice the
        hold's own RMS: a foot taking or giving weight jolts the pelvis by 0.03-0.15 g;
    min_landing_g: the least vertical peak-to-peak (g) a foot-down vote needs: a foot taking weight
        jolts the pelvis by 0.03 g and up (landing_mm 0.5 reads 29-36 mg), a fast weight shift on
        both feet leaks 7-9.4 mg into the vertical (scenes where nobody lifts a foot), which a quiet
        hold's vertical (under 1.2 mg RMS) made a full vote; the foot-off's jolt has no such floor
        (a 0.3 mm lift reads 10-13 mg, as the leak);
    lift_ratio: (lo, hi) of the roll-rate peak at foot-off over the hold's typical roll rate;
    lag_s: the foot leaves the floor up to this long after the shift onto the leg ends (and comes
        down up to this long before the shift back starts), or edge_s before;
    jolt_s: the span of one jolt."""

    sway_ratio: tuple[float, float] = (1.1, 1.6)
    jolt_ratio: tuple[float, float] = (3.5, 6.0)
    min_landing_g: float = 0.015
    lift_ratio: tuple[float, float] = (3.5, 6.0)
    lag_s: float = 2.5
    edge_s: float = 0.5
    jolt_s: float = 0.4

    def votes(self, s: SupportSignals, shifted: int, back: int, ref: tuple[float, float], rate_hz: float,
              back_peak: int | None = None,
              sway: tuple[float, float] | None = None) -> tuple[dict[str, float], int, int]:
        """Votes of each cue for a hold between the end of the shift onto the leg (`shifted`) and
        the start of the shift back (`back`), sample indices, against the quiet standing's sway
        (roll-rate RMS deg/s, sideways RMS g); also where the foot left and came down (the
        strongest jolt or tip near each end; the shift ends when there is none). back_peak: the
        shift back's fastest point, up to which the foot may come down (its start blurs into sway).
        sway: the hold's `sway_rms` when the caller has it already (it is computed here otherwise)."""
        lag, e, j = int(self.lag_s * rate_hz), int(self.edge_s * rate_hz), max(2, int(self.jolt_s * rate_hz))
        mid0, mid1 = self._steady(shifted, back, rate_hz)
        steady = slice(mid0, max(mid0 + 1, mid1))
        roll_rms, lateral_rms = self._sway_rms(s, steady, rate_hz) if sway is None else sway
        sway_over = max(over_standing(roll_rms, lateral_rms, ref))
        inside = max(steady_rms(s.vertical[steady], rate_hz), 1e-4)
        tilt = max(roll_rms, 1e-3)
        jolt_level, tip_level = self.jolt_ratio[0] * 2.0 * inside, self.lift_ratio[0] * 2.0 * tilt
        lift, off_i = self.lift_vote(s, shifted, back, rate_hz)
        off_r, off_ri = strongest_ptp(s.roll_rate, max(0, shifted - e), min(mid0, shifted + lag), j, tip_level, last=False)
        end = max(back + 2 * e, back_peak if back_peak is not None else back)
        down_v, down_i = strongest_ptp(s.vertical, max(mid1, back - lag), end, j, jolt_level, last=True)
        tip = ramp_vote(off_r / (2.0 * tilt), *self.lift_ratio)
        down = ramp_vote(down_v / (2.0 * inside), *self.jolt_ratio) if down_v >= self.min_landing_g else 0.0
        votes = {"sway": ramp_vote(sway_over, *self.sway_ratio), "foot_down": down, "foot_off": max(lift, tip)}
        off_at = (off_i if lift >= tip else off_ri) if max(lift, tip) >= 0.5 else shifted
        down_at = down_i if down >= 0.5 else (back if back_peak is None else max(back, back_peak - e))
        return votes, off_at, down_at

    def sway_rms(self, s: SupportSignals, shifted: int, back: int, rate_hz: float) -> tuple[float, float]:
        """The hold's typical sway (`steady_rms` over its steady middle, `_steady`) for a hold between
        samples `shifted` and `back`: (roll-rate RMS deg/s, sideways RMS g), as `votes` reads it; over
        the standing's: `over_standing` (`votes` takes the larger ratio)."""
        mid0, mid1 = self._steady(shifted, back, rate_hz)
        return self._sway_rms(s, slice(mid0, max(mid0 + 1, mid1)), rate_hz)

    @staticmethod
    def _sway_rms(s: SupportSignals, steady: slice, rate_hz: float) -> tuple[float, float]:
        """The typical roll-rate (deg/s) and sideways (g) sway over the samples `steady` (`steady_rms`)."""
        return steady_rms(s.roll_rate[steady], rate_hz), steady_rms(s.lateral[steady], rate_hz)

    def lift_vote(self, s: SupportSignals, shifted: int, back: int, rate_hz: float) -> tuple[float, int]:
        """The foot-off jolt's vote (vertical, as `votes` reads it: not the roll tip) for a hold
        between samples `shifted` and `back`, and where its strongest jolt is."""
        lag, e, j = int(self.lag_s * rate_hz), int(self.edge_s * rate_hz), max(2, int(self.jolt_s * rate_hz))
        mid0, mid1 = self._steady(shifted, back, rate_hz)
        inside = max(steady_rms(s.vertical[mid0 : max(mid0 + 1, mid1)], rate_hz), 1e-4)
        off_v, off_i = strongest_ptp(s.vertical, max(0, shifted - e), min(mid0, shifted + lag), j,
                                     self.jolt_ratio[0] * 2.0 * inside, last=False)
        return ramp_vote(off_v / (2.0 * inside), *self.jolt_ratio), off_i

    def _steady(self, shifted: int, back: int, rate_hz: float) -> tuple[int, int]:
        """The steady middle of a hold between samples `shifted` and `back`: lag_s (at most a third
        of it) in from each end."""
        lag = int(self.lag_s * rate_hz)
        return shifted + min(lag, (back - shifted) // 3), back - min(lag, (back - shifted) // 3)


def over_standing(roll_rms: float, lateral_rms: float, ref: tuple[float, float]) -> tuple[float, float]:
    """A hold's roll-rate and sideways sway (`SupportCues.sway_rms`) over the standing's `ref`
    (roll-rate RMS deg/s, sideways RMS g): (roll rate's ratio, sideways acceleration's ratio)."""
    return roll_rms / max(ref[0], 1e-3), lateral_rms / max(ref[1], 1e-4)


def strongest_ptp(x: np.ndarray, a: int, b: int, width: int, level: float, last: bool) -> tuple[float, int]:
    """The largest peak-to-peak of x within `width` samples over [a, b), and where the foot moved:
    the peak of the first (last=False) or last (last=True) stretch that reaches `level` (the jolt
    nearest the hold's edge, not a sway of the pelvis inside it), else the largest; (0, a) if the
    span is too short."""
    if b - a < width:
        return 0.0, a
    seg = x[a:b]
    ptp = moving_max(seg, width) - moving_min(seg, width)
    from hiplevel.signal.neutral import runs

    groups = runs(ptp >= level)
    if groups:
        g0, g1 = groups[-1] if last else groups[0]
        k = g0 + int(np.argmax(ptp[g0:g1]))
    else:
        k = int(np.argmax(ptp))
    return float(np.max(ptp)), a + k


def sway_onset(s: SupportSignals, a: int, b: int, steady: tuple[int, int], ref: tuple[float, float],
               rate_hz: float, min_ratio: float = ONSET_MIN_RATIO) -> int | None:
    """Where the single-leg sway starts within samples [a, b) (the foot leaving, when it neither
    jolts the pelvis nor tips its roll): the first sample from which the sway envelope (RMS over
    ONSET_WINDOW_S) stays past the geometric mean of standing's (`ref`, `reference_sway`) and the
    hold's (`steady_rms` over `steady`) for ONSET_HOLD_S, in ONSET_SHARE of it; the roll rate's,
    whose level the weight shift does not raise, unless it rises less than min_ratio on one foot
    and the sideways corrections more (their band holds a 0.5-2 s shift's own acceleration: they
    place the foot up to the shift early). None when neither rises min_ratio times."""
    best = None
    for x, r in ((s.roll_rate, ref[0]), (s.lateral, ref[1])):
        held = steady_rms(x[slice(*steady)], rate_hz)
        if held >= min_ratio * max(r, 1e-12):
            best = (x, float(np.sqrt(held * r)))
            break
    a, b = max(0, a), min(len(s.roll_rate), b)
    if best is None or b <= a:
        return None
    x, level = best
    w, k = max(2, int(ONSET_WINDOW_S * rate_hz)), max(1, int(ONSET_HOLD_S * rate_hz))
    lo, hi = max(0, a - w), min(len(x), b + k + w)
    above = (np.sqrt(moving_mean(np.square(x[lo:hi]), w)) >= level).astype(float)
    share = moving_mean(above, k)  # centred: the share over the next ONSET_HOLD_S is share[i + k // 2]
    for i in range(a - lo, b - lo):
        if above[i] and i + k // 2 < len(share) and share[i + k // 2] >= ONSET_SHARE:
            return lo + i
    return None


def support_votes(votes: dict[str, float]) -> float:
    """Evidence of single support: the sum of the cues' votes (>= 1: a hold)."""
    return float(sum(votes.values()))


def standing_spans(before: int, after: int, rate_hz: float, reference_s: float) -> list[tuple[int, int]]:
    """The standing on both feet around a hold ([start, end) samples): reference_s seconds before
    sample `before` (its shift in's onset) and after sample `after` (its shift back's offset), half
    a second off each (the shift's own start and settling); the first clipped at the set's start."""
    gap, skip = int(reference_s * rate_hz), int(0.5 * rate_hz)
    return [(max(0, before - skip - gap), max(0, before - skip)), (after + skip, after + skip + gap)]


def reference_sway(s: SupportSignals, rate_hz: float, spans: list[tuple[int, int]]) -> tuple[float, float]:
    """Standing's sway on both feet (roll-rate RMS deg/s, sideways RMS g) around one hold: the
    geometric mean of the median 1 s window RMS over each of `spans` (the standing just before the
    shift onto the leg and just after the shift back), at least the set's 10th percentile (a short
    standing sways less by chance). Not the quieter of the two: quiet standing whose sway grows for
    a while (0.5 deg SD between standing of 0.15 deg) then sways 1.5-2x the quieter side, a
    clear single-leg sway vote, with a 2 cm sway hump on each side taken for the shifts."""
    parts = [(a, b) for a, b in spans if b - a >= int(0.5 * rate_hz)]
    floor = (float(exact_percentile(window_rms(s.roll_rate, rate_hz), 10)),
             float(exact_percentile(window_rms(s.lateral, rate_hz), 10)))
    if not parts:
        return floor
    rr = geometric_mean([float(median(window_rms(s.roll_rate[a:b], rate_hz))) for a, b in parts])
    ll = geometric_mean([float(median(window_rms(s.lateral[a:b], rate_hz))) for a, b in parts])
    return max(rr, floor[0]), max(ll, floor[1])


def geometric_mean(x: list[float], floor: float = 1e-12) -> float:
    """Geometric mean of positive values (those under floor count as floor): of sway levels, so
    that a side swaying twice as much counts as much as one swaying half as much."""
    return float(np.exp(np.mean(np.log(np.maximum(x, floor)))))
