"""Clamshell (side-lying, level 1): one rep per opening of the top knee.

side = the working leg = the top leg. The fault is the pelvis rolling back instead of the hip
rotating (domain primer). Frames: side-lying rolls the pelvis ~90 deg about its forward axis, so
gravity lies along the body y axis (roll about -90 deg = right side up = right leg working, +90 =
left). Rolling back is a rotation about the body's long axis, body **z** (cranial): the front of the
pelvis turns toward the ceiling. Gravity being along y, that rotation tilts the forward axis x out
of the horizontal, so it is seen by the accelerometer as the gravity-referenced *pitch* (elevation
of the forward axis, + = front down): roll-back = -(pitch - lying neutral pitch), the same for
either side. The gyro sees it as a body z rate (negative with the right leg working).

Neutral: the pelvis' resting roll while it lies on that side, between its roll-back bumps (not the
standing before it, and not a still stretch, which people who start soon after lying down and
breathe and settle all the while may never give before the set). Reps: a pelvis-
worn sensor cannot see the knee, only the pelvis' reaction: the hip rotators that lift the knee
also pull the pelvis back a little (~1 deg in a clean rep), so each rep is one roll-back bump of at
least `min_rollback_deg`, in a run of at least three at a steady pace, duration and size (a set;
fidgets while lying come at random). Reported per rep: `drop_deg` = `rollback_deg` (peak roll-back below the
lying neutral, deg), `lying_pitch_deg` (the neutral).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hiplevel.constants import LEFT, RIGHT
from hiplevel.exercises.base import Motion, RepWindow, velocity_mps, world_acc_g
from hiplevel.exercises.clamshell_pace import displaced_centres
from hiplevel.exercises.clamshell_slide import SLIDE_HP_HZ, roll_pivot_mps, unexplained_slide_mps
from hiplevel.exercises.pitch_bumps import Bump, pitch_bumps
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import zero_phase_lowpass
from hiplevel.signal.neutral import runs


# A rep's reported edges lie at most this many half-height widths from its half-height centre. A
# smooth roll-back's 10 % edges sit 0.8 widths out (a raised cosine: 0.795; a hold at the top or an
# early / late profile: less / up to ~1); a lying fidget running into a bump's tail carries the
# edge 2.1-2.7 widths out, 0.5-1.2 s past the rep, and the window's midpoint off it (physics check,
# seeds 0 and 1: every such rep is matched again for any limit 0.5-2.0; 2204 others keep theirs).
MAX_EDGE_HALF_WIDTHS = 1.2


def side_tilt_deg(roll_deg: np.ndarray, pitch_deg: np.ndarray) -> np.ndarray:
    """Tilt of the pelvis' left-right axis (body y) from the horizontal, deg, signed as the roll
    (+90: left side up): +-90 side-lying, about 0 standing and lying on the back or the front. With
    the ZYX angles the body y axis' vertical component is sin(roll) cos(pitch)."""
    r, p = np.radians(roll_deg), np.radians(pitch_deg)
    return np.degrees(np.arcsin(np.clip(np.sin(r) * np.cos(p), -1.0, 1.0)))


def rep_edges(i0: int, i1: int, start: int, span_s: tuple[float, float], rate_hz: float,
              max_half_widths: float = MAX_EDGE_HALF_WIDTHS) -> tuple[int, int]:
    """The reported [start, end) samples of a roll-back bump [i0, i1): its 10 % edges, kept within
    max_half_widths half-height widths of its half-height centre and never inside its half-height
    span (a fidget on a held rep's top stops a 10 % edge there: physics seed 0 case 50, an onset 1.1
    s into a 1.96 s rep). span_s: that (centre, width), s from sample `start`. The roll-back's peak
    and the tests over the bump keep [i0, i1)."""
    centre, half = start + span_s[0] * rate_hz, 0.5 * span_s[1] * rate_hz
    width = max_half_widths * span_s[1] * rate_hz
    lo, hi = min(i0, int(np.floor(centre - half))), max(i1, int(np.ceil(centre + half)) + 1)
    return max(lo, int(np.floor(centre - width))), min(hi, int(np.ceil(centre + width)) + 1)


@dataclass(frozen=True)
class ClamshellDetector:
    """Parameters (units in the names).

    lying_roll_deg: tilt of the pelvis' left-right axis from the horizontal (`side_tilt_deg`; the
        |roll| when the pelvis is not pitched) beyond which the person lies on the side. Lying on
        the back or the front also turns the roll far from standing (the forward axis points up or
        down, roll and pitch read e.g. 170 and -80 deg) but leaves that axis horizontal;
    stable_roll_deg: reps only where the roll stays this close to the lying pose (not while lying
        down or getting up); min_lying_s: shortest side-lying worth analysing; settle_s: reps and
        the neutral only this long after the roll reaches the lying pose (the end of lying down);
    min_rollback_deg: least roll-back of a rep, both as a bump and below the neutral (clean reps
        ~1 deg; quiet lying sways ~0.05 deg SD);
    min_rep_s / max_rep_s: plausible duration of one roll-back bump between its 10 % edges,
        opening and closing (a controlled rep takes 2-4 s, 1-2 s each way; the physics check's
        reps of 0.85-1 s, opening in 0.35-0.5 s with no hold, measure 0.6-0.75 s, lost under the
        0.8 s of stop 32; the simulator's 0.15 s openings with a 0.45 s hold 0.7-0.8 s; 12 s keeps
        4 s openings. Short fidget bumps are not what this rejects: they fail the set's pace
        and likeness (`in_sets`), hapt-dev's rocking the long-axis share);
    min_set_reps, max_cadence_ratio, max_duration_ratio, max_size_ratio: reps come in sets at a
        steady pace (`in_sets`): at least 3 in a row whose intervals stay within max_cadence_ratio
        (longest / shortest; a gap of two paces counts as two intervals), whose roll-backs stay
        within max_size_ratio over any 3 in a row (a clean set's roll-backs vary 0.8-2 deg, 2.5x,
        and drift over a set), and whose
        durations (at half height) stay within max_duration_ratio of the run's median one, either
        way (`steady_part`; the physics check, seeds 0 and 1: 1.5 loses 7 of its 2227 reps, 1.4 20,
        and its extras stay as they are up to 2.0);
    end_guard_s: a bump ending this close to the end of the side-lying is the start of getting up;
    max_slide_mps: a rep turns the pelvis about its long axis where it lies; a bump during which
        the pelvis moves horizontally faster than this is a shift of position (lying fidgets slide
        it 2-4 cm in 0.5-1.2 s: 0.05-0.14 m/s; 6-axis streams only). Judged on what the roll about
        the floor contact does not explain (`unexplained_slide_mps`): a compensating 10-12 deg
        roll-back opened in 0.6 s carries the belt at 0.07-0.17 m/s, of which <= 0.015 m/s is left;
    min_long_axis_share: a knee opening rolls the pelvis back about its long axis; a set whose
        reps turn it about that axis for less than this share of their rotation (`long_axis_share`,
        6-axis streams only) is the lying pelvis rocking (hapt-dev: two people lying on the side,
        runs of five 0.6-0.9 deg bumps every 2.4-3.5 s, like small fast reps, 0.55 and 0.65: half
        the rotation about the left-right axis, a pelvic tilt, as breathing gives; the physics
        check's sets >= 0.89 (0.56 deg reps, where the gyro's noise counts), the simulator's >= 0.99)."""

    lying_roll_deg: float = 60.0
    stable_roll_deg: float = 12.0
    min_lying_s: float = 4.0
    settle_s: float = 0.5
    end_guard_s: float = 1.0
    max_slide_mps: float = 0.04
    min_rollback_deg: float = 0.4
    min_rep_s: float = 0.5
    max_rep_s: float = 12.0
    min_set_reps: int = 3
    max_cadence_ratio: float = 1.5
    max_duration_ratio: float = 1.6
    max_size_ratio: float = 3.0
    min_long_axis_share: float = 0.8

    def lying_neutral(self, m: Motion, a: int, b: int, bumps: list[Bump]) -> float:
        """Neutral pitch, deg, of the side-lying [a, b): the median pitch outside its roll-back bumps
        (`bumps`, indices from a): the pelvis' resting roll between reps and before and after the
        set. It needs no still stretch: people breathe, settle and fidget while lying, and may start
        within a second or two of lying down, so the first still 2 s may come after the set or never
        (a neutral taken there, or inside the set, put every rep of a side below `min_rollback_deg`
        or before the reps' start). The bumps' edges sit within 10 % of their height of the base."""
        rest = np.ones(b - a, bool)
        for bump in bumps:
            rest[bump.onset : bump.offset + 1] = False
        pitch = m.pitch_deg[a:b]
        return float(median(pitch[rest] if np.any(rest) else pitch))

    def lying_bumps(self, m: Motion, pitch_deg: np.ndarray, a: int, b: int) -> tuple[int, int, list[Bump], float]:
        """(start, stop, roll-back bumps of [start, stop) with indices from start, neutral pitch deg)
        of the settled side-lying [a, b); pitch_deg: m's pitch low-passed as `pitch_bumps` does.
        [start, stop) runs from the first to the last sample back at the neutral: the kneeling
        of lying down and getting up pitches the pelvis 20-40 deg forward, and a bump's prominence
        reaches down to the lowest point before a taller bump, so the side's tallest rep measured
        against that, and its width at half that height spanned the whole set (`in_sets` then
        split the set there and lost the short pieces). Bumps by prominence, found before (and
        independent of) the neutral they give."""
        def bumps_of(i: int, j: int) -> list[Bump]:
            return pitch_bumps(-m.pitch_deg[i:j], m.rate_hz, self.min_rollback_deg, self.min_rep_s, self.max_rep_s,
                               widths=True)

        bumps = bumps_of(a, b)
        neutral = self.lying_neutral(m, a, b, bumps)
        back = np.flatnonzero(pitch_deg[a:b] <= neutral)
        if len(back) > 1 and (back[0] > 0 or back[-1] < b - a - 1):
            # Bumps again only over a shorter span (the same span gives the same bumps and neutral).
            a, b = a + int(back[0]), a + int(back[-1]) + 1
            bumps = bumps_of(a, b)
            neutral = self.lying_neutral(m, a, b, bumps)
        return a, b, bumps, neutral

    def detect(self, m: Motion) -> list[RepWindow]:
        """Openings of the top knee in every side-lying stretch of the set."""
        reps: list[RepWindow] = []
        smooth = len(m.roll_deg) > 30
        roll = zero_phase_lowpass(m.roll_deg, 2.0, m.rate_hz) if smooth else m.roll_deg
        pitch = zero_phase_lowpass(m.pitch_deg, 2.0, m.rate_hz) if smooth else m.pitch_deg
        for a, b in runs(np.abs(side_tilt_deg(roll, pitch)) > self.lying_roll_deg):
            if (b - a) / m.rate_hz < self.min_lying_s:
                continue
            pose = float(median(roll[a:b]))
            stable = runs(np.abs(roll[a:b] - pose) < self.stable_roll_deg)
            if not stable:
                continue
            s0, s1 = max(stable, key=lambda r: r[1] - r[0])
            a, b = a + s0, a + s1
            side = RIGHT if pose < 0 else LEFT  # roll < 0: the right side is higher, on top
            start, stop, bumps, neutral = self.lying_bumps(m, pitch, min(b, a + int(self.settle_s * m.rate_hz)), b)
            rollback = neutral - m.pitch_deg
            found: list[tuple[int, int, float]] = []
            spans: list[tuple[float, float]] = []
            slide = self.slide_mps(m, start, stop)
            rolling = roll_pivot_mps(rollback[start:stop], m.rate_hz) if slide is not None else None
            for bump in bumps:
                i0, i1 = start + bump.onset, start + bump.offset + 1
                peak = float(np.max(rollback[i0:i1]))
                if peak < self.min_rollback_deg or b - i1 < self.end_guard_s * m.rate_hz:
                    continue  # a sway of the pelvis (e.g. before getting up), not a rep
                if slide is not None and rolling is not None and unexplained_slide_mps(
                        slide[i0 - start : i1 - start], rolling[i0 - start : i1 - start]) > self.max_slide_mps:
                    continue  # the pelvis slid on the floor: a shift of position, not a knee opening
                found.append((i0, i1, peak))
                spans.append((bump.half_centre_s, bump.half_width_s))
            kept = self.in_sets(found, spans)
            share = self.long_axis_share(m, kept) if kept else None
            if share is not None and share < self.min_long_axis_share:
                continue  # the pelvis rocked (breathing, settling), it did not roll back
            span_of = dict(zip(found, spans))
            for i0, i1, peak in kept:
                r0, r1 = rep_edges(i0, i1, start, span_of[(i0, i1, peak)], m.rate_hz)
                reps.append(RepWindow(r0, r1 - 1, side, (i0, i1), side, drop_deg=peak, metrics={
                    "rollback_deg": round(peak, 3), "lying_pitch_deg": round(neutral, 2)}))
        return reps

    def long_axis_share(self, m: Motion, reps: list[tuple[int, int, float]]) -> float | None:
        """Median over reps (start, end, peak) of the share of the pelvis' rotation, opening from
        the rep's start to its peak roll-back, that is about its long axis (body z): |z| / |rotation
        vector|, the gyro integrated with its mean over the rep taken out (a rep returns where it
        started; that mean is what the fusion left of the bias). None without a gyro."""
        if m.gyro_dps is None:
            return None
        shares = []
        for i0, i1, _ in reps:
            w = m.gyro_dps[i0:i1] - np.mean(m.gyro_dps[i0:i1], axis=0)
            pk = int(np.argmax(-m.pitch_deg[i0:i1]))
            rot = np.sum(w[:pk], axis=0) / m.rate_hz
            norm = float(np.linalg.norm(rot))
            shares.append(abs(float(rot[2])) / norm if norm > 0 else 1.0)
        return float(median(np.array(shares)))

    def slide_mps(self, m: Motion, a: int, b: int) -> np.ndarray | None:
        """Horizontal velocity (N,2) of the pelvis over [a, b), m/s, in the heading frame (x: the
        forward axis' horizontal direction; band-limited as `base.velocity_mps`); None for a roll
        stream."""
        if m.acc_lin_g is None or b - a < 30:
            return None
        h = world_acc_g(Motion(m.t_s[a:b], m.rate_hz, m.roll_deg[a:b], m.pitch_deg[a:b], m.acc_lin_g[a:b], None,
                               m.still[a:b]))[:, :2]
        return velocity_mps(h, m.rate_hz, hp_hz=SLIDE_HP_HZ)

    def in_sets(self, bumps: list[tuple[int, int, float]],
                spans_s: list[tuple[float, float]] | None = None) -> list[tuple[int, int, float]]:
        """The roll-back bumps (start, end, peak) that belong to a set: runs of at least
        min_set_reps bumps at a steady cadence (longest centre-to-centre interval at most
        max_cadence_ratio times the shortest; a gap of two paces, a rep too small to see, counts
        as two; a short and a long interval around one displaced centre, by their mean
        (`displaced_centres`); a bump off the pace and unlike the run's bumps, a fidget between two reps, is left
        out of it, and before a set's worth a smaller one that breaks its sizes, `fidget_left_out`) and of a
        like size (max_size_ratio over any min_set_reps in a row), whose bumps
        last about as long as the run's median one (`steady_part`). Fidgets while lying come at random
        moments, last and move the pelvis as they happen to; a set repeats one movement at one pace.
        spans_s: each bump's (centre, width) at half height, s (default: its start and
        start-to-end). Those are the steadier measures: the tails of a 1 deg bump fade into sway,
        and its 10 % edges wander by 0.5-1 s (an edge running into the previous rep's tail halved
        one interval)."""
        if len(bumps) < self.min_set_reps:
            return []
        if spans_s is None:
            spans_s = [(float(b[0]), float(b[1] - b[0])) for b in bumps]
        centres = np.array([c for c, _ in spans_s])
        durations = np.array([w for _, w in spans_s])
        peaks = np.array([b[2] for b in bumps])

        def on_pace(run: list[int]) -> bool:
            iv = np.diff(centres[run])
            if len(iv) > 2:
                # A rep too small to see leaves a gap of two intervals: counted as two, once the run
                # has intervals enough (>= 3) for their median to be its pace, and only a gap within
                # sqrt(max_cadence_ratio) of two paces (1.63-2.45 paces: what lies between one pace
                # and that still breaks the run).
                pace = float(median(iv))
                gap = np.abs(np.log(iv / (2.0 * pace))) <= 0.5 * np.log(self.max_cadence_ratio)
                iv = displaced_centres(np.where(gap, 0.5 * iv, iv), pace, self.max_cadence_ratio)
            return not (len(iv) and np.max(iv) > self.max_cadence_ratio * np.min(iv))

        def like_sizes(run: list[int]) -> bool:
            # Sizes judged over every min_set_reps in a row, not the whole run: over 10-15 reps a
            # person's roll-backs drift (0.74-2.51 deg in one simulated set with a 0.2 deg lying
            # fidget: its last three reps, split off, were lost).
            size = peaks[run]
            w = min(len(size), self.min_set_reps)
            win = np.lib.stride_tricks.sliding_window_view(size, w)
            return bool(np.all(win.max(axis=1) <= self.max_size_ratio * win.min(axis=1)))

        keep = np.zeros(len(bumps), bool)
        k = 0
        while k < len(bumps):
            # The longest run from bump k at a steady cadence and size. A bump that breaks its pace
            # and is unlike the run's bumps (`unlike`) is a fidget between two reps, not a rep: left
            # out, the run goes on (a 0.4 deg, 0.6 s fidget between reps 2 and 3 split a physics set
            # into a run of two, lost, and the rest; another one joined a run of three as a rep). A
            # bump on the pace is kept to the size test alone: a small rep is still a rep.
            run, e = [k], k + 1
            while e < len(bumps):
                trial = run + [e]
                if not on_pace(trial):
                    # Only the bump least like the others, and before the run is a set's worth (its
                    # median may then be the fidgets' it starts with) only e, and only if smaller.
                    odd = [self.unlikeness(durations[i], peaks[i], durations[trial], peaks[trial]) for i in trial]
                    j = int(np.argmax(odd))
                    if len(run) < self.min_set_reps and (trial[j] != e or peaks[e] >= median(peaks[run])):
                        break
                    pruned = trial[:j] + trial[j + 1 :]
                    if odd[j] <= 1.0 or not (on_pace(pruned) and like_sizes(pruned)):
                        break
                    trial = pruned  # an interloper inside the run, or e itself
                elif not like_sizes(trial):  # its pace just passed
                    trial = self.fidget_left_out(trial, run, durations, peaks, on_pace, like_sizes)
                    if trial is None:
                        break
                run = trial
                e += 1
            a, b = self.steady_part(durations[run], peaks[run], 0, len(run))
            if b - a >= self.min_set_reps:
                keep[run[a:b]] = True
                k = e
            else:
                k += 1
        return [b for b, ok in zip(bumps, keep) if ok]

    def fidget_left_out(self, trial: list[int], run: list[int], durations_s: np.ndarray, peaks_deg: np.ndarray,
                        on_pace: Callable[[list[int]], bool], like_sizes: Callable[[list[int]], bool]) -> list[int] | None:
        """The bumps `trial` (indices: the run and the next bump; durations s, peaks deg of all bumps)
        less their least like bump, where their sizes broke the run, or None (the run ends): only
        before the run holds min_set_reps, only a bump smaller than the others' median (a lying fidget
        after the side's first rep; a compensation's sudden 3x is larger) and unlike them, and only if
        what is left is on pace and of like sizes (`in_sets`' tests). Physics check: seed 0 case 39,
        seed 2 case 9 (a fidget 0.53 deg after a 7.4 deg first rep), seed 3 case 26 (0.47 after 1.19:
        the fidget joined the first rep, and the second rep, 1.64 deg, broke the size test)."""
        if len(run) >= self.min_set_reps:
            return None
        odd = [self.unlikeness(durations_s[i], peaks_deg[i], durations_s[trial], peaks_deg[trial]) for i in trial]
        j = int(np.argmax(odd))
        rest = trial[:j] + trial[j + 1 :]
        if odd[j] <= 1.0 or peaks_deg[trial[j]] >= median(peaks_deg[rest]):
            return None
        if not (on_pace(rest) and like_sizes(rest)):
            return None
        return rest

    def unlikeness(self, duration_s: float, peak_deg: float, durations_s: np.ndarray, peaks_deg: np.ndarray) -> float:
        """How unlike the median of a run's bumps a bump (half-height duration s, peak deg) is: its
        duration's ratio to the median one, either way, on a log scale in units of
        max_duration_ratio, or its size's in units of sqrt(max_size_ratio) (half the run's size
        range), whichever is larger; > 1: unlike."""
        dur, size = float(median(durations_s)), float(median(peaks_deg))
        return max(abs(np.log(duration_s / dur)) / np.log(self.max_duration_ratio),
                   abs(np.log(peak_deg / size)) / np.log(np.sqrt(self.max_size_ratio)))

    def steady_part(self, durations_s: np.ndarray, peaks_deg: np.ndarray, k: int, e: int) -> tuple[int, int]:
        """The part [a, b) of the run of bumps [k, e) (durations s, peaks deg) that is a set, (k, k)
        if none: the run less its first and last bumps while they are unlike its median bump (a
        duration more than max_duration_ratio off it, either way, or a size more than
        sqrt(max_size_ratio), half the run's size range on a log scale), and none unless at least min_set_reps of
        what is left last like its median bump.

        Why the median and not longest / shortest: with 0.1-1 Hz lying fidget of 0.1-0.2 deg SD the
        half-height width of 0.5-1 deg reps varies ~2x within a steady set (0.83-2.24 s in one
        physics set of 2.6-3.3 s reps; the fidget moves the crossings and splits or merges the
        tops), so a pairwise ratio broke such sets into pieces shorter than min_set_reps. Inside a
        run the steady cadence vouches for a bump whose width the fidget distorted; what the
        durations and sizes must still catch is the fidget or the half of a split rep that happens
        to fit the cadence at a run's end (before the first rep, after the last), and a run of a
        few fragments. The physics check (seeds 0 and 1, 2227 reps): the size limit at 1.5 instead
        of sqrt(3) = 1.73 loses 5 reps, at 1.4 25; at 2.0 it lets 3 more extras by."""
        def unlike(i: int) -> bool:
            return self.unlikeness(durations_s[i], peaks_deg[i], durations_s[k:e], peaks_deg[k:e]) > 1.0

        a, b = k, e
        while a < b and unlike(a):
            a += 1
        while b > a and unlike(b - 1):
            b -= 1
        if b - a < self.min_set_reps:
            return k, k
        dur = float(median(durations_s[a:b]))
        steady = np.maximum(durations_s[a:b] / dur, dur / durations_s[a:b]) <= self.max_duration_ratio
        return (a, b) if int(np.sum(steady)) >= self.min_set_reps else (k, k)
